package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.mlcatalog.plugins.mlflow.MlflowScenario.CHILD_1;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.SWEEP;
import static io.mlcatalog.plugins.mlflow.MlflowScenario.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** How each poll goes on from the last, in each of MLflow's three forms: what is read again, what is not, and why. */
class MlflowIncrementalIT {
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

    private void start(MlflowStores.Kind kind, Object... settings) throws Exception {
        mlflow = new MlflowStores(kind, MlflowScenario.churn(), dir);
        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings(settings)).start();
    }

    private PollOutcome poll() {
        PollOutcome outcome = catalog.poll("mlflow");
        assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
        return outcome;
    }

    private long runs() {
        return catalog.count("select count(*) from run where namespace = 'growth'");
    }

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void aBacklogIsReadARunAtATimeEvenWhenRunsStartedInTheSameMillisecond(MlflowStores.Kind kind) throws Exception {
        start(kind, "maxRunsPerPoll", 1);
        // two more runs that started in the very millisecond the sweep did
        mlflow.scenario.addRun("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a0", "1", "twin-0", "dan", "FINISHED", T0, T0 + 10);
        mlflow.scenario.addRun("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a2", "1", "twin-2", "dan", "FINISHED", T0, T0 + 10);
        mlflow.write();
        for (int poll = 1; poll <= 7; poll++) {
            poll();
            assertThat(runs()).as("after poll " + poll).isEqualTo(poll);
        }
        assertThat(catalog.strings("select p.name from run r join run p on p.id = r.parent_id order by r.name")).containsExactly(SWEEP, SWEEP);
        Map<String, Long> before = catalog.rowCounts();
        poll();
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void aRunCreatedLateWithAnEarlierStartTimeIsReadWithinTheLookBack(MlflowStores.Kind kind) throws Exception {
        start(kind);
        poll();
        // a client whose clock is 20 minutes behind creates a run after the poll; another one, 2 hours behind
        mlflow.scenario.addRun("aaaa1111aaaa1111aaaa1111aaaa1111", "1", "slow-clock", "erin", "FINISHED", T0 + 3_600_000 - 1_200_000, T0 + 3_700_000);
        mlflow.scenario.addRun("aaaa2222aaaa2222aaaa2222aaaa2222", "1", "very-slow-clock", "erin", "FINISHED", T0 - 3_600_000, T0);
        mlflow.write();
        poll();
        assertThat(catalog.strings("select name from run where name like 'aaaa%'")).containsExactly("aaaa1111aaaa1111aaaa1111aaaa1111");
    }

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void aRunThatNeverEndsIsNoLongerReadAgainOnceStale(MlflowStores.Kind kind) throws Exception {
        start(kind, "staleAfter", "1h");
        poll();
        // the nightly run started in 2026, long before this test's now: it is written once, RUNNING, and not read again
        assertThat(catalog.strings("select status from run where name = '" + MlflowScenario.RUNNING + "'")).containsExactly("RUNNING");
        assertThat(catalog.status("mlflow").path("checkpoint").toString()).contains("\"pending\":\"\"");
    }

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void aTagSetOnAVersionLaterIsReadThoughMlflowDoesNotTouchItsUpdateTime(MlflowStores.Kind kind) throws Exception {
        start(kind);
        poll();
        MlflowScenario.Version v2 = mlflow.scenario.versions.get(1);
        mlflow.scenario.versions.set(1, new MlflowScenario.Version(v2.model(), v2.version(), v2.created(), v2.updated(), v2.description(),
                v2.stage(), v2.source(), v2.storageLocation(), v2.runId(), v2.status(), Map.of("validation_status", "approved")));
        mlflow.write();
        PollOutcome outcome = poll();
        assertThat(outcome.emitted()).isEqualTo(Map.of("ModelVersionRecord", 1));
        JsonNode tags = catalog.query("""
                { modelVersion(namespace: "growth", model: "churn-classifier", version: "2") { tags { key value } } }""")
                .path("modelVersion").path("tags");
        assertThat(tags.toString()).contains("{\"key\":\"validation_status\",\"value\":\"approved\"}");
    }

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void aParentInAnExperimentNotReadIsReadByItsId(MlflowStores.Kind kind) throws Exception {
        MlflowScenario s = MlflowScenario.churn();
        s.experiments.add(new MlflowScenario.Experiment("3", "sweeps", "s3://acme-mlflow/3", "active"));
        s.run(SWEEP).experimentId = "3";
        mlflow = new MlflowStores(kind, s, dir);
        catalog = TestingCatalog.builder().instance("mlflow", "mlflow", mlflow.settings("experiments", List.of("churn-training"))).start();
        if (kind == MlflowStores.Kind.REST) {
            mlflow.rest().runsGetFails = true;
            PollOutcome outcome = poll();
            assertThat(outcome.problems()).anyMatch(p -> p.contains("its parent run " + SWEEP + " not read"));
            assertThat(catalog.strings("select name from run where parent_id is not null")).isEmpty();
            mlflow.rest().runsGetFails = false;
        }
        poll();
        assertThat(catalog.strings("select r.name || ' ' || p.name || ' ' || p.pipeline from run r join run p on p.id = r.parent_id "
                + "where r.name = '" + CHILD_1 + "'")).containsExactly(CHILD_1 + " " + SWEEP + " sweeps");
    }
}
