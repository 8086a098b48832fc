package io.mlcatalog.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.testkit.testplugin.Controls;
import io.mlcatalog.testkit.testplugin.CountingSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scheduled catalog polls its sources by itself, each on a worker thread of its own: one that keeps
 * failing or hanging is retried with backoff and reported, and stops neither the others nor the server.
 */
class SchedulingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void sourcesArePolledOnTheirSchedulesAndAFailingOrHangingOneStopsNothing() {
        try (TestingCatalog catalog = TestingCatalog.builder()
                .instance("steady", CountingSource.TYPE, Map.of("count", "5", "perPoll", "1", "namespace", "steady"),
                        Map.of("schedule", "200ms"))
                .instance("broken", CountingSource.TYPE, Map.of("count", "5", "failPolls", "1000000", "namespace", "broken"),
                        Map.of("schedule", "200ms"))
                .instance("stuck", CountingSource.TYPE, Map.of("count", "5", "hangPolls", "1000000", "namespace", "stuck"),
                        Map.of("schedule", "200ms", "timeout", "1s"))
                .instance("recovering", CountingSource.TYPE, Map.of("count", "3", "failPolls", "2", "namespace", "recovering"),
                        Map.of("schedule", "10m"))
                .scheduled()
                .start()) {

            // one object per poll: five polls nobody asked for
            JsonNode steady = catalog.awaitStatus("steady", s -> s.path("recordsWritten").asLong() == 5, WAIT);
            assertThat(steady.path("status").asText()).isEqualTo("OK");
            assertThat(steady.path("checkpoint").path(0).path("offset").path("position").asText()).isEqualTo("5");
            assertThat(Controls.of("steady").pollThread.get()).startsWith("plugin-steady-poll");

            // failed twice, then retried after 1 s and 2 s of backoff: long before its 10-minute schedule
            JsonNode recovering = catalog.awaitStatus("recovering", s -> s.path("status").asText().equals("OK"), WAIT);
            assertThat(recovering.path("recordsWritten").asLong()).isEqualTo(3);
            assertThat(Controls.of("recovering").polls.get()).isEqualTo(3);

            JsonNode broken = catalog.awaitStatus("broken", s -> s.path("status").asText().equals("FAILING"), WAIT);
            assertThat(broken.path("lastError").asText()).contains("the bucket is unreachable");
            assertThat(Controls.of("broken").polls.get()).isGreaterThan(1);

            JsonNode stuck = catalog.awaitStatus("stuck", s -> s.path("lastError").asText().contains("timed out"), WAIT);
            assertThat(stuck.path("status").asText()).isEqualTo("FAILING");
            assertThat(catalog.count("select count(*) from artifact where namespace in ('broken', 'stuck')")).isZero();

            // and the server answers while they fail
            assertThat(catalog.query("{ artifacts(filter: {namespace: \"steady\"}) { totalCount } }")
                    .path("artifacts").path("totalCount").asInt()).isEqualTo(5);
        }
    }
}
