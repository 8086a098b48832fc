package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A receiver configured {@code acknowledge: queued}: an event is answered once stored in the intake queue and
 * written behind, by replaying it. What a client sees in the end is what writing at once leaves; an event is
 * accepted even while the catalog cannot write; bad events are refused at once, nothing stored; a request stored
 * before a start (a crash, another server's) is written; credentials are never stored.
 */
class QueuedIntakeIT {
    private static final String TOKEN = "queued-intake-test-token";
    private static TestingCatalog queued;
    private static LineageHttp http;

    @BeforeAll
    static void start() {
        queued = TestingCatalog.builder()
                .instance("openlineage", "openlineage", Map.of(), Map.of("acknowledge", "queued", "token", TOKEN))
                .start();
        http = new LineageHttp(queued);
    }

    @AfterAll
    static void stop() {
        if (queued != null) {
            queued.close();
        }
    }

    private static HttpResponse<String> post(String body) {
        return http.post(LineageHttp.PATH, "application/json", body.getBytes(StandardCharsets.UTF_8), "Bearer " + TOKEN);
    }

    private static final String JSON_TYPE = "{\"content-type\": [\"application/json\"]}";

    /**
     * Stores a request by hand, as a server that stored and claimed it and then died leaves it: its claim ran out, and
     * no server was told of it.
     */
    private static void storeAsADeadServerLeftIt(String receivedAt, String headers, String body) throws Exception {
        storeAsADeadServerLeftIt(receivedAt, headers, body.getBytes(StandardCharsets.UTF_8), null, null);
    }

    /** As above, the body stored in {@code encoding} (null: as it is), said to be {@code bodyBytes} long as received. */
    private static void storeAsADeadServerLeftIt(String receivedAt, String headers, byte[] body, String encoding, Integer bodyBytes)
            throws Exception {
        try (Connection c = queued.connect(); PreparedStatement s = c.prepareStatement("""
                insert into intake_queue (instance, received_at, method, path, query, headers, body, body_encoding, body_bytes,
                                          claimed_by, claimed_until)
                values ('openlineage', ?::timestamptz, 'POST', '/', '{}', ?::jsonb, ?, ?, ?, gen_random_uuid(), now() - interval '1 second')""")) {
            s.setString(1, receivedAt);
            s.setString(2, headers);
            s.setBytes(3, body);
            s.setString(4, encoding);
            s.setObject(5, bodyBytes);
            s.executeUpdate();
        }
    }

    /** The last id the intake queue gave a row: it moves with every request stored, whether written since or not. */
    private static long lastStoredId() {
        return queued.count("select coalesce(pg_sequence_last_value(pg_get_serial_sequence('intake_queue', 'id')), 0)");
    }

    private static void awaitWritten() {
        queued.awaitStatus("openlineage", s -> s.path("queued").asLong() == 0, Duration.ofSeconds(60));
    }

    @Test
    void theCorpusQueuedSinglyAndInBatchesLeavesWhatWritingAtOnceLeaves() {
        Map<String, Corpus.Scenario> scenarios = Corpus.scenarios();
        List<String> events = new ArrayList<>();
        scenarios.values().forEach(s -> events.addAll(s.events()));
        List<Integer> atOnceAnswers = new ArrayList<>();
        JsonNode atOnce;
        try (TestingCatalog written = TestingCatalog.builder().start()) {
            LineageHttp writtenHttp = new LineageHttp(written);
            events.forEach(e -> atOnceAnswers.add(writtenHttp.post(e).statusCode()));
            atOnce = CatalogState.of(written);
        }
        List<Integer> queuedAnswers = new ArrayList<>();
        events.forEach(e -> queuedAnswers.add(post(e).statusCode()));
        awaitWritten();
        assertThat(CatalogState.diff(atOnce, CatalogState.of(queued))).as("sent one by one").isEmpty();
        // and again, as an array and as newline-delimited JSON: stored twice more, changing nothing
        JsonNode array = LineageHttp.json(http.post(LineageHttp.PATH, "application/json",
                ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8), "Bearer " + TOKEN));
        StringBuilder ndjson = new StringBuilder();
        events.forEach(e -> ndjson.append(LineageHttp.compact(e)).append('\n'));
        JsonNode lines = LineageHttp.json(http.post(LineageHttp.PATH, "application/x-ndjson",
                ndjson.toString().getBytes(StandardCharsets.UTF_8), "Bearer " + TOKEN));
        awaitWritten();

        assertThat(queuedAnswers).isEqualTo(atOnceAnswers);
        long refusedAtOnce = atOnceAnswers.stream().filter(s -> s != 201).count();
        assertThat(refusedAtOnce).as("every event of the corpus is accepted, simple_run_event's runId \"run_id\" too").isZero();
        assertThat(array.path("rejected").asLong()).isEqualTo(refusedAtOnce);
        assertThat(lines.path("rejected").asLong()).isEqualTo(refusedAtOnce);
        assertThat(array.path("accepted").asLong()).isEqualTo(events.size() - refusedAtOnce).isGreaterThan(60);
        JsonNode state = CatalogState.of(queued);
        assertThat(CatalogState.diff(atOnce, state)).isEmpty();
        assertThat(state.path("runs").size()).isGreaterThan(10);
        assertThat(queued.count("select count(*) from intake_queue")).isZero();
    }

    @Test
    void anEventIsAcceptedWhileTheCatalogCannotWriteAndWrittenOnceItCan() throws Exception {
        String runId = UUID.randomUUID().toString();
        ObjectNode start = Events.run("START", "2026-03-01T10:00:00Z", runId, "queued-blocked", "train");
        Events.output(start, "s3://bucket", "blocked/features.parquet");
        ObjectNode complete = Events.run("COMPLETE", "2026-03-01T10:05:00Z", runId, "queued-blocked", "train");
        try (Connection c = queued.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // no run can be written while this lock is held
                s.execute("lock table run in exclusive mode");
            }
            assertThat(post(start.toString()).statusCode()).isEqualTo(201);
            assertThat(post(complete.toString()).statusCode()).isEqualTo(201);
            // a batch, much alike as batches are: stored compressed, well under its size
            List<String> tasks = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ObjectNode task = Events.run("COMPLETE", "2026-03-01T10:06:00Z", UUID.randomUUID().toString(), "queued-blocked", "task-" + i);
                Events.input(task, "s3://bucket", "blocked/features.parquet");
                tasks.add(task.toString());
            }
            String batch = "[" + String.join(",", tasks) + "]";
            assertThat(post(batch).statusCode()).isEqualTo(200);
            try (Statement s = c.createStatement();
                 ResultSet row = s.executeQuery("select body_encoding, body_bytes, octet_length(body) from intake_queue "
                         + "where instance = 'openlineage' order by id desc limit 1")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("lz4");
                assertThat(row.getInt(2)).isEqualTo(batch.getBytes(StandardCharsets.UTF_8).length);
                assertThat(row.getInt(3)).isLessThan(row.getInt(2) / 4);
            }

            JsonNode status = queued.status("openlineage");
            assertThat(status.path("queued").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(status.path("oldestQueuedAt").isTextual()).isTrue();
            try (Statement s = c.createStatement();
                 ResultSet headers = s.executeQuery("select headers::text from intake_queue where instance = 'openlineage'")) {
                while (headers.next()) {
                    // the bearer token was checked, and is not kept
                    assertThat(headers.getString(1)).doesNotContainIgnoringCase("authorization").doesNotContain(TOKEN)
                            .containsIgnoringCase("content-type");
                }
            }
            c.rollback();
        }
        awaitWritten();

        JsonNode run = queued.query("{ run(namespace: \"queued-blocked\", name: \"train\", externalId: \"" + runId
                + "\") { status startedAt endedAt outputs { uri } } }").path("run");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(run.path("startedAt").asText())).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(Instant.parse(run.path("endedAt").asText())).isEqualTo("2026-03-01T10:05:00Z");
        assertThat(run.path("outputs").get(0).path("uri").asText()).isEqualTo("s3://bucket/blocked/features.parquet");
        assertThat(queued.query("{ runs(filter: {namespace: \"queued-blocked\"}, first: 100) { totalCount } }")
                .path("runs").path("totalCount").asInt()).isEqualTo(51);
    }

    @Test
    void aBadEventIsRefusedAtOnceAndNothingOfItIsStored() {
        ObjectNode event = Events.run("START", "2026-03-01T10:00:00Z", UUID.randomUUID().toString(), "queued-bad", "train");
        ((ObjectNode) event.get("job")).remove("name");
        long before = lastStoredId();

        HttpResponse<String> r = post(event.toString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(LineageHttp.json(r).path("path").asText()).isEqualTo("$.job.name");
        // a stored bad request would stay, refused, when replayed: none is
        assertThat(lastStoredId()).isEqualTo(before);
        assertThat(post(Events.run("START", "2026-03-01T10:00:00Z").toString()).statusCode()).isEqualTo(201);
        assertThat(lastStoredId()).as("a good one is").isGreaterThan(before);
    }

    @Test
    void aRequestStoredBeforeThisServerStartedIsWritten() throws Exception {
        String runId = UUID.randomUUID().toString();
        ObjectNode complete = Events.run("COMPLETE", "2026-03-02T08:00:00Z", runId, "queued-left-over", "score");
        storeAsADeadServerLeftIt("2026-03-02T08:00:01Z", JSON_TYPE, complete.toString());
        awaitWritten();

        JsonNode run = queued.query("{ run(namespace: \"queued-left-over\", name: \"score\", externalId: \"" + runId
                + "\") { status endedAt } }").path("run");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(run.path("endedAt").asText())).isEqualTo("2026-03-02T08:00:00Z");
    }

    @Test
    void aStoredRequestThatCannotBeWrittenIsRefusedAndKeptWhileTheOthersAreWritten() throws Exception {
        ObjectNode noName = Events.run("COMPLETE", "2026-03-03T08:00:00Z", UUID.randomUUID().toString(), "queued-refused", "bad");
        ((ObjectNode) noName.get("job")).remove("name");
        String runId = UUID.randomUUID().toString();
        ObjectNode good = Events.run("COMPLETE", "2026-03-03T08:00:00Z", runId, "queued-refused", "good");
        // a row that is no request (its headers are not lists), one the receiver now refuses, and a good one after them
        storeAsADeadServerLeftIt("2026-03-03T08:00:01Z", "{\"content-type\": \"application/json\"}", good.toString());
        storeAsADeadServerLeftIt("2026-03-03T08:00:01Z", JSON_TYPE, noName.toString());
        // a compressed body damaged, and one said to be longer than it is
        storeAsADeadServerLeftIt("2026-03-03T08:00:01Z", JSON_TYPE, "not lz4 at all".getBytes(StandardCharsets.UTF_8), "lz4", 4096);
        storeAsADeadServerLeftIt("2026-03-03T08:00:01Z", JSON_TYPE, good.toString().getBytes(StandardCharsets.UTF_8), null, 99_999);
        storeAsADeadServerLeftIt("2026-03-03T08:00:01Z", JSON_TYPE, good.toString());
        awaitWritten();

        assertThat(queued.query("{ run(namespace: \"queued-refused\", name: \"good\", externalId: \"" + runId + "\") { status } }")
                .path("run").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(queued.count("select count(*) from intake_queue where refused like '%not a request%'")).isEqualTo(3);
        assertThat(queued.count("select count(*) from intake_queue where refused like '%LZ4 body%'")).isEqualTo(1);
        assertThat(queued.count("select count(*) from intake_queue where refused like '%not the 99999 stored with it%'")).isEqualTo(1);
        assertThat(queued.count("select count(*) from intake_queue where refused like '%answered 400%job.name%'")).isEqualTo(1);
        assertThat(queued.count("select count(*) from intake_queue where refused is null")).isZero();
        assertThat(queued.status("openlineage").path("lastError").asText()).contains("refused (kept in intake_queue)");
    }

    @Test
    void theEnvironmentMakesTheDefaultInstanceQueued() throws Exception {
        // no instance configured: the one the catalog runs at /api/v1/lineage by itself, with the environment's override
        try (TestingCatalog byDefault = TestingCatalog.builder().env(Map.of("MLCATALOG_PLUGIN_OPENLINEAGE_ACKNOWLEDGE", "queued")).start();
             Connection c = byDefault.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("lock table run in exclusive mode");
            }
            HttpResponse<String> r = new LineageHttp(byDefault).post(Events.run("START", "2026-03-04T08:00:00Z").toString());

            // answered while no run can be written: stored, not written
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(byDefault.status("openlineage").path("queued").asLong()).isEqualTo(1);
            c.rollback();
        }
    }
}
