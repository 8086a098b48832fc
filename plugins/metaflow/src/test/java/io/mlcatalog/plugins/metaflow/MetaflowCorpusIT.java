package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real datastore Metaflow 2.19.38 wrote (../shared/corpus/metaflow/churn, see its README): four ChurnTrainFlow runs
 * by alice and bob (one failed) and a ChurnScoreFlow run that read the last training run's model. Skipped where the
 * corpus is absent.
 */
class MetaflowCorpusIT {
    static final String PROPERTY = "mlcatalog.metaflow.corpus";
    static final String FIRST = "ChurnTrainFlow/1796479748864319";
    static final String FAILED = "ChurnTrainFlow/1796479755797046";
    static final String LAST_TRAIN = "ChurnTrainFlow/1796479757975798";
    static final String SCORE = "ChurnScoreFlow/1796479761339103";
    static final String MODEL_SHA = "b4687515a90c7c757e3bb6bfc33d31dd474ff448";
    static TestingCatalog catalog;
    static PollOutcome first;

    static Path corpus() {
        String property = System.getProperty(PROPERTY);
        Path dir = property != null && !property.isBlank() ? Path.of(property) : null;
        if (dir == null || !Files.isDirectory(dir)) {
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("schema")) && Files.isDirectory(p.resolve("core"))) {
                    dir = p.resolve("../shared/corpus/metaflow").normalize();
                    break;
                }
            }
        }
        Assumptions.assumeTrue(dir != null && Files.isDirectory(dir.resolve("churn").resolve("datastore")),
                "skipped: the Metaflow corpus is not at " + (dir == null ? "../shared/corpus/metaflow" : dir)
                        + " (set -D" + PROPERTY + "=<dir>; CI has it at ../shared beside the repository)");
        return dir.resolve("churn").resolve("datastore");
    }

    @BeforeAll
    static void start() {
        Path datastore = corpus();
        catalog = TestingCatalog.builder()
                .instance("churn-metaflow", "metaflow", Map.of("root", datastore.toString(), "namespace", "growth",
                        "models", List.of("model"), "model", "churn-classifier", "datasets", List.of("dataset_uri", "customers_uri"),
                        "outputDatasets", List.of("predictions_uri")))
                .start();
        first = catalog.poll("churn-metaflow");
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private static JsonNode run(String name) {
        return catalog.query("""
                query($n: String!) { run(namespace: "growth", name: $n) { name externalId pipeline status user startedAt endedAt params
                  tags { key value } codeVersion { repository commit } } }""", Map.of("n", name)).path("run");
    }

    @Test
    void everyFlowRunIsARunWithItsUserStatusParametersAndCommit() {
        assertThat(first.ok()).as(String.valueOf(first.error())).isTrue();
        JsonNode r = run(FIRST);
        assertThat(r.path("pipeline").asText()).isEqualTo("ChurnTrainFlow");
        assertThat(r.path("externalId").asText()).isEqualTo(FIRST);
        assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(r.path("user").asText()).isEqualTo("alice");
        assertThat(r.path("params").path("learning_rates").asText()).isEqualTo("0.1,0.05");
        assertThat(r.path("params").path("dataset_uri").asText()).isEqualTo("s3://acme-lake/churn/customers/2026-11-30.parquet");
        assertThat(r.path("tags").toString()).contains("{\"key\":\"team\",\"value\":\"growth\"}")
                .contains("{\"key\":\"metaflow.metaflow_version\",\"value\":\"2.19.38\"}");
        assertThat(r.path("codeVersion").path("repository").asText()).contains("acme/churn");
        assertThat(r.path("codeVersion").path("commit").asText()).hasSize(40);
        assertThat(r.path("startedAt").asText()).startsWith("2026-12-05");
        assertThat(r.path("endedAt").isNull()).isFalse();

        assertThat(run(FAILED).path("status").asText()).isEqualTo("FAILED");
        assertThat(run(FAILED).path("user").asText()).isEqualTo("bob");
        assertThat(run(SCORE).path("user").asText()).isEqualTo("carol");
        assertThat(catalog.count("select count(*) from run where namespace = 'growth' and parent_id is null")).isEqualTo(5);
    }

    @Test
    void eachTaskIsAChildRunWithTheArtifactsItMade() {
        // start, featurize, two train tasks (a foreach over the learning rates), join, end
        assertThat(catalog.count("select count(*) from run c join run p on p.id = c.parent_id where p.name = '" + FIRST + "'"))
                .isEqualTo(6);
        JsonNode train = catalog.query("""
                { run(namespace: "growth", name: "ChurnTrainFlow/1796479748864319/train/3") { status metrics parent { name }
                  outputs { name uri digest sizeBytes } } }""").path("run");
        assertThat(train.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(train.path("parent").path("name").asText()).isEqualTo(FIRST);
        assertThat(train.path("metrics").path("auc").isNumber()).isTrue();
        assertThat(train.path("outputs").findValuesAsText("name")).contains("model", "auc", "lr").doesNotContain("_task_ok", "learning_rates");
        JsonNode model = null;
        for (JsonNode o : train.path("outputs")) {
            if (o.path("name").asText().equals("model")) {
                model = o;
            }
        }
        assertThat(model.path("uri").asText()).isEqualTo("metaflow://ChurnTrainFlow/1796479748864319/train/3/model");
        assertThat(model.path("digest").asText()).isEqualTo("metaflow-sha1:" + MODEL_SHA);
        assertThat(model.path("sizeBytes").asLong()).isPositive();
        // the failed run's train tasks failed
        assertThat(catalog.count("select count(*) from run where name like '" + FAILED + "/train/%' and status = 'FAILED'")).isEqualTo(2);
    }

    @Test
    void theSameShaInTwoRunsIsTheSameContent() {
        JsonNode same = catalog.query("query($d: String!) { artifacts(filter: {digest: $d}, first: 100) { edges { node { uri } } } }",
                Map.of("d", "metaflow-sha1:" + MODEL_SHA)).path("artifacts");
        // the first and the last training runs made the same model (learning rate 0.1 on both datasets)
        assertThat(same.findValuesAsText("uri")).contains("metaflow://" + FIRST + "/train/3/model", "metaflow://" + LAST_TRAIN + "/train/3/model");
    }

    @Test
    void theScoringRunConsumedTheLastTrainingRunsModel() {
        JsonNode start = catalog.query("query($n: String!) { run(namespace: \"growth\", name: $n) { inputs { uri } outputs { name } } }",
                Map.of("n", SCORE + "/start/1")).path("run");
        assertThat(start.path("inputs").findValuesAsText("uri")).containsExactly("metaflow://" + LAST_TRAIN + "/train/3/model");
        assertThat(start.path("outputs").findValuesAsText("name")).contains("model_run").doesNotContain("model");
        // walked back: the scoring run's model, the training task that made it, its commit
        JsonNode graph = catalog.query("""
                query($id: ID!) { lineage(from: $id, direction: UPSTREAM, depth: 3) { nodes { __typename ... on Run { name }
                  ... on Artifact { uri } ... on CodeVersion { commit } } } }""",
                Map.of("id", id(SCORE + "/start/1"))).path("lineage").path("nodes");
        assertThat(graph.findValuesAsText("name")).contains(LAST_TRAIN + "/train/3");
        assertThat(graph.findValuesAsText("commit")).hasSize(1);
    }

    @Test
    void aSucceededRunsFinalModelIsAVersionAndDatasetsAreItsInputs() {
        JsonNode model = catalog.query("""
                { model(namespace: "growth", name: "churn-classifier") { versions(first: 10) { totalCount edges { node { version
                  run { name } artifact { uri kind digest } } } } } }""").path("model").path("versions");
        // three training runs succeeded; the scoring run's model is the one it read, not a version of its own
        assertThat(model.path("totalCount").asInt()).isEqualTo(3);
        assertThat(model.findValuesAsText("name")).containsExactlyInAnyOrder(FIRST, "ChurnTrainFlow/1796479752057756", LAST_TRAIN);
        assertThat(model.findValuesAsText("kind")).containsOnly("MODEL");
        JsonNode inputs = catalog.query("""
                { train: run(namespace: "growth", name: "ChurnTrainFlow/1796479748864319") { inputs { uri kind } }
                  score: run(namespace: "growth", name: "ChurnScoreFlow/1796479761339103") { inputs { uri kind } } }""");
        assertThat(inputs.path("train").path("inputs").toString())
                .contains("{\"uri\":\"s3://acme-lake/churn/customers/2026-11-30.parquet\",\"kind\":\"DATASET\"}");
        assertThat(inputs.path("score").path("inputs").findValuesAsText("uri")).containsExactly("s3://acme-lake/churn/customers/2026-12-01.parquet");
        assertThat(catalog.count("select count(*) from artifact where kind = 'DATASET' and uri like '%predictions%'")).isEqualTo(1);
    }

    private static String id(String runName) {
        return catalog.query("query($n: String!) { run(namespace: \"growth\", name: $n) { id } }", Map.of("n", runName))
                .path("run").path("id").asText();
    }

    @Test
    void aSecondPollWritesNothingNew() {
        Map<String, Long> before = catalog.rowCounts();
        PollOutcome again = catalog.poll("churn-metaflow");
        assertThat(again.ok()).isTrue();
        assertThat(catalog.rowCounts()).isEqualTo(before);
        assertThat(catalog.status("churn-metaflow").path("checkpoint").toString())
                .contains("\"after\":\"1796479757975798\"").contains("\"after\":\"1796479761339103\"");
    }
}
