package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static io.mlcatalog.plugins.mlflow.Fields.number;
import static io.mlcatalog.plugins.mlflow.Fields.text;

/**
 * MLflow's file store ({@code mlruns/}, MLflow's default before 3.7), laid out as MLflow writes it:
 * <pre>
 * &lt;root&gt;/&lt;experiment id&gt;/meta.yaml
 *          &lt;experiment id&gt;/&lt;run id&gt;/meta.yaml, params/&lt;key&gt;, tags/&lt;key&gt;, metrics/&lt;key&gt;, inputs/&lt;id&gt;/meta.yaml
 *          &lt;experiment id&gt;/datasets/&lt;id&gt;/meta.yaml
 *          &lt;experiment id&gt;/models/&lt;model id&gt;/meta.yaml, params/&lt;key&gt;     (logged models, MLflow 3)
 *          models/&lt;name&gt;/meta.yaml, tags/&lt;key&gt;, aliases/&lt;alias&gt;, version-&lt;n&gt;/meta.yaml, version-&lt;n&gt;/tags/&lt;key&gt;
 *          .trash/                                                    (deleted experiments: not read)
 * </pre>
 * A run, version or model whose files cannot be read (a truncated {@code meta.yaml}, say) is left out of the listing
 * with the file named, and the others are read.
 */
final class FileTracking implements Tracking {
    private static final YAMLMapper YAML = new YAMLMapper();
    /** Folders of an experiment that are not runs. */
    private static final Set<String> NOT_RUNS = Set.of("tags", "datasets", "traces", "models", "meta.yaml");
    /** A run's status in its meta.yaml: MLflow's RunStatus number. */
    private static final Map<Integer, String> RUN_STATUS = Map.of(1, "RUNNING", 2, "SCHEDULED", 3, "FINISHED", 4, "FAILED", 5, "KILLED");

    private final Path root;

    FileTracking(Path root) {
        this.root = root;
    }

    @Override
    public String describe() {
        return "MLflow file store " + root;
    }

    @Override
    public Listing<Experiment> experiments() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(describe() + " not found: no such folder");
        }
        List<Experiment> experiments = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Path dir : children(root)) {
            String name = dir.getFileName().toString();
            if (name.startsWith(".") || name.equals("models") || !Files.isRegularFile(dir.resolve("meta.yaml"))) {
                continue;
            }
            try {
                JsonNode meta = yaml(dir.resolve("meta.yaml"));
                experiments.add(new Experiment(first(text(meta, "experiment_id"), name), text(meta, "name"), text(meta, "artifact_location"),
                        text(meta, "lifecycle_stage")));
            } catch (IOException e) {
                skipped.put(name, e.getMessage());
            }
        }
        experiments.sort(Comparator.comparing(Experiment::id));
        return new Listing<>(experiments, skipped);
    }

    @Override
    public Listing<Run> runs(Experiment experiment, long start, String afterId, int limit) throws IOException {
        return read(experiment, limit, r -> {
            long started = r.startTime() == null ? 0 : r.startTime();
            return afterId == null ? started >= start : started > start || started == start && r.id().compareTo(afterId) > 0;
        });
    }

    @Override
    public Listing<Run> runsById(Experiment experiment, Set<String> ids) throws IOException {
        return read(experiment, Integer.MAX_VALUE, r -> ids.contains(r.id()));
    }

    /** The experiment's runs that {@code wanted} says, oldest first, at most {@code limit}. */
    private Listing<Run> read(Experiment experiment, int limit, java.util.function.Predicate<Run> wanted) throws IOException {
        Path dir = root.resolve(experiment.id());
        List<Run> matching = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        // every run's meta.yaml is read to know when it started: the file store has no index
        for (Path runDir : children(dir)) {
            String id = runDir.getFileName().toString();
            if (NOT_RUNS.contains(id) || !Files.isDirectory(runDir)) {
                continue;
            }
            try {
                RunInfo info = runInfo(runDir);
                if (info == null || "deleted".equals(info.lifecycleStage)) {
                    continue;
                }
                Run bare = new Run(id, experiment.id(), info.name, info.user, info.status, info.startTime, info.endTime, info.artifactUri,
                        info.lifecycleStage, Map.of(), Map.of(), Map.of(), List.of());
                if (wanted.test(bare)) {
                    matching.add(bare);
                }
            } catch (IOException e) {
                skipped.put(id, e.getMessage());
            }
        }
        matching.sort(Comparator.comparing((Run r) -> r.startTime() == null ? 0L : r.startTime()).thenComparing(Run::id));
        List<Run> runs = new ArrayList<>();
        for (Run r : matching) {
            if (runs.size() >= limit) {
                break;
            }
            try {
                runs.add(complete(r, dir.resolve(r.id())));
            } catch (IOException e) {
                skipped.put(r.id(), e.getMessage());
            }
        }
        return new Listing<>(runs, skipped);
    }

    @Override
    public Optional<Run> run(String id) throws IOException {
        for (Path dir : children(root)) {
            Path runDir = dir.resolve(id);
            if (!dir.getFileName().toString().startsWith(".") && Files.isRegularFile(runDir.resolve("meta.yaml"))) {
                RunInfo info = runInfo(runDir);
                if (info == null || "deleted".equals(info.lifecycleStage)) {
                    return Optional.empty();
                }
                Run bare = new Run(id, first(info.experimentId, dir.getFileName().toString()), info.name, info.user, info.status, info.startTime,
                        info.endTime, info.artifactUri, info.lifecycleStage, Map.of(), Map.of(), Map.of(), List.of());
                return Optional.of(complete(bare, runDir));
            }
        }
        return Optional.empty();
    }

    private record RunInfo(String experimentId, String name, String user, String status, Long startTime, Long endTime, String artifactUri,
                           String lifecycleStage) {
    }

    private RunInfo runInfo(Path runDir) throws IOException {
        Path file = runDir.resolve("meta.yaml");
        if (!Files.exists(file)) {
            return null; // not a run (a folder of something else)
        }
        JsonNode meta = yaml(file);
        JsonNode status = meta.get("status");
        String s = status == null || status.isNull() ? "RUNNING"
                : status.isNumber() ? RUN_STATUS.getOrDefault(status.asInt(), "RUNNING") : status.asText();
        return new RunInfo(text(meta, "experiment_id"), text(meta, "run_name"), text(meta, "user_id"), s, number(meta, "start_time"),
                number(meta, "end_time"), text(meta, "artifact_uri"), first(text(meta, "lifecycle_stage"), "active"));
    }

    /** The run with its params, tags, latest metrics and datasets, read from its folder. */
    private Run complete(Run r, Path runDir) throws IOException {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, Path> m : keyFiles(runDir.resolve("metrics")).entrySet()) {
            Double latest = latestMetric(m.getValue());
            if (latest != null || Files.size(m.getValue()) > 0) {
                metrics.put(m.getKey(), latest);
            }
        }
        List<DatasetInput> datasets = new ArrayList<>();
        for (Path input : children(runDir.resolve("inputs"))) {
            Path file = input.resolve("meta.yaml");
            if (!Files.isRegularFile(file)) {
                continue;
            }
            JsonNode meta = yaml(file);
            if (!"DATASET".equals(text(meta, "source_type"))) {
                continue; // a logged model given to the run (MLflow 3), not a dataset
            }
            String datasetId = text(meta, "source_id");
            if (datasetId == null || datasetId.isBlank() || datasetId.contains("/") || datasetId.startsWith(".")) {
                throw new IOException(file + ": names no dataset (source_id)");
            }
            Path datasetFile = root.resolve(r.experimentId()).resolve("datasets").resolve(datasetId).resolve("meta.yaml");
            JsonNode d = yaml(datasetFile);
            datasets.add(new DatasetInput(text(d, "name"), text(d, "digest"), text(d, "source_type"), text(d, "source"), text(d, "schema"),
                    text(d, "profile"), text(meta.path("tags"), "mlflow.data.context")));
        }
        datasets.sort(Comparator.comparing((DatasetInput d) -> String.valueOf(d.name())).thenComparing(d -> String.valueOf(d.digest())));
        return new Run(r.id(), r.experimentId(), r.name(), r.user(), r.status(), r.startTime(), r.endTime(), r.artifactUri(),
                r.lifecycleStage(), values(runDir.resolve("params")), metrics, values(runDir.resolve("tags")), datasets);
    }

    /**
     * The latest value of a metric file ({@code <timestamp> <value> <step>} per line, MLflow 3 adding the dataset's name
     * and digest): the largest by step, then time, then value, as MLflow takes it.
     */
    private static Double latestMetric(Path file) throws IOException {
        long bestStep = Long.MIN_VALUE;
        long bestTime = Long.MIN_VALUE;
        Double best = null;
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (f.length < 2) {
                throw new IOException(file + ": line " + lineNumber + " is not '<timestamp> <value> <step>'");
            }
            long time;
            long step;
            double value;
            try {
                time = Long.parseLong(f[0]);
                value = pythonFloat(f[1]);
                step = f.length >= 3 ? Long.parseLong(f[2]) : 0;
            } catch (NumberFormatException e) {
                throw new IOException(file + ": line " + lineNumber + " is not '<timestamp> <value> <step>': " + e.getMessage());
            }
            if (best == null || step > bestStep || step == bestStep && (time > bestTime || time == bestTime && Double.compare(value, best) > 0)) {
                bestStep = step;
                bestTime = time;
                best = value;
            }
        }
        return best;
    }

    /** A float as Python's {@code str(float)} writes it ({@code nan}, {@code inf}, {@code -inf} included). */
    private static double pythonFloat(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    @Override
    public Listing<LoggedModel> loggedModels(Experiment experiment, long updatedFrom) throws IOException {
        List<LoggedModel> models = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Path dir : children(root.resolve(experiment.id()).resolve("models"))) {
            if (!Files.isRegularFile(dir.resolve("meta.yaml"))) {
                continue;
            }
            try {
                LoggedModel m = loggedModel(dir, experiment.id());
                if (m.updated() == null || m.updated() >= updatedFrom) {
                    models.add(m);
                }
            } catch (IOException e) {
                skipped.put(dir.getFileName().toString(), e.getMessage());
            }
        }
        return new Listing<>(models, skipped);
    }

    @Override
    public Optional<LoggedModel> loggedModel(String id) throws IOException {
        for (Path experiment : children(root)) {
            Path dir = experiment.resolve("models").resolve(id);
            if (!experiment.getFileName().toString().startsWith(".") && Files.isRegularFile(dir.resolve("meta.yaml"))) {
                return Optional.of(loggedModel(dir, experiment.getFileName().toString()));
            }
        }
        return Optional.empty();
    }

    private LoggedModel loggedModel(Path dir, String experimentId) throws IOException {
        JsonNode m = yaml(dir.resolve("meta.yaml"));
        JsonNode status = m.get("status");
        return new LoggedModel(first(text(m, "model_id"), dir.getFileName().toString()), experimentId, text(m, "name"),
                text(m, "artifact_location"), number(m, "creation_timestamp"), number(m, "last_updated_timestamp"), text(m, "source_run_id"),
                status != null && status.isNumber() ? SqlTracking.loggedModelStatus(status.asInt()) : text(m, "status"),
                text(m, "model_type"), text(m, "lifecycle_stage"), values(dir.resolve("params")));
    }

    @Override
    public Listing<RegisteredModel> registeredModels() throws IOException {
        List<RegisteredModel> models = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Path dir : children(root.resolve("models"))) {
            if (!Files.isRegularFile(dir.resolve("meta.yaml"))) {
                continue;
            }
            String fallback = dir.getFileName().toString();
            try {
                JsonNode meta = yaml(dir.resolve("meta.yaml"));
                Map<String, String> aliases = new LinkedHashMap<>();
                values(dir.resolve("aliases")).forEach((alias, version) -> aliases.put(alias, version.strip()));
                models.add(new RegisteredModel(first(text(meta, "name"), fallback), aliases, values(dir.resolve("tags"))));
            } catch (IOException e) {
                skipped.put(fallback, e.getMessage());
            }
        }
        return new Listing<>(models, skipped);
    }

    @Override
    public Listing<ModelVersion> modelVersions() throws IOException {
        List<ModelVersion> versions = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Path model : children(root.resolve("models"))) {
            for (Path dir : children(model)) {
                String folder = dir.getFileName().toString();
                if (!folder.startsWith("version-") || !Files.isRegularFile(dir.resolve("meta.yaml"))) {
                    continue;
                }
                try {
                    JsonNode v = yaml(dir.resolve("meta.yaml"));
                    Long created = number(v, "creation_timestamp");
                    Long updated = number(v, "last_updated_timestamp");
                    Long changed = updated == null ? created : updated;
                    versions.add(new ModelVersion(first(text(v, "name"), model.getFileName().toString()),
                            first(text(v, "version"), folder.substring("version-".length())), created, changed, text(v, "description"),
                            text(v, "user_id"), text(v, "current_stage"), text(v, "source"), text(v, "storage_location"), text(v, "run_id"),
                            text(v, "status"), values(dir.resolve("tags"))));
                } catch (IOException e) {
                    skipped.put(model.getFileName() + "/" + folder.substring("version-".length()), e.getMessage());
                }
            }
        }
        return new Listing<>(versions, skipped);
    }

    // ------------------------------------------------------------------ files

    /** A YAML file as MLflow writes it (PyYAML); an empty, truncated or damaged one is an IOException naming it. */
    private static JsonNode yaml(Path file) throws IOException {
        JsonNode node;
        try {
            node = YAML.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IOException(file + ": missing");
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
            throw new IOException(file + ": not readable YAML (" + why + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IOException(file + ": empty or not a YAML mapping");
        }
        return node;
    }

    /** The files under a folder, by key: the path below it with {@code /} (MLflow writes a key holding {@code /} as folders). */
    private static Map<String, Path> keyFiles(Path dir) throws IOException {
        Map<String, Path> files = new java.util.TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"), f);
            }
        }
        return files;
    }

    /** Key files' contents: params, tags, aliases (a file's name is the key, its text the value). */
    private static Map<String, String> values(Path dir) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : keyFiles(dir).entrySet()) {
            values.put(e.getKey(), Files.readString(e.getValue(), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static List<Path> children(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }



    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }
}
