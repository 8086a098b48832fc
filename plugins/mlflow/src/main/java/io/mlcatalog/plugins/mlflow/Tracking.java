package io.mlcatalog.plugins.mlflow;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the source reads of an MLflow tracking server and model registry, whichever way it is stored: its REST API
 * ({@link RestTracking}), its SQL store ({@link SqlTracking}) or its file store ({@link FileTracking}). The values are
 * MLflow's own, unmapped: times in epoch milliseconds, statuses in MLflow's names.
 *
 * <p>Every method reads afresh (nothing is cached between polls) and throws an {@link IOException} whose message names
 * the file or request that failed and why, never a credential.
 */
interface Tracking extends AutoCloseable {

    /** An experiment. {@code lifecycleStage}: {@code active} or {@code deleted}. */
    record Experiment(String id, String name, String artifactLocation, String lifecycleStage) {
    }

    /**
     * A run.
     *
     * @param status        {@code RUNNING}, {@code SCHEDULED}, {@code FINISHED}, {@code FAILED} or {@code KILLED}
     * @param metrics       the latest value of each metric (by step, then time, then value, as MLflow takes it)
     * @param datasets      the datasets it read ({@code mlflow.log_input})
     */
    record Run(String id, String experimentId, String name, String user, String status, Long startTime, Long endTime,
               String artifactUri, String lifecycleStage, Map<String, String> params, Map<String, Double> metrics,
               Map<String, String> tags, List<DatasetInput> datasets) {
        public Run {
            params = Map.copyOf(params);
            metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics)); // NaN is a value here
            tags = Map.copyOf(tags);
            datasets = List.copyOf(datasets);
        }
    }

    /**
     * A dataset a run read.
     *
     * @param digest     MLflow's digest of it (8 hex digits of an MD5 of its content for pandas and NumPy data; any text for others)
     * @param sourceType {@code s3}, {@code local}, {@code http}, {@code delta_table}, {@code hugging_face}, …
     * @param source     the source as MLflow keeps it: a JSON document in a string ({@code {"uri": "s3://…"}})
     * @param schema     a JSON document in a string, or null
     * @param profile    a JSON document in a string, or null
     * @param context    the input's {@code mlflow.data.context} tag ({@code training}, {@code eval}), or null
     */
    record DatasetInput(String name, String digest, String sourceType, String source, String schema, String profile, String context) {
    }

    /**
     * A logged model (MLflow 3): a model a run logged, with its own id ({@code m-…}) and artifact location.
     *
     * @param status {@code READY}, {@code PENDING}, {@code FAILED} or {@code UNSPECIFIED}
     */
    record LoggedModel(String id, String experimentId, String name, String artifactLocation, Long created, Long updated,
                       String sourceRunId, String status, String modelType, String lifecycleStage, Map<String, String> params) {
        public LoggedModel {
            params = Map.copyOf(params);
        }
    }

    /** A registered model: its aliases (alias → version) and tags. */
    record RegisteredModel(String name, Map<String, String> aliases, Map<String, String> tags) {
        public RegisteredModel {
            aliases = Map.copyOf(aliases);
            tags = Map.copyOf(tags);
        }

        /** MLflow keeps prompts (its prompt registry) as registered models with this tag, and leaves them out of searches. */
        boolean isPrompt() {
            return "true".equalsIgnoreCase(tags.get("mlflow.prompt.is_prompt"));
        }
    }

    /**
     * A version of a registered model.
     *
     * @param stage           {@code None}, {@code Staging}, {@code Production}, {@code Archived}; {@code Deleted_Internal} for a
     *                        version deleted in a file or SQL store, which keeps its row
     * @param source          where it was registered from: {@code runs:/<run>/<path>}, {@code models:/m-…}, or a storage URI
     * @param storageLocation where MLflow resolved the source to (MLflow 3), or null
     * @param status          {@code READY}, {@code PENDING_REGISTRATION} or {@code FAILED_REGISTRATION}
     */
    record ModelVersion(String model, String version, Long created, Long updated, String description, String user, String stage,
                        String source, String storageLocation, String runId, String status, Map<String, String> tags) {
        public ModelVersion {
            tags = Map.copyOf(tags);
        }
    }

    /**
     * What a listing read, and what it had to leave out: the id of each part it could not read (a run, a version as
     * {@code model/version}, a model's name) and why, naming the file or request. Only the file store leaves parts out;
     * the others fail the whole listing.
     */
    record Listing<T>(List<T> items, Map<String, String> skipped) {
        public Listing {
            items = List.copyOf(items);
            skipped = Map.copyOf(skipped);
        }

        static <T> Listing<T> of(List<T> items) {
            return new Listing<>(items, Map.of());
        }
    }

    /** What this reads, for messages: {@code MLflow at http://mlflow:5000}, {@code MLflow SQL store /data/mlflow.db}. */
    String describe();

    Listing<Experiment> experiments() throws IOException;

    /**
     * The runs of an experiment after a position, oldest first: those whose (start time, id) comes after
     * ({@code start}, {@code afterId}), or, when {@code afterId} is null, that started at or after {@code start} (epoch
     * ms; a run without a start time counts as 0). At most {@code limit}; runs deleted in MLflow are left out.
     */
    Listing<Run> runs(Experiment experiment, long start, String afterId, int limit) throws IOException;

    /** The runs of an experiment with these ids that MLflow still has (not deleted). */
    Listing<Run> runsById(Experiment experiment, Set<String> ids) throws IOException;

    /** A run by id, in any experiment, if MLflow has it and it is not deleted. */
    Optional<Run> run(String id) throws IOException;

    /** The logged models of an experiment updated at or after {@code updatedFrom} (epoch ms). Empty before MLflow 3. */
    Listing<LoggedModel> loggedModels(Experiment experiment, long updatedFrom) throws IOException;

    /** A logged model by id ({@code m-…}), if MLflow has it. */
    Optional<LoggedModel> loggedModel(String id) throws IOException;

    Listing<RegisteredModel> registeredModels() throws IOException;

    /** Every version of every registered model (deleted ones too, where the store keeps them: their stage says so). */
    Listing<ModelVersion> modelVersions() throws IOException;

    @Override
    default void close() {
    }
}
