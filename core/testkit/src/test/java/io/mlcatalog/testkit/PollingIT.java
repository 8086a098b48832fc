package io.mlcatalog.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.testplugin.Controls;
import io.mlcatalog.testkit.testplugin.CountingSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A source polled by a real catalog: what lands, with what provenance and checkpoint, and what a failing or hanging poll leaves. */
class PollingIT {
    private static TestingCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder()
                .instance("landing", CountingSource.TYPE, Map.of("count", "3", "namespace", "landing"))
                .instance("replay", CountingSource.TYPE, Map.of("count", "4", "perPoll", "2", "namespace", "replay"))
                .instance("flaky", CountingSource.TYPE, Map.of("count", "3", "failPolls", "1", "namespace", "flaky"))
                .instance("hanging", CountingSource.TYPE, Map.of("count", "3", "hangPolls", "1", "namespace", "hanging"),
                        Map.of("timeout", "1s"))
                .instance("deaf", CountingSource.TYPE, Map.of("count", "3", "hangPolls", "1", "ignoreInterrupts", "true",
                        "namespace", "deaf"), Map.of("timeout", "500ms"))
                .instance("unlinked", CountingSource.TYPE, Map.of("count", "3", "missingClass", "true", "namespace", "unlinked"))
                .start();
    }

    @AfterAll
    static void stop() {
        Controls.of("deaf").release.countDown();
        catalog.close();
    }

    @Test
    void recordsLandWithTheirProvenanceAndTheCheckpointWithThem() {
        PollOutcome outcome = catalog.poll("landing");

        assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
        assertThat(outcome.written()).isEqualTo(3);
        assertThat(outcome.emitted()).isEqualTo(Map.of("ArtifactRecord", 3));
        List<JsonNode> artifacts = artifacts("landing");
        assertThat(artifacts).hasSize(3);
        for (JsonNode a : artifacts) {
            int n = Integer.parseInt(a.path("uri").asText().replaceAll(".*part-(\\d+)\\.parquet", "$1"));
            assertThat(a.path("digest").asText()).startsWith("sha256:");
            assertThat(a.path("assertedBy")).hasSize(1);
            assertThat(a.path("assertedBy").path(0).path("source").asText()).isEqualTo("landing");
            assertThat(a.path("assertedBy").path(0).path("externalId").asText()).isEqualTo("obj-" + n);
        }
        assertThat(catalog.count("select count(*) from plugin_checkpoint where instance = 'landing'"
                + " and partition = '{\"bucket\": \"testkit-bucket\"}' and \"offset\" = '{\"position\": \"3\"}'")).isEqualTo(1);
        JsonNode status = catalog.status("landing");
        assertThat(status.path("type").asText()).isEqualTo(CountingSource.TYPE);
        assertThat(status.path("status").asText()).isEqualTo("OK");
        assertThat(status.path("recordsWritten").asLong()).isEqualTo(3);
        assertThat(status.path("lastSuccessAt").isNull()).isFalse();
        assertThat(status.path("checkpoint").path(0).path("partition").path("bucket").asText()).isEqualTo("testkit-bucket");
        assertThat(status.path("checkpoint").path(0).path("offset").path("position").asText()).isEqualTo("3");
    }

    @Test
    void pollingAgainAndReplayingFromTheBeginningChangeNothing() {
        assertThat(catalog.poll("replay").written()).isEqualTo(2);
        assertThat(catalog.poll("replay").written()).isEqualTo(2);
        Map<String, Long> rows = catalog.rowCounts();
        assertThat(artifacts("replay")).hasSize(4);

        PollOutcome again = catalog.poll("replay");
        assertThat(again.ok()).isTrue();
        assertThat(again.written()).isZero();
        assertThat(catalog.rowCounts()).isEqualTo(rows);

        catalog.resetCheckpoints("replay");
        assertThat(catalog.status("replay").path("checkpoint")).isEmpty();
        assertThat(catalog.poll("replay").written()).isEqualTo(2);
        assertThat(catalog.poll("replay").written()).isEqualTo(2);
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(catalog.status("replay").path("checkpoint").path(0).path("offset").path("position").asText()).isEqualTo("4");
    }

    @Test
    void aThrowingPollWritesNothingAndIsReportedUntilAGoodPoll() {
        Map<String, Long> rows = catalog.rowCounts();

        PollOutcome failed = catalog.poll("flaky");

        assertThat(failed.ok()).isFalse();
        assertThat(failed.error()).contains("the bucket is unreachable (poll 1)");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        JsonNode status = catalog.status("flaky");
        assertThat(status.path("status").asText()).isEqualTo("FAILING");
        assertThat(status.path("lastError").asText()).contains("the bucket is unreachable (poll 1)");
        assertThat(status.path("checkpoint")).isEmpty();

        PollOutcome next = catalog.poll("flaky");
        assertThat(next.ok()).isTrue();
        assertThat(next.written()).isEqualTo(3);
        assertThat(catalog.status("flaky").path("status").asText()).isEqualTo("OK");
        assertThat(artifacts("flaky")).hasSize(3);
    }

    @Test
    void aPollHangingPastItsTimeoutIsAbandonedAndReportedAndTheNextPollWorks() throws Exception {
        Map<String, Long> rows = catalog.rowCounts();

        PollOutcome hung = catalog.poll("hanging");

        assertThat(hung.ok()).isFalse();
        assertThat(hung.error()).contains("timed out after 1 s");
        assertThat(Controls.of("hanging").interrupted.await(10, TimeUnit.SECONDS)).as("the hung poll was interrupted").isTrue();
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        JsonNode status = catalog.status("hanging");
        assertThat(status.path("status").asText()).isEqualTo("FAILING");
        assertThat(status.path("lastError").asText()).contains("timed out");

        PollOutcome next = catalog.poll("hanging");
        assertThat(next.ok()).as(String.valueOf(next.error())).isTrue();
        assertThat(next.written()).isEqualTo(3);
        assertThat(catalog.status("hanging").path("status").asText()).isEqualTo("OK");
    }

    @Test
    void aHungPollThatIgnoresItsInterruptCanWriteNothingWhenItWakesUp() throws Exception {
        assertThat(catalog.poll("deaf").error()).contains("timed out after 500 ms");
        // the abandoned poll still blocks its thread; the next poll runs on a fresh one
        PollOutcome next = catalog.poll("deaf");
        assertThat(next.ok()).as(String.valueOf(next.error())).isTrue();
        assertThat(next.written()).isEqualTo(3);
        Map<String, Long> rows = catalog.rowCounts();

        Controls.of("deaf").release.countDown();
        assertThat(Controls.of("deaf").zombieDone.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(Controls.of("deaf").zombieRefusal.get()).contains("abandoned");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(catalog.status("deaf").path("checkpoint").path(0).path("offset").path("position").asText()).isEqualTo("3");
    }

    @Test
    void aSourceFailingWithAnErrorNotAnExceptionIsReportedLikeAnyFailure() {
        Map<String, Long> rows = catalog.rowCounts();

        PollOutcome outcome = catalog.poll("unlinked");

        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.error()).contains("com/acme/Missing");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(catalog.status("unlinked").path("status").asText()).isEqualTo("FAILING");
        assertThat(catalog.status("unlinked").path("lastError").asText()).contains("com/acme/Missing");
    }

    private static List<JsonNode> artifacts(String namespace) {
        JsonNode data = catalog.query("""
                query($ns: String) { artifacts(filter: {namespace: $ns}, first: 100) {
                  edges { node { uri digest assertedBy { source externalId } } } } }""", Map.of("ns", namespace));
        List<JsonNode> nodes = new ArrayList<>();
        data.path("artifacts").path("edges").forEach(e -> nodes.add(e.path("node")));
        return nodes;
    }
}
