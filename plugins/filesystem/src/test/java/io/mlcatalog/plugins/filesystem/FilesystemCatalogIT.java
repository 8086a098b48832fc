package io.mlcatalog.plugins.filesystem;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The filesystem plugin in a real catalog: what users see over GraphQL. */
class FilesystemCatalogIT {
    private static final String ARTIFACTS = """
            query($prefix: String, $present: Boolean) {
              artifacts(filter: {uriPrefix: $prefix, present: $present}, first: 100) {
                totalCount
                edges { node { name uri digest sizeBytes mediaType kind goneAt assertedBy { source externalId } } }
              }
            }""";
    private static final String VERSION = """
            query($ns: String, $model: String!, $v: String) {
              modelVersion(namespace: $ns, model: $model, version: $v) {
                version artifact { name digest producedBy { name } } run { name externalId } assertedBy { source }
              }
            }""";
    private static final String UPSERT_RUN = """
            mutation($in: RunInput!) { upsertRun(input: $in) { id outputs { name } } }""";

    private static Path base;
    private static TestingCatalog catalog;

    @BeforeAll
    static void start() throws IOException {
        base = Files.createTempDirectory("fs-it");
        for (String name : List.of("lifecycle", "run-later", "run-first", "mlflow")) {
            Files.createDirectories(base.resolve(name));
        }
        TestingCatalog.Builder b = TestingCatalog.builder();
        b.instance("fs-lifecycle", "filesystem", Map.of("roots", base.resolve("lifecycle").toString(), "namespace", "lifecycle"));
        b.instance("fs-run-later", "filesystem", Map.of("roots", base.resolve("run-later").toString(), "namespace", "fraud"));
        b.instance("fs-run-first", "filesystem", Map.of("roots", base.resolve("run-first").toString(), "namespace", "churn"));
        b.instance("fs-mlflow", "filesystem", Map.of("roots", base.resolve("mlflow").toString(), "namespace", "mlflow"));
        catalog = b.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static Path write(String rel, String content) throws IOException {
        Path f = base.resolve(rel);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, content);
    }

    private static Map<String, JsonNode> artifacts(String root, Boolean present) {
        JsonNode data = catalog.query(ARTIFACTS, nullable("prefix", base.resolve(root).toUri().toString(), "present", present));
        Map<String, JsonNode> byKey = new java.util.TreeMap<>();
        data.path("artifacts").path("edges").forEach(e -> {
            JsonNode n = e.path("node");
            byKey.put(n.path("name").asText() + (n.path("goneAt").isNull() ? "" : " (gone)") + " " + n.path("digest").asText(), n);
        });
        return byKey;
    }

    private static Map<String, Object> nullable(Object... kv) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static PollOutcome poll(String instance) {
        PollOutcome outcome = catalog.poll(instance);
        assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
        assertThat(outcome.rejected()).isEmpty();
        return outcome;
    }

    @Test
    void filesBecomeArtifactsChangesBecomeVersionsDeletionsGoneAndNothingIsErased() throws IOException {
        Path model = write("lifecycle/models/fraud.onnx", "v1 weights");
        write("lifecycle/data/train.parquet", "rows");
        poll("fs-lifecycle");

        Map<String, JsonNode> first = artifacts("lifecycle", null);
        assertThat(first).hasSize(2);
        JsonNode onnx = first.values().stream().filter(n -> n.path("name").asText().equals("fraud.onnx")).findFirst().orElseThrow();
        assertThat(onnx.path("uri").asText()).isEqualTo(model.toUri().toString());
        assertThat(onnx.path("digest").asText()).startsWith("sha256:");
        assertThat(onnx.path("sizeBytes").asLong()).isEqualTo(10);
        assertThat(onnx.path("mediaType").asText()).isEqualTo("application/onnx");
        assertThat(onnx.path("kind").asText()).isEqualTo("MODEL");
        assertThat(onnx.path("goneAt").isNull()).isTrue();
        assertThat(onnx.path("assertedBy").path(0).path("source").asText()).isEqualTo("fs-lifecycle");
        assertThat(onnx.path("assertedBy").path(0).path("externalId").asText()).isEqualTo("models/fraud.onnx");

        Map<String, Long> rows = catalog.rowCounts();
        poll("fs-lifecycle");
        assertThat(catalog.rowCounts()).as("polling again changes nothing").isEqualTo(rows);

        Files.writeString(model, "v2 weights!");
        Files.setLastModifiedTime(model, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Files.delete(base.resolve("lifecycle/data/train.parquet"));
        poll("fs-lifecycle");

        Map<String, JsonNode> all = artifacts("lifecycle", null);
        assertThat(all.keySet()).hasSize(3).anyMatch(k -> k.startsWith("fraud.onnx (gone) " + onnx.path("digest").asText()))
                .anyMatch(k -> k.startsWith("train.parquet (gone)")).anyMatch(k -> k.startsWith("fraud.onnx sha256:"));
        assertThat(artifacts("lifecycle", true).keySet()).singleElement().asString().startsWith("fraud.onnx sha256:")
                .doesNotContain(onnx.path("digest").asText());
        assertThat(artifacts("lifecycle", false)).hasSize(2);

        // a replay from the beginning (checkpoints reset) changes nothing
        rows = catalog.rowCounts();
        catalog.resetCheckpoints("fs-lifecycle");
        poll("fs-lifecycle");
        poll("fs-lifecycle");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(artifacts("lifecycle", true)).hasSize(1);

        // the deleted dataset comes back with the same content: present again (a later observation than its going)
        write("lifecycle/data/train.parquet", "rows");
        poll("fs-lifecycle");
        assertThat(artifacts("lifecycle", true).keySet()).anyMatch(k -> k.startsWith("train.parquet sha256:")).hasSize(2);
    }

    @Test
    void aSidecarRegistersTheModelVersionAndLinksItToItsRunRecordedLater() throws IOException {
        write("run-later/model.onnx", "fraud weights");
        write("run-later/model.onnx.mlcatalog.json", """
                {"run": {"name": "train-42", "externalId": "mlflow-abc"}, "model": {"name": "fraud-detector", "version": "7"}}""");
        poll("fs-run-later");

        JsonNode v = catalog.query(VERSION, Map.of("ns", "fraud", "model", "fraud-detector", "v", "7")).path("modelVersion");
        assertThat(v.path("artifact").path("name").asText()).isEqualTo("model.onnx");
        assertThat(v.path("run").isNull()).as("the run is not recorded yet").isTrue();
        assertThat(catalog.count("select count(*) from pending_run_link")).isGreaterThanOrEqualTo(2);

        Map<String, Long> rows = catalog.rowCounts();
        poll("fs-run-later");
        assertThat(catalog.rowCounts()).isEqualTo(rows);

        // the run arrives (here over the API; an OpenLineage event or another plugin alike)
        catalog.query(UPSERT_RUN, Map.of("in", Map.of("namespace", "fraud", "name", "train-42", "externalId", "mlflow-abc",
                "status", "SUCCEEDED", "startedAt", "2025-01-01T10:00:00Z", "endedAt", "2025-01-01T11:00:00Z")));

        v = catalog.query(VERSION, Map.of("ns", "fraud", "model", "fraud-detector", "v", "7")).path("modelVersion");
        assertThat(v.path("run").path("name").asText()).isEqualTo("train-42");
        assertThat(v.path("artifact").path("producedBy").path(0).path("name").asText()).isEqualTo("train-42");
        assertThat(catalog.count("select count(*) from pending_run_link")).isZero();
    }

    @Test
    void aSidecarLinksToARunRecordedFirstTheSameWay() throws IOException {
        catalog.query(UPSERT_RUN, Map.of("in", Map.of("namespace", "ml", "name", "churn-train", "status", "SUCCEEDED",
                "startedAt", "2025-02-01T10:00:00Z", "endedAt", "2025-02-01T11:00:00Z")));
        write("run-first/churn/weights.safetensors", "churn weights");
        write("run-first/churn/model-card.md", """
                ---
                model_name: churn
                version: "3"
                run_namespace: ml
                run_name: churn-train
                ---
                # Churn
                """);
        poll("fs-run-first");

        JsonNode v = catalog.query(VERSION, Map.of("ns", "churn", "model", "churn", "v", "3")).path("modelVersion");
        assertThat(v.path("run").path("name").asText()).isEqualTo("churn-train");
        assertThat(v.path("artifact").path("producedBy").path(0).path("name").asText()).isEqualTo("churn-train");
        assertThat(v.path("assertedBy").path(0).path("source").asText()).isEqualTo("fs-run-first");
    }

    @Test
    void anMlmodelFileNamesItsRunByMlflowRunIdInEitherOrder() throws IOException {
        write("mlflow/model/model.pkl", "pickle");
        write("mlflow/model/MLmodel", "artifact_path: model\nrun_id: 5f2c0ffee\nflavors:\n  sklearn: {}\n");
        poll("fs-mlflow");
        catalog.query(UPSERT_RUN, Map.of("in", Map.of("namespace", "experiments", "name", "nightly", "externalId", "5f2c0ffee",
                "status", "SUCCEEDED")));

        JsonNode run = catalog.query("""
                { run(namespace: "experiments", externalId: "5f2c0ffee") { outputs { name kind facets } } }""").path("run");
        assertThat(run.path("outputs").path(0).path("name").asText()).isEqualTo("model.pkl");
        assertThat(run.path("outputs").path(0).path("kind").asText()).isEqualTo("MODEL");
        assertThat(run.path("outputs").path(0).path("facets").path("mlflowModel").path("artifact_path").asText()).isEqualTo("model");
    }
}
