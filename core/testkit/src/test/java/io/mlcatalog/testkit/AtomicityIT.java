package io.mlcatalog.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.testplugin.CountingSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An invalid record, whether the record's own checks or the database refuse it: an ALL_OR_NOTHING
 * source's poll writes nothing and keeps its checkpoint; a PER_RECORD source's writes the rest, and the
 * status says what was rejected and why.
 */
class AtomicityIT {
    private static TestingCatalog catalog;

    @BeforeAll
    static void start() {
        TestingCatalog.Builder builder = TestingCatalog.builder();
        for (String bad : List.of("digest", "unknown-run", "unknown-deployment")) {
            for (String atomicity : List.of("ALL_OR_NOTHING", "PER_RECORD")) {
                String name = name(bad, atomicity);
                builder.instance(name, CountingSource.TYPE, Map.of("count", "3", "invalid", List.of("2:" + bad), "atomicity", atomicity,
                        "namespace", name));
            }
        }
        catalog = builder.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static String name(String bad, String atomicity) {
        return bad + "-" + atomicity.toLowerCase().replace('_', '-');
    }

    @ParameterizedTest
    @CsvSource({
            "digest,             unknown digest format 'sha256:not-a-digest'",
            "unknown-run,        no run with id",
            "unknown-deployment, no model named 'no-such-model'"})
    void allOrNothingWritesNothingAndKeepsTheCheckpoint(String bad, String reason) {
        String instance = name(bad, "ALL_OR_NOTHING");
        Map<String, Long> rows = catalog.rowCounts();

        PollOutcome outcome = catalog.poll(instance);

        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.written()).isZero();
        assertThat(outcome.error()).contains("record 1").contains(reason);
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        JsonNode status = catalog.status(instance);
        assertThat(status.path("status").asText()).isEqualTo("FAILING");
        assertThat(status.path("lastError").asText()).contains("nothing written").contains("record 1").contains(reason);
        assertThat(status.path("recordsWritten").asLong()).isZero();
        assertThat(status.path("checkpoint")).isEmpty();
        assertThat(uris(instance)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "digest,             unknown digest format 'sha256:not-a-digest'",
            "unknown-run,        no run with id",
            "unknown-deployment, no model named 'no-such-model'"})
    void perRecordWritesTheValidOnesAndRejectsTheInvalidOneWithItsReason(String bad, String reason) {
        String instance = name(bad, "PER_RECORD");

        PollOutcome outcome = catalog.poll(instance);

        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.written()).isEqualTo(2);
        assertThat(outcome.rejected()).singleElement().asString().contains("record 1").contains(reason);
        assertThat(uris(instance)).containsExactlyInAnyOrder(CountingSource.uri(instance, 1), CountingSource.uri(instance, 3));
        JsonNode status = catalog.status(instance);
        assertThat(status.path("status").asText()).isEqualTo("OK");
        assertThat(status.path("recordsWritten").asLong()).isEqualTo(2);
        assertThat(status.path("recordsRejected").asLong()).isEqualTo(1);
        assertThat(status.path("lastError").asText()).contains("record 1").contains(reason);
        assertThat(status.path("checkpoint").path(0).path("offset").path("position").asText()).isEqualTo("3");

        Map<String, Long> rows = catalog.rowCounts();
        assertThat(catalog.poll(instance).written()).isZero();
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    private static List<String> uris(String namespace) {
        JsonNode data = catalog.query("""
                query($ns: String) { artifacts(filter: {namespace: $ns}, first: 100) { edges { node { uri } } } }""",
                Map.of("ns", namespace));
        List<String> uris = new ArrayList<>();
        data.path("artifacts").path("edges").forEach(e -> uris.add(e.path("node").path("uri").asText()));
        return uris;
    }
}
