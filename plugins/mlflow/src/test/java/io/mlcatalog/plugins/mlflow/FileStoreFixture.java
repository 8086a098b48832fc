package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a scenario as MLflow's file store ({@code mlruns/}), laid out and keyed as MLflow's {@code FileStore}s write
 * it: a run's status as RunStatus's number, metrics as {@code <timestamp> <value> <step>} lines (Python's float text),
 * params and tags one file each (a key with {@code /} in folders), datasets under the experiment with the run's inputs
 * pointing at them, logged models under {@code <experiment>/models/}, deleted experiments under {@code .trash/}, and
 * the registry under {@code models/} with aliases as files.
 */
final class FileStoreFixture {
    private static final YAMLMapper YAML = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();
    private static final Map<String, Integer> STATUS = Map.of("RUNNING", 1, "SCHEDULED", 2, "FINISHED", 3, "FAILED", 4, "KILLED", 5);

    private FileStoreFixture() {
    }

    /** Writes the scenario afresh into {@code root} (emptied first). */
    static Path write(MlflowScenario s, Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(root);
        for (MlflowScenario.Experiment e : s.experiments) {
            Path dir = "deleted".equals(e.lifecycleStage()) ? root.resolve(".trash").resolve(e.id()) : root.resolve(e.id());
            yaml(dir.resolve("meta.yaml"), map("artifact_location", e.artifactLocation(), "creation_time", MlflowScenario.T0 - 90_000_000,
                    "experiment_id", e.id(), "last_update_time", MlflowScenario.T0, "lifecycle_stage", e.lifecycleStage(), "name", e.name()));
        }
        for (MlflowScenario.Run r : s.runs) {
            MlflowScenario.Experiment e = s.experiment(r.experimentId);
            Path expDir = "deleted".equals(e.lifecycleStage()) ? root.resolve(".trash").resolve(e.id()) : root.resolve(e.id());
            Path dir = expDir.resolve(r.id);
            yaml(dir.resolve("meta.yaml"), map("artifact_uri", r.artifactUri(s), "end_time", r.end, "entry_point_name", "", "experiment_id",
                    r.experimentId, "lifecycle_stage", r.lifecycleStage, "run_id", r.id, "run_name", r.name, "run_uuid", r.id, "source_name", "",
                    "source_type", 4, "source_version", "", "start_time", r.start, "status", STATUS.get(r.status), "tags", List.of(),
                    "user_id", r.user, "deleted_time", "deleted".equals(r.lifecycleStage) ? r.end : null));
            keyFiles(dir.resolve("params"), r.params);
            keyFiles(dir.resolve("tags"), r.tags);
            Map<String, StringBuilder> metrics = new LinkedHashMap<>();
            for (MlflowScenario.Metric m : r.metrics) {
                metrics.computeIfAbsent(m.key(), k -> new StringBuilder())
                        .append(m.timestamp()).append(' ').append(pythonFloat(m.value())).append(' ').append(m.step()).append('\n');
            }
            for (Map.Entry<String, StringBuilder> m : metrics.entrySet()) {
                write(dir.resolve("metrics").resolve(m.getKey()), m.getValue().toString());
            }
            for (MlflowScenario.Dataset d : r.datasets) {
                String datasetId = md5(d.name() + d.digest());
                yaml(expDir.resolve("datasets").resolve(datasetId).resolve("meta.yaml"), map("digest", d.digest(), "name", d.name(),
                        "profile", d.profile(), "schema", d.schema(), "source", d.source(), "source_type", d.sourceType()));
                // MLflow 3.0's writer puts the dataset's id where the run's belongs (destination_id); the folder says whose input it is
                yaml(dir.resolve("inputs").resolve(md5(datasetId + r.id)).resolve("meta.yaml"), map("destination_id", datasetId,
                        "destination_type", "RUN", "source_id", datasetId, "source_type", "DATASET",
                        "tags", d.context() == null ? Map.of() : Map.of("mlflow.data.context", d.context())));
            }
        }
        for (MlflowScenario.LoggedModel m : s.loggedModels) {
            Path dir = root.resolve(m.experimentId()).resolve("models").resolve(m.id());
            yaml(dir.resolve("meta.yaml"), map("artifact_location", m.artifactLocation(), "creation_timestamp", m.created(), "experiment_id",
                    m.experimentId(), "last_updated_timestamp", m.updated(), "lifecycle_stage", "active", "model_id", m.id(), "model_type",
                    m.modelType(), "name", m.name(), "source_run_id", m.sourceRunId(), "status", m.status(), "status_message", null));
            keyFiles(dir.resolve("params"), m.params());
            yaml(root.resolve(m.experimentId()).resolve(m.sourceRunId()).resolve("outputs").resolve(m.id()).resolve("meta.yaml"),
                    map("destination_id", m.id(), "destination_type", "MODEL_OUTPUT", "source_id", m.id(), "source_type", "RUN_OUTPUT",
                            "step", 0, "tags", Map.of()));
        }
        for (MlflowScenario.Model m : s.models) {
            Path dir = root.resolve("models").resolve(m.name);
            yaml(dir.resolve("meta.yaml"), map("creation_timestamp", m.created, "description", null, "last_updated_timestamp", m.created,
                    "name", m.name));
            keyFiles(dir.resolve("tags"), m.tags);
            Map<String, String> aliases = new LinkedHashMap<>();
            m.aliases.forEach((alias, version) -> aliases.put(alias, version.toString()));
            keyFiles(dir.resolve("aliases"), aliases);
        }
        for (MlflowScenario.Version v : s.versions) {
            Path dir = root.resolve("models").resolve(v.model()).resolve("version-" + v.version());
            yaml(dir.resolve("meta.yaml"), map("creation_timestamp", v.created(), "current_stage", v.stage(), "description", v.description(),
                    "last_updated_timestamp", v.updated(), "name", v.model(), "run_id", v.runId(), "run_link", "", "source", v.source(),
                    "status", v.status(), "status_message", null, "storage_location", v.storageLocation(), "user_id", null, "version", v.version()));
            keyFiles(dir.resolve("tags"), v.tags());
        }
        return root;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static void yaml(Path file, Map<String, Object> content) throws IOException {
        write(file, YAML.writeValueAsString(content));
    }

    private static void keyFiles(Path dir, Map<String, String> values) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : values.entrySet()) {
            write(dir.resolve(e.getKey()), e.getValue()); // a key with '/' is a folder, as MLflow writes it
        }
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static String pythonFloat(double v) {
        return Double.isNaN(v) ? "nan" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : Double.toString(v);
    }

    private static String md5(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(s.getBytes()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
