package io.mlcatalog.plugins.mlflow;

import io.mlcatalog.server.plugin.PluginConfigError;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.mlcatalog.plugins.mlflow.MlflowScenario.CHILD_1;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.LEGACY;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.SWEEP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the plugin does with an MLflow it cannot read whole: a damaged file, a server that refuses, a listing that loops,
 * a database that is not MLflow's. The part it cannot read is named; the rest is written; nothing is written twice.
 */
class MlflowBadInputIT {
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

    private TestingCatalog start(MlflowStores.Kind kind, Object... settings) throws Exception {
        mlflow = new MlflowStores(kind, MlflowScenario.churn(), dir);
        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings(settings)).start();
        return catalog;
    }

    private long runs() {
        return catalog.count("select count(*) from run where namespace = 'growth'");
    }

    @Test
    void aTruncatedRunFileIsNamedTheOtherRunsAreWrittenAndTheRunIsReadOnceMended() throws Exception {
        start(MlflowStores.Kind.FILES);
        Path meta = mlflow.root().resolve("1").resolve(CHILD_1).resolve("meta.yaml");
        String whole = Files.readString(meta);
        Files.writeString(meta, whole.substring(0, whole.indexOf("run_name")) + "run_name: \"lr-0"); // cut short, as by a full disk

        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).singleElement().asString().contains("run " + CHILD_1).contains(meta.toString())
                .contains("not readable YAML");
        assertThat(catalog.status("mlflow").path("lastError").asText()).contains(meta.toString());
        assertThat(catalog.strings("select name from run where namespace = 'growth'")).contains(SWEEP).doesNotContain(CHILD_1);
        // its model version is registered all the same, waiting for its run
        assertThat(catalog.count("select count(*) from model_version")).isEqualTo(2);

        // still damaged: read again on the next poll, and named once, not once for each listing it is in
        assertThat(catalog.poll("mlflow").problems()).singleElement().asString().contains("run " + CHILD_1);

        Files.writeString(meta, whole);
        assertThat(catalog.poll("mlflow").problems()).isEmpty();
        assertThat(catalog.strings("select r.name from model_version v join run r on r.id = v.run_id where v.version = '2'"))
                .containsExactly(CHILD_1);
        assertThat(catalog.strings("select p.name from run r join run p on p.id = r.parent_id where r.name = '" + CHILD_1 + "'"))
                .containsExactly(SWEEP);
        Map<String, Long> before = catalog.rowCounts();
        catalog.poll("mlflow");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aMetricFileWithABadLineNamesTheFileAndLine() throws Exception {
        start(MlflowStores.Kind.FILES);
        Path metric = mlflow.root().resolve("1").resolve(CHILD_1).resolve("metrics").resolve("auc");
        Files.writeString(metric, Files.readString(metric) + "1795000000000 0.9x 2\n");
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).singleElement().asString().contains(metric.toString()).contains("line 4");
        assertThat(runs()).isEqualTo(4);
    }

    @Test
    void aServerThatWantsCredentialsIsToldWhichAndTheTokenIsNeverShown() throws Exception {
        start(MlflowStores.Kind.REST);
        mlflow.rest().token = "s3cr3t-mlflow-token";
        PollOutcome refused = catalog.poll("mlflow");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.error()).contains("401 Unauthorized").contains("POST /api/2.0/mlflow/experiments/search")
                .contains("set token, or username and password");
        assertThat(runs()).isZero();
        catalog.close();

        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings("token", "${env:MLFLOW_TRACKING_TOKEN}"))
                .env(Map.of("MLFLOW_TRACKING_TOKEN", "not-the-token")).start();
        PollOutcome wrong = catalog.poll("mlflow");
        assertThat(wrong.error()).contains("401 Unauthorized").contains("refused the credentials (Bearer ***)").doesNotContain("not-the-token");
        catalog.close();

        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings("token", "${env:MLFLOW_TRACKING_TOKEN}"))
                .env(Map.of("MLFLOW_TRACKING_TOKEN", "s3cr3t-mlflow-token")).start();
        assertThat(catalog.poll("mlflow").ok()).isTrue();
        assertThat(runs()).isEqualTo(5);
        assertThat(catalog.status("mlflow").toString()).doesNotContain("s3cr3t-mlflow-token");
    }

    @Test
    void aRunListingThatLoopsIsStoppedAndNamedAndTheRegistryIsStillWritten() throws Exception {
        start(MlflowStores.Kind.REST);
        mlflow.rest().loopingExperiment = "1";
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).singleElement().asString().contains("experiment churn-training (1)")
                .contains("page token 'eyJvZmZzZXQiOiAxfQ==' twice to POST /api/2.0/mlflow/runs/search (experiment 1)");
        assertThat(runs()).isZero();
        assertThat(catalog.count("select count(*) from model_version")).isEqualTo(2); // waiting for their runs
        // the experiment's checkpoint did not move: once MLflow pages properly, everything is read, once
        mlflow.rest().loopingExperiment = null;
        assertThat(catalog.poll("mlflow").problems()).isEmpty();
        assertThat(runs()).isEqualTo(5);
        assertThat(catalog.count("select count(*) from model_version where run_id is not null")).isEqualTo(2);
        Map<String, Long> before = catalog.rowCounts();
        catalog.poll("mlflow");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aRegistryTheCredentialsMayNotReadLeavesTheRunsWritten() throws Exception {
        start(MlflowStores.Kind.REST);
        mlflow.rest().registryForbidden = true;
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).singleElement().asString().contains("model registry not read")
                .contains("403 Forbidden to GET /api/2.0/mlflow/registered-models/search").contains("Permission denied");
        assertThat(runs()).isEqualTo(5);
        assertThat(catalog.count("select count(*) from model_version")).isZero();
        mlflow.rest().registryForbidden = false;
        catalog.poll("mlflow");
        assertThat(catalog.count("select count(*) from model_version")).isEqualTo(2);
    }

    @Test
    void anMlflowBefore3HasNoLoggedModelsAndIsReadAllTheSame() throws Exception {
        start(MlflowStores.Kind.REST);
        mlflow.rest().before3 = true;
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).isEmpty();
        assertThat(runs()).isEqualTo(5);
        assertThat(catalog.count("select count(*) from artifact where uri like 's3://%/models/m-%'")).isZero();
        // a version whose source names a logged model the server does not know keeps that source as its artifact's URI
        assertThat(catalog.strings("select a.uri from model_version v join artifact a on a.id = v.artifact_id where v.version = '2'"))
                .containsExactly("models:/" + MlflowScenario.LOGGED_MODEL);
    }

    @Test
    void aDatabaseThatIsMissingOrNotMlflowsIsSaidSo() throws Exception {
        start(MlflowStores.Kind.SQL);
        Path db = mlflow.root();
        Files.delete(db);
        assertThat(catalog.poll("mlflow").error()).contains("MLflow SQL store " + db + " not found");
        Files.writeString(db, "not a database at all, but long enough to be looked at as one by SQLite's reader.......");
        assertThat(catalog.poll("mlflow").error()).contains("MLflow SQL store " + db);
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("other.db"));
             var s = c.createStatement()) {
            s.execute("create table notes (text varchar)");
        }
        Files.move(dir.resolve("other.db"), db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(catalog.poll("mlflow").error()).contains("is not an MLflow database: it has no experiments and runs tables");
        assertThat(runs()).isZero();
    }

    @Test
    void aDatabaseWithWorkspacesIsReadInTheConfiguredOne() throws Exception {
        start(MlflowStores.Kind.SQL);
        SqlStoreFixture.write(mlflow.scenario, mlflow.root(), true);
        assertThat(catalog.poll("mlflow").ok()).isTrue();
        assertThat(runs()).isEqualTo(5);
        catalog.close();
        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings("workspace", "research")).start();
        assertThat(catalog.poll("mlflow").ok()).isTrue();
        assertThat(catalog.count("select count(*) from model_version")).isZero();
        assertThat(runs()).isZero();
    }

    @Test
    void aLargeBacklogIsReadOverSeveralPollsOldestFirstAndEndsAsInOne() throws Exception {
        start(MlflowStores.Kind.SQL, "maxRunsPerPoll", 2);
        catalog.poll("mlflow");
        assertThat(runs()).isEqualTo(2);
        for (int i = 0; i < 3; i++) {
            assertThat(catalog.poll("mlflow").problems()).isEmpty();
        }
        assertThat(runs()).isEqualTo(5);
        assertThat(catalog.strings("select p.name from run r join run p on p.id = r.parent_id order by r.name")).containsExactly(SWEEP, SWEEP);
    }

    @Test
    void settingsThatCannotWorkStopTheStartNamingTheKey() {
        assertThatThrownBy(() -> TestingCatalog.builder().instance("mlflow", "mlflow",
                Map.of("trackingUri", "postgresql://mlflow@db/mlflow")).start())
                .isInstanceOf(PluginConfigError.class).hasMessageContaining("trackingUri")
                .hasMessageContaining("read through the MLflow server in front of them");
        assertThatThrownBy(() -> TestingCatalog.builder().instance("mlflow", "mlflow",
                Map.of("trackingUri", "http://mlflow:5000", "token", "t", "username", "u", "password", "p")).start())
                .isInstanceOf(PluginConfigError.class).hasMessageContaining("token");
        assertThatThrownBy(() -> TestingCatalog.builder().instance("mlflow", "mlflow",
                Map.of("trackingUri", "http://mlflow:5000", "username", "u")).start())
                .isInstanceOf(PluginConfigError.class).hasMessageContaining("password");
        assertThatThrownBy(() -> TestingCatalog.builder().instance("mlflow", "mlflow",
                Map.of("trackingUri", "sqlite://mlflow.db")).start())
                .isInstanceOf(PluginConfigError.class).hasMessageContaining("sqlite:///relative.db");
    }

    @Test
    void localPathsRelativePathsAndTablesBecomeUrisTheCatalogTakes() throws Exception {
        MlflowScenario s = MlflowScenario.churn();
        // MLflow's SQL store keeps a local artifact root as a bare absolute path
        s.experiments.set(1, new MlflowScenario.Experiment("1", "churn-training", "/home/alice/churn project/mlruns/1", "active"));
        MlflowScenario.Run child = s.run(CHILD_1);
        child.datasets.clear();
        child.datasets.add(new MlflowScenario.Dataset("train", "aa11bb22", "local", "{\"uri\": \"data/train.csv\"}", null, null, "training"));
        child.datasets.add(new MlflowScenario.Dataset("orders", "cc33dd44", "delta_table",
                "{\"delta_table_name\": \"main.sales.orders\", \"delta_table_version\": 12}", null, null, "training"));
        child.tags.put("mlflow.source.git.repoURL", "https://ci-bot:ghp_s3cr3tT0ken@github.com/acme/churn-model.git");
        mlflow = new MlflowStores(MlflowStores.Kind.SQL, s, dir);
        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings()).start();
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.rejected()).isEmpty();
        assertThat(runs()).isEqualTo(5);
        assertThat(catalog.strings("select a.uri from run r join lineage_edge e on e.to_id = r.id join artifact a on a.id = e.from_id "
                + "where r.name = '" + CHILD_1 + "' and e.kind = 'CONSUMED' order by 1")).containsExactly(
                "delta-table:main.sales.orders", "mlflow-dataset://1/train"); // a relative path says nothing of where it is
        assertThat(catalog.strings("select a.uri from run r join lineage_edge e on e.from_id = r.id join artifact a on a.id = e.to_id "
                + "where r.name = '" + LEGACY + "' and e.kind = 'PRODUCED'"))
                .containsExactly("file:///home/alice/churn%20project/mlruns/1/" + LEGACY + "/artifacts/model");
        assertThat(catalog.strings("select distinct repository from code_version")).containsExactly("https://github.com/acme/churn-model");
        assertThat(catalog.rowCounts().toString()).doesNotContain("ghp_s3cr3tT0ken");
        assertThat(catalog.count("select count(*) from tag where value like '%ghp_s3cr3tT0ken%'")).isZero();
    }

    @Test
    void anAliasToAVersionThatCouldNotBeReadStaysAsItWasUntilItCanBe() throws Exception {
        start(MlflowStores.Kind.FILES);
        catalog.poll("mlflow");
        Path meta = mlflow.root().resolve("models/churn-classifier/version-2/meta.yaml");
        String whole = Files.readString(meta);
        mlflow.scenario.model("churn-classifier").aliases.put("production", 2);
        mlflow.write();
        Files.writeString(meta, whole.substring(0, whole.length() / 2) + "\n  - [");
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).anyMatch(p -> p.contains("churn-classifier@production not moved to version 2"))
                .anyMatch(p -> p.contains(meta.toString()));
        assertThat(catalog.strings("select v.version from alias a join model_version v on v.id = a.model_version_id "
                + "where a.name = 'production' and a.until is null")).containsExactly("1");
        Files.writeString(meta, whole);
        assertThat(catalog.poll("mlflow").problems()).isEmpty();
        assertThat(catalog.strings("select v.version from alias a join model_version v on v.id = a.model_version_id "
                + "where a.name = 'production' and a.until is null")).containsExactly("2");
    }

    @Test
    void aTokenWithALineBreakIsTakenWithoutItAndOneThatCannotBeAHeaderIsRefusedUnshown() throws Exception {
        start(MlflowStores.Kind.REST);
        mlflow.rest().token = "s3cr3t";
        catalog.close();
        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings("token", "${env:TOKEN}"))
                .env(Map.of("TOKEN", "s3cr3t\n")).start();
        assertThat(catalog.poll("mlflow").ok()).isTrue();
        catalog.close();
        catalog = null;
        assertThatThrownBy(() -> TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings("token", "${env:TOKEN}"))
                .env(Map.of("TOKEN", "s3cr\u0001t")).start())
                .isInstanceOf(PluginConfigError.class).hasMessageContaining("token").hasMessageNotContaining("s3cr");
    }

    @Test
    void aRedirectIsNotFollowedWithTheCredentials() throws Exception {
        start(MlflowStores.Kind.REST);
        mlflow.rest().redirect = true;
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.error()).contains("answered 302 to POST /api/2.0/mlflow/experiments/search, redirecting to https://login.example.com/")
                .contains("redirects are not followed");
    }
}
