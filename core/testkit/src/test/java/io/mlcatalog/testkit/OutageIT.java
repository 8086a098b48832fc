package io.mlcatalog.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.testplugin.CountingSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL fails while a poll's batch is being written: the records already sent in that transaction
 * are lost with it, the checkpoint stays where it was, and the next poll writes everything exactly once.
 */
class OutageIT {
    private static final String WAITING_ON_LOCK = """
            select pid from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'""";

    @Test
    void aConnectionLostMidBatchLosesNothingAndTheNextPollResumesFromTheCommittedCheckpoint() throws Exception {
        try (TestingCatalog catalog = TestingCatalog.builder()
                .instance("outage", CountingSource.TYPE, Map.of("count", "5", "perPoll", "3", "namespace", "outage"))
                .start()) {
            assertThat(catalog.poll("outage").written()).isEqualTo(3);
            Map<String, Long> rows = catalog.rowCounts();

            PollOutcome failed;
            try (Connection blocker = catalog.connect(); Statement lock = blocker.createStatement();
                 Connection observer = catalog.connect(); Statement s = observer.createStatement()) {
                // let the batch write its records, then stop it at its checkpoint, inside its transaction
                blocker.setAutoCommit(false);
                lock.execute("lock table plugin_checkpoint in share mode");
                CompletableFuture<PollOutcome> poll = CompletableFuture.supplyAsync(() -> catalog.poll("outage"));
                int writer = awaitBackendWaitingOnLock(s, Duration.ofSeconds(30));
                // what an outage does to the batch's connection: PostgreSQL ends it mid-transaction
                try (ResultSet rs = s.executeQuery("select pg_terminate_backend(" + writer + ")")) {
                    assertThat(rs.next() && rs.getBoolean(1)).isTrue();
                }
                blocker.rollback();
                failed = poll.get(60, TimeUnit.SECONDS);
            }

            assertThat(failed.ok()).isFalse();
            assertThat(failed.error()).startsWith("writing the batch failed");
            assertThat(catalog.rowCounts()).isEqualTo(rows);
            JsonNode status = catalog.status("outage");
            assertThat(status.path("status").asText()).isEqualTo("FAILING");
            assertThat(status.path("lastError").asText()).startsWith("writing the batch failed");
            assertThat(status.path("recordsWritten").asLong()).isEqualTo(3);
            assertThat(status.path("checkpoint").path(0).path("offset").path("position").asText()).isEqualTo("3");

            PollOutcome resumed = catalog.poll("outage");

            assertThat(resumed.ok()).as(String.valueOf(resumed.error())).isTrue();
            assertThat(resumed.written()).isEqualTo(2);
            assertThat(catalog.count("select count(*) from artifact where namespace = 'outage'")).isEqualTo(5);
            assertThat(catalog.count("select count(*) from change_log where action = 'CREATED' and entity_type = 'artifact'"))
                    .isEqualTo(5);
            assertThat(catalog.status("outage").path("status").asText()).isEqualTo("OK");
            assertThat(catalog.status("outage").path("recordsWritten").asLong()).isEqualTo(5);
            assertThat(catalog.status("outage").path("checkpoint").path(0).path("offset").path("position").asText()).isEqualTo("5");
        }
    }

    @Test
    void afterEveryConnectionOfTheCatalogIsEndedTheNextPollsStillWrite() {
        try (TestingCatalog catalog = TestingCatalog.builder()
                .instance("reconnect", CountingSource.TYPE, Map.of("count", "4", "perPoll", "2", "namespace", "reconnect"))
                .start()) {
            assertThat(catalog.poll("reconnect").written()).isEqualTo(2);
            long ended = catalog.count("""
                    select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid()) t""");
            assertThat(ended).isPositive();

            // each connection the pool has not yet seen die may fail one poll (as the scheduler's retries would
            // meet them); the pool holds 4, so the fifth poll at the latest reaches PostgreSQL again
            PollOutcome next = catalog.poll("reconnect");
            for (int retry = 0; retry < 4 && !next.ok(); retry++) {
                next = catalog.poll("reconnect");
            }
            assertThat(next.ok()).as(String.valueOf(next.error())).isTrue();
            assertThat(next.written()).isEqualTo(2);
            assertThat(catalog.count("select count(*) from artifact where namespace = 'reconnect'")).isEqualTo(4);
        }
    }

    /** Observed from a connection of its own: within a transaction, pg_stat_activity is a snapshot. */
    private static int awaitBackendWaitingOnLock(Statement s, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (ResultSet rs = s.executeQuery(WAITING_ON_LOCK)) {
                if (rs.next()) {
                    return rs.getInt(1);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no connection of the catalog came to wait on the lock within " + timeout);
    }
}
