package io.mlcatalog.plugins.mlflow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an MLflow tracking server and registry hold, as the tests' fixtures write it in each of MLflow's forms (its SQL
 * store, its file store, its REST API): a team's churn experiment with a sweep (a parent run and two children), an
 * MLflow 2 run that logged its model the old way, a run still running, a deleted run and experiment; a registered model
 * with two versions (one from a logged model of MLflow 3), a deleted version, two aliases, and a prompt.
 *
 * <p>Mutable, so that a test can change what MLflow holds between polls and write it again.
 */
final class MlflowScenario {
    static final long T0 = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    static final String REPO = "https://github.com/acme/churn-model";
    static final String COMMIT = "5d41402abc4b2a76b9719d911017c592ae1e2f1b";
    static final String OLD_COMMIT = "0f3c2a9e1d0b4c5a6e7f8091a2b3c4d5e6f70819";

    static final String SWEEP = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String CHILD_1 = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";
    static final String CHILD_2 = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    static final String LEGACY = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
    static final String RUNNING = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
    static final String DELETED = "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1";
    static final String IN_DELETED_EXPERIMENT = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";
    static final String LOGGED_MODEL = "m-0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    static final String CUSTOMERS = "s3://acme-lake/churn/customers/2026-11-30.parquet";
    static final String HOLDOUT = "s3://acme-lake/churn/holdout/2026-11-30.parquet";

    record Experiment(String id, String name, String artifactLocation, String lifecycleStage) {
    }

    record Metric(String key, double value, long timestamp, long step) {
    }

    record Dataset(String name, String digest, String sourceType, String source, String schema, String profile, String context) {
    }

    static final class Run {
        String id;
        String experimentId;
        String name;
        String user;
        String status;
        Long start;
        Long end;
        String lifecycleStage = "active";
        final Map<String, String> params = new LinkedHashMap<>();
        final List<Metric> metrics = new ArrayList<>();
        final Map<String, String> tags = new LinkedHashMap<>();
        final List<Dataset> datasets = new ArrayList<>();

        String artifactUri(MlflowScenario s) {
            return s.experiment(experimentId).artifactLocation() + "/" + id + "/artifacts";
        }
    }

    record LoggedModel(String id, String experimentId, String name, String artifactLocation, long created, long updated, String sourceRunId,
                       int status, String modelType, Map<String, String> params) {
    }

    record Version(String model, int version, long created, long updated, String description, String stage, String source,
                   String storageLocation, String runId, String status, Map<String, String> tags) {
    }

    static final class Model {
        String name;
        long created;
        final Map<String, Integer> aliases = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
    }

    final List<Experiment> experiments = new ArrayList<>();
    final List<Run> runs = new ArrayList<>();
    final List<LoggedModel> loggedModels = new ArrayList<>();
    final List<Model> models = new ArrayList<>();
    final List<Version> versions = new ArrayList<>();

    Experiment experiment(String id) {
        return experiments.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    Run run(String id) {
        return runs.stream().filter(r -> r.id.equals(id)).findFirst().orElseThrow();
    }

    Model model(String name) {
        return models.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    Run addRun(String id, String experimentId, String name, String user, String status, long start, Long end) {
        Run r = new Run();
        r.id = id;
        r.experimentId = experimentId;
        r.name = name;
        r.user = user;
        r.status = status;
        r.start = start;
        r.end = end;
        r.tags.put("mlflow.runName", name);
        r.tags.put("mlflow.user", user);
        runs.add(r);
        return r;
    }

    static MlflowScenario churn() {
        MlflowScenario s = new MlflowScenario();
        s.experiments.add(new Experiment("0", "Default", "s3://acme-mlflow/0", "active"));
        s.experiments.add(new Experiment("1", "churn-training", "s3://acme-mlflow/1", "active"));
        s.experiments.add(new Experiment("2", "scratch", "s3://acme-mlflow/2", "deleted"));

        Run sweep = s.addRun(SWEEP, "1", "sweep-lr", "alice", "FINISHED", T0, T0 + 600_000);
        sweep.tags.put("mlflow.source.git.repoURL", REPO);
        sweep.tags.put("mlflow.source.git.commit", COMMIT);
        sweep.tags.put("mlflow.source.git.branch", "main");
        sweep.tags.put("mlflow.source.name", "train.py");
        sweep.tags.put("team", "growth");

        Run child1 = s.addRun(CHILD_1, "1", "lr-0.05", "alice", "FINISHED", T0 + 1_000, T0 + 300_000);
        child1.tags.put("mlflow.parentRunId", SWEEP);
        child1.tags.put("mlflow.source.git.repoURL", REPO);
        child1.tags.put("mlflow.source.git.commit", COMMIT);
        child1.tags.put("mlflow.note.content", "the learning rate we shipped");
        child1.params.put("learning_rate", "0.05");
        child1.params.put("max_depth", "7");
        child1.metrics.add(new Metric("auc", 0.851, T0 + 100_000, 0));
        child1.metrics.add(new Metric("auc", 0.893, T0 + 200_000, 1));
        child1.metrics.add(new Metric("auc", 0.870, T0 + 250_000, 0)); // a later time at an earlier step is not the latest
        child1.metrics.add(new Metric("calibration", Double.NaN, T0 + 200_000, 1));
        child1.datasets.add(new Dataset("customers", "d7c5e1a2", "s3", "{\"uri\": \"" + CUSTOMERS + "\"}",
                "{\"mlflow_colspec\": [{\"type\": \"long\", \"name\": \"tenure\"}]}", "{\"num_rows\": 52000, \"num_elements\": 520000}", "training"));
        child1.datasets.add(new Dataset("holdout", "0b9e44f1", "s3", "{\"uri\": \"" + HOLDOUT + "\"}", null, null, "eval"));

        Run child2 = s.addRun(CHILD_2, "1", "lr-0.1", "alice", "FAILED", T0 + 2_000, T0 + 90_000);
        child2.tags.put("mlflow.parentRunId", SWEEP);
        child2.params.put("learning_rate", "0.1");
        child2.params.put("max_depth", "7");

        Run legacy = s.addRun(LEGACY, "1", "baseline", "bob", "FINISHED", T0 - 86_400_000, T0 - 86_000_000);
        legacy.tags.put("mlflow.gitRepoURL", REPO); // as MLflow before 1.x named it
        legacy.tags.put("mlflow.source.git.commit", OLD_COMMIT);
        legacy.tags.put("mlflow.log-model.history", "[{\"run_id\": \"" + LEGACY + "\", \"artifact_path\": \"model\", "
                + "\"utc_time_created\": \"2026-11-19 10:05:00.000000\", \"flavors\": {\"python_function\": {}, \"sklearn\": {}}, "
                + "\"model_uuid\": \"4b8e1c0d9a7f4e2b8c6d5a4f3e2d1c0b\"}]");
        legacy.params.put("learning_rate", "0.1");
        legacy.metrics.add(new Metric("auc", 0.861, T0 - 86_100_000, 0));

        s.addRun(RUNNING, "1", "nightly", "carol", "RUNNING", T0 + 3_600_000, null).params.put("learning_rate", "0.05");

        s.addRun(DELETED, "1", "oops", "bob", "FINISHED", T0 + 5_000, T0 + 6_000).lifecycleStage = "deleted";
        s.addRun(IN_DELETED_EXPERIMENT, "2", "scratch-run", "bob", "FINISHED", T0, T0 + 1_000);

        s.loggedModels.add(new LoggedModel(LOGGED_MODEL, "1", "model", "s3://acme-mlflow/1/models/" + LOGGED_MODEL + "/artifacts",
                T0 + 290_000, T0 + 295_000, CHILD_1, 2, "sklearn", Map.of("learning_rate", "0.05")));

        Model churn = new Model();
        churn.name = "churn-classifier";
        churn.created = T0 - 86_000_000;
        churn.aliases.put("champion", 2);
        churn.aliases.put("production", 1);
        churn.tags.put("owner", "growth");
        s.models.add(churn);
        s.versions.add(new Version("churn-classifier", 1, T0 - 85_000_000, T0 - 85_000_000, "the baseline", "Production",
                "s3://acme-mlflow/1/" + LEGACY + "/artifacts/model", null, LEGACY, "READY", Map.of("validated", "true")));
        s.versions.add(new Version("churn-classifier", 2, T0 + 400_000, T0 + 400_000, null, "None", "models:/" + LOGGED_MODEL,
                "s3://acme-mlflow/1/models/" + LOGGED_MODEL + "/artifacts", CHILD_1, "READY", Map.of()));
        s.versions.add(new Version("churn-classifier", 3, T0 + 500_000, T0 + 510_000, null, "Deleted_Internal",
                "runs:/" + CHILD_2 + "/model", null, CHILD_2, "READY", Map.of()));

        Model prompt = new Model();
        prompt.name = "summarize-prompt";
        prompt.created = T0;
        prompt.tags.put("mlflow.prompt.is_prompt", "true");
        s.models.add(prompt);
        s.versions.add(new Version("summarize-prompt", 1, T0, T0, null, "None", "file:///tmp/prompt", null, null, "READY", Map.of()));
        return s;
    }

    /**
     * The next day: the nightly run ended, a new run registered as version 4 from runs:/, production moved, champion removed,
     * a model registered with no version yet.
     */
    void nextDay() {
        Run nightly = run(RUNNING);
        nightly.status = "FINISHED";
        nightly.end = T0 + 7_200_000;
        nightly.metrics.add(new Metric("auc", 0.9, T0 + 7_000_000, 3));
        Run retrain = addRun("aaaa0000aaaa0000aaaa0000aaaa0000", "1", "retrain", "carol", "FINISHED", T0 + 86_400_000, T0 + 87_000_000);
        retrain.tags.put("mlflow.source.git.repoURL", REPO);
        retrain.tags.put("mlflow.source.git.commit", COMMIT);
        versions.add(new Version("churn-classifier", 4, T0 + 87_100_000, T0 + 87_100_000, null, "None",
                "runs:/aaaa0000aaaa0000aaaa0000aaaa0000/model", null, "aaaa0000aaaa0000aaaa0000aaaa0000", "READY", Map.of()));
        Model churn = model("churn-classifier");
        churn.aliases.put("production", 2);
        churn.aliases.remove("champion");
        // a model registered before anything is logged to it: no version yet
        Model ranker = new Model();
        ranker.name = "fraud-ranker";
        ranker.created = T0 + 87_200_000;
        models.add(ranker);
    }
}
