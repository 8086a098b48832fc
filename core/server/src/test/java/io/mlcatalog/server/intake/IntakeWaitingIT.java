package io.mlcatalog.server.intake;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** What the intake gauges report: the requests waiting to be written, not the refused ones kept for the operator. */
class IntakeWaitingIT {
    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static void stored(String receivedAt, String refused) {
        catalog.count("with i as (insert into intake_queue (instance, received_at, method, path, query, headers, body, refused) "
                + "values ('gone', '" + receivedAt + "', 'POST', '/ingest/gone', '{}', '{}', '\\x7b7d'::bytea, "
                + (refused == null ? "null" : "'" + refused + "'") + ") returning 1) select count(*) from i");
    }

    @Test
    void aRefusedRequestWaitsForNothing() throws Exception {
        IntakeQueue queue = new IntakeQueue(catalog.server().db());
        assertThat(Db.await(queue.waiting())).isEqualTo(new IntakeQueue.Waiting(0, null));

        stored("2026-01-01T00:00:00Z", "not an OpenLineage event");
        stored("2026-03-01T00:00:00Z", null);
        IntakeQueue.Waiting waiting = Db.await(queue.waiting());
        assertThat(waiting.requests()).isEqualTo(1);
        assertThat(waiting.oldest()).isEqualTo(OffsetDateTime.of(2026, 3, 1, 0, 0, 0, 0, ZoneOffset.UTC));
    }
}
