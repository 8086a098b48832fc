package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static io.mlcatalog.plugins.mlflow.MlflowScenario.CHILD_1;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.COMMIT;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.CUSTOMERS;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.HOLDOUT;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.LEGACY;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.LOGGED_MODEL;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.REPO;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.RUNNING;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.SWEEP;
import static org.assertj.core.api.Assertions.assertThat;

/** The same MLflow, read from its SQL store, its file store and its REST API, gives the same catalog. */
class MlflowCatalogIT {
    static final String RUN = """
            query($name: String!) { run(namespace: "growth", name: $name) { name externalId pipeline status startedAt endedAt user params
              metrics tags { key value } parent { name } codeVersion { repository commit branches }
              inputs { uri digest kind } outputs { uri kind } modelVersions { version } facets } }""";
    static final String MODEL = """
            query($at: DateTime) { model(namespace: "growth", name: "churn-classifier") {
              versions(first: 10) { edges { node { version createdAt tags { key value } artifact { uri kind } run { name status } } } }
              aliases(asOf: $at) { name since until modelVersion { version } } } }""";

    @TempDir
    Path dir;
    MlflowStores mlflow;
    TestingCatalog catalog;

    @AfterEach
    void stop() {
        if (catalog != null) {
            catalog.close();
        }
        if (mlflow != null) {
            mlflow.close();
        }
    }

    private void start(MlflowStores.Kind kind) throws Exception {
        mlflow = new MlflowStores(kind, MlflowScenario.churn(), dir);
        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings()).start();
    }

    private PollOutcome poll() {
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
        assertThat(outcome.problems()).isEmpty();
        return outcome;
    }

    private JsonNode run(String name) {
        return catalog.query(RUN, Map.of("name", name)).path("run");
    }

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void runsWithTheirCodeDataAndModelsAsMlflowHasThem(MlflowStores.Kind kind) throws Exception {
        start(kind);
        poll();

        // the sweep, its two children, the MLflow 2 run and the one still running; not the deleted run nor the deleted experiment's
        assertThat(catalog.strings("select name from run where namespace = 'growth' order by name"))
                .containsExactly(SWEEP, CHILD_1, MlflowScenario.CHILD_2, LEGACY, RUNNING);

        JsonNode child = run(CHILD_1);
        assertThat(child.path("externalId").asText()).isEqualTo(CHILD_1);
        assertThat(child.path("pipeline").asText()).isEqualTo("churn-training");
        assertThat(child.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(child.path("user").asText()).isEqualTo("alice");
        assertThat(Instant.parse(child.path("startedAt").asText()).toEpochMilli()).isEqualTo(MlflowScenario.T0 + 1_000);
        assertThat(Instant.parse(child.path("endedAt").asText()).toEpochMilli()).isEqualTo(MlflowScenario.T0 + 300_000);
        assertThat(child.path("params").path("learning_rate").asText()).isEqualTo("0.05"); // MLflow's params are text
        assertThat(child.path("params").path("max_depth").asText()).isEqualTo("7");
        assertThat(child.path("params").size()).isEqualTo(2);
        // the latest value by step, not the last written; NaN is no JSON number, so it is said in the facet
        assertThat(child.path("metrics").toString()).isEqualTo("{\"auc\":0.893}");
        JsonNode facet = child.path("facets").path("mlflowRun");
        assertThat(facet.path("notFiniteMetrics").toString()).isEqualTo("{\"calibration\":\"NaN\"}");
        assertThat(facet.path("runName").asText()).isEqualTo("lr-0.05");
        assertThat(facet.path("artifactUri").asText()).isEqualTo("s3://acme-mlflow/1/" + CHILD_1 + "/artifacts");
        assertThat(facet.path("description").asText()).isEqualTo("the learning rate we shipped");
        assertThat(facet.path("datasets").findValuesAsText("context")).containsExactly("training", "eval");
        assertThat(child.path("tags").toString()).contains("{\"key\":\"mlflow.runName\",\"value\":\"lr-0.05\"}")
                .contains("{\"key\":\"mlflow.parentRunId\",\"value\":\"" + SWEEP + "\"}").doesNotContain("mlflow.note.content");
        assertThat(child.path("parent").path("name").asText()).isEqualTo(SWEEP);
        assertThat(child.path("codeVersion").path("repository").asText()).isEqualTo(REPO);
        assertThat(child.path("codeVersion").path("commit").asText()).isEqualTo(COMMIT);
        assertThat(child.path("inputs").toString()).contains("{\"uri\":\"" + CUSTOMERS + "\",\"digest\":\"mlflow-dataset:d7c5e1a2\",\"kind\":\"DATASET\"}")
                .contains("{\"uri\":\"" + HOLDOUT + "\",\"digest\":\"mlflow-dataset:0b9e44f1\",\"kind\":\"DATASET\"}");
        String loggedModel = "s3://acme-mlflow/1/models/" + LOGGED_MODEL + "/artifacts";
        assertThat(child.path("outputs").toString()).isEqualTo("[{\"uri\":\"" + loggedModel + "\",\"kind\":\"MODEL\"}]");
        assertThat(child.path("modelVersions").findValuesAsText("version")).containsExactly("2");

        JsonNode sweep = run(SWEEP);
        assertThat(sweep.path("codeVersion").path("branches").toString()).isEqualTo("[\"main\"]");
        assertThat(run(MlflowScenario.CHILD_2).path("status").asText()).isEqualTo("FAILED");
        JsonNode running = run(RUNNING);
        assertThat(running.path("status").asText()).isEqualTo("RUNNING");
        assertThat(running.path("endedAt").isNull()).isTrue();

        // MLflow 2: the model a run logged is in its log-model history, at its artifact path; the old tag names the repository
        JsonNode legacy = run(LEGACY);
        String legacyModel = "s3://acme-mlflow/1/" + LEGACY + "/artifacts/model";
        assertThat(legacy.path("outputs").toString()).isEqualTo("[{\"uri\":\"" + legacyModel + "\",\"kind\":\"MODEL\"}]");
        assertThat(legacy.path("codeVersion").path("commit").asText()).isEqualTo(MlflowScenario.OLD_COMMIT);
        assertThat(legacy.path("tags").toString()).doesNotContain("mlflow.log-model.history");

        JsonNode model = catalog.query(MODEL, Map.of()).path("model");
        JsonNode versions = model.path("versions").path("edges");
        assertThat(versions.findValuesAsText("version")).containsExactly("2", "1"); // not the deleted version 3
        JsonNode v1 = versions.path(1).path("node");
        assertThat(v1.path("artifact").path("uri").asText()).isEqualTo(legacyModel); // the same artifact as the run's output
        assertThat(v1.path("run").path("name").asText()).isEqualTo(LEGACY);
        assertThat(v1.path("tags").toString()).contains("{\"key\":\"mlflow.stage\",\"value\":\"Production\"}")
                .contains("{\"key\":\"validated\",\"value\":\"true\"}");
        assertThat(Instant.parse(v1.path("createdAt").asText()).toEpochMilli()).isEqualTo(MlflowScenario.T0 - 85_000_000);
        JsonNode v2 = versions.path(0).path("node");
        assertThat(v2.path("artifact").path("uri").asText()).isEqualTo(loggedModel);
        assertThat(v2.path("run").path("name").asText()).isEqualTo(CHILD_1);
        assertThat(model.path("aliases").toString())
                .contains("\"name\":\"champion\"").contains("\"name\":\"production\"");
        assertThat(aliases(model)).isEqualTo(Map.of("champion", "2", "production", "1"));
        // MLflow's prompts are registered models too; they are no model of the catalog
        assertThat(catalog.count("select count(*) from model where name = 'summarize-prompt'")).isZero();

        Map<String, Long> before = catalog.rowCounts();
        poll();
        assertThat(catalog.rowCounts()).isEqualTo(before);
        // the polls are counted in the catalog's metrics
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(catalog.url("/metrics"))).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("mlcatalog_plugin_polls_total{instance=\"mlflow\",outcome=\"ok\",} 2.0")
                .containsPattern("mlcatalog_plugin_records_total\\{instance=\"mlflow\",result=\"written\",} [1-9]");
    }

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void whatChangedInMlflowIsReadOnTheNextPollAndAliasesKeepTheirHistory(MlflowStores.Kind kind) throws Exception {
        start(kind);
        poll();
        Instant between = Instant.now();
        mlflow.scenario.nextDay();
        mlflow.write();
        poll();

        JsonNode nightly = run(RUNNING);
        assertThat(nightly.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(nightly.path("endedAt").asText()).toEpochMilli()).isEqualTo(MlflowScenario.T0 + 7_200_000);
        assertThat(nightly.path("metrics").toString()).isEqualTo("{\"auc\":0.9}");

        JsonNode model = catalog.query(MODEL, Map.of()).path("model");
        JsonNode v4 = model.path("versions").path("edges").path(0).path("node");
        assertThat(v4.path("version").asText()).isEqualTo("4");
        // registered from runs:/<run>/model: the model files under that run's artifact URI
        assertThat(v4.path("artifact").path("uri").asText()).isEqualTo("s3://acme-mlflow/1/aaaa0000aaaa0000aaaa0000aaaa0000/artifacts/model");
        assertThat(v4.path("run").path("name").asText()).isEqualTo("aaaa0000aaaa0000aaaa0000aaaa0000");
        assertThat(aliases(model)).isEqualTo(Map.of("production", "2"));
        JsonNode then = catalog.query(MODEL, Map.of("at", between.toString())).path("model");
        assertThat(aliases(then)).isEqualTo(Map.of("champion", "2", "production", "1"));
        // a model registered with no version yet does not stop the poll (what came with it above was read); the catalog
        // knows a model by its versions, so it comes with its first
        assertThat(catalog.query("{ model(namespace: \"growth\", name: \"fraud-ranker\") { name } }", Map.of()).path("model").isNull())
                .isTrue();

        Map<String, Long> before = catalog.rowCounts();
        poll();
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    static Map<String, String> aliases(JsonNode model) {
        Map<String, String> aliases = new java.util.TreeMap<>();
        model.path("aliases").forEach(a -> aliases.put(a.path("name").asText(), a.path("modelVersion").path("version").asText()));
        return aliases;
    }
}
