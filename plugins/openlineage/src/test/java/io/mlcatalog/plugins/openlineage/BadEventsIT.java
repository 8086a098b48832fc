package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events the catalog refuses: a 400 naming the JSON path of the problem (413 for what is too large, 401
 * without the instance's token), and nothing of a refused event written, alone or in a batch.
 */
class BadEventsIT {
    private static final String T = "2026-03-01T06:00:00Z";
    private static TestingCatalog catalog;
    private static TestingCatalog secured;
    private static LineageHttp http;
    private static LineageHttp securedHttp;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder().start();
        http = new LineageHttp(catalog);
        secured = TestingCatalog.builder()
                .instance("lineage", "openlineage", Map.of("maxEventBytes", "4096", "maxBatchEvents", "3", "requireUuidRunIds", "true"),
                        Map.of("token", "${env:LINEAGE_TOKEN}"))
                .env(Map.of("LINEAGE_TOKEN", "s3cret"))
                .start();
        securedHttp = new LineageHttp(secured);
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
        if (secured != null) {
            secured.close();
        }
    }

    private static ObjectNode valid() {
        ObjectNode e = Events.run("START", T, UUID.randomUUID().toString(), "bad", "job");
        Events.input(e, "s3://bucket", "in-" + UUID.randomUUID() + ".csv");
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventTime", "producer", "run.runId", "job.namespace", "job.name"})
    void eachRequiredFieldMissing(String field) {
        assertRefused(Events.without(valid(), field).toString(), 400, "$." + field);
    }

    @Test
    void wrongTypes() {
        ObjectNode e = valid();
        e.put("eventTime", 1772344800000L);
        assertRefused(e.toString(), 400, "$.eventTime");

        e = valid();
        e.put("run", UUID.randomUUID().toString());
        assertRefused(e.toString(), 400, "$.run");

        e = valid();
        e.putObject("inputs").put("namespace", "s3://bucket").put("name", "x");
        assertRefused(e.toString(), 400, "$.inputs");

        e = valid();
        e.withArray("outputs").add(42);
        assertRefused(e.toString(), 400, "$.outputs[0]");

        e = valid();
        ((ObjectNode) e.get("job")).put("facets", "sql");
        assertRefused(e.toString(), 400, "$.job.facets");
    }

    @Test
    void anUnknownEventType() {
        ObjectNode e = valid();
        e.put("eventType", "DONE");
        JsonNode answer = assertRefused(e.toString(), 400, "$.eventType");
        assertThat(answer.path("error").asText()).contains("DONE").contains("START, RUNNING, COMPLETE, ABORT, FAIL, OTHER");
    }

    /**
     * OpenLineage's compatibility scenarios send runIds that are no UUID, and a consumer must take them: by default the
     * run is kept under its job and that id, so two jobs that send the same made-up id are two runs, never one.
     */
    @Test
    void aRunIdThatIsNoUuidNamesItsRunWithinItsJob() {
        String id = "scheduled__2026-03-01T06:00:00+00:00";
        ObjectNode a = Events.run("START", T, id, "bad", "no-uuid-a");
        ObjectNode b = Events.run("COMPLETE", T, id, "bad", "no-uuid-b");
        Events.parent(b, "dag_run_" + UUID.randomUUID(), "bad", "no-uuid-dag");

        assertThat(http.post(a.toString()).statusCode()).isEqualTo(201);
        assertThat(http.post(b.toString()).statusCode()).isEqualTo(201);

        String query = "query($name: String!, $id: String!) { run(namespace: \"bad\", name: $name, externalId: $id) "
                + "{ id externalId status parent { name externalId } } }";
        JsonNode runA = catalog.query(query, Map.of("name", "no-uuid-a", "id", id)).path("run");
        JsonNode runB = catalog.query(query, Map.of("name", "no-uuid-b", "id", id)).path("run");
        assertThat(runA.path("status").asText()).isEqualTo("RUNNING");
        assertThat(runB.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(runA.path("id").asText()).isNotEqualTo(runB.path("id").asText());
        assertThat(runB.path("parent").path("name").asText()).isEqualTo("no-uuid-dag");
        assertThat(runB.path("parent").path("externalId").asText()).startsWith("dag_run_");
    }

    @Test
    void aRunIdTheCatalogCannotKeepIsRefused() {
        for (String id : new String[]{"x".repeat(513), "run\u0001id", "run\u0000id"}) {
            ObjectNode e = valid();
            ((ObjectNode) e.get("run")).put("runId", id);
            assertRefused(e.toString(), 400, "$.run.runId");
        }
    }

    @Test
    void anInstanceWithRequireUuidRunIdsRefusesARunIdThatIsNoUuid() {
        Map<String, Long> rows = secured.rowCounts();
        ObjectNode e = valid();
        ((ObjectNode) e.get("run")).put("runId", "scheduled__2026-03-01T06:00:00+00:00");

        HttpResponse<String> r = securedHttp.post(LineageHttp.PATH, "application/json", e.toString().getBytes(StandardCharsets.UTF_8),
                "Bearer s3cret");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(LineageHttp.json(r).path("path").asText()).isEqualTo("$.run.runId");
        assertThat(LineageHttp.json(r).path("error").asText()).contains("must be a UUID").contains("scheduled__2026-03-01");
        assertThat(secured.rowCounts()).isEqualTo(rows);
    }

    @Test
    void malformedJsonAndNoEventAtAll() {
        assertRefused("{\"eventTime\": \"" + T + "\", \"producer\": ", 400, "$");
        assertRefused("{\"eventTime\": \"" + T + "\"} trailing", 400, "$");
        assertRefused("", 400, "$");
        assertRefused("\"an event\"", 400, "$");
        assertRefused("{}", 400, "$.eventTime");
        // a batch is read through before any of it is written: a valid first event of a broken array is not
        assertRefused("[" + valid() + ", {\"eventTime\": ", 400, "$");
        assertRefused("[" + valid() + ", " + valid() + "] trailing", 400, "$");
        assertRefused("[" + valid() + ", " + valid(), 400, "$");
        // well-formed, but over what the parser reads (a number of 1,001 digits): refused whole as well
        assertRefused("[" + valid() + ", {\"x\": 1" + "0".repeat(1000) + "}]", 400, "$");
    }

    @Test
    void aBodyInUtf16OrHoldingANulByteIsRefused() {
        for (byte[] body : List.of(valid().toString().getBytes(StandardCharsets.UTF_16LE), (valid() + "\u0000").getBytes(StandardCharsets.UTF_8))) {
            assertBytesRefused(body, "NUL byte");
        }
    }

    @Test
    void aByteOrderMarkIsSkippedBeforeAnArrayAndALineOfNothingElseIsRejectedAlone() {
        String runId = UUID.randomUUID().toString();
        HttpResponse<String> array = http.post(LineageHttp.PATH, "application/json",
                ("\uFEFF[" + Events.run("START", T, runId, "bad-bom", "array") + "]").getBytes(StandardCharsets.UTF_8), null);
        assertThat(array.statusCode()).as(array.body()).isEqualTo(200);
        assertThat(LineageHttp.json(array).path("accepted").asInt()).isEqualTo(1);

        HttpResponse<String> lines = http.post(LineageHttp.PATH, "application/x-ndjson",
                ("\uFEFF \r\n" + Events.run("START", T, runId, "bad-bom", "lines") + "\n").getBytes(StandardCharsets.UTF_8), null);
        assertThat(lines.statusCode()).as(lines.body()).isEqualTo(200);
        JsonNode answer = LineageHttp.json(lines);
        assertThat(answer.path("events").path(0).path("status").asText()).isEqualTo("rejected");
        assertThat(answer.path("events").path(0).path("error").asText()).contains("no JSON value");
        assertThat(answer.path("events").path(1).path("status").asText()).isEqualTo("accepted");
        assertThat(catalog.query("{ runs(filter: {namespace: \"bad-bom\"}) { totalCount } }").path("runs").path("totalCount").asInt())
                .isEqualTo(2);
    }

    @Test
    void invalidUtf8() {
        byte[] body = valid().toString().getBytes(StandardCharsets.UTF_8);
        byte[] broken = Arrays.copyOf(body, body.length);
        String text = new String(body, StandardCharsets.UTF_8);
        int at = text.indexOf("\"job\"") + 2; // inside the key: a byte that no UTF-8 text holds
        broken[at] = (byte) 0xC3;
        broken[at + 1] = (byte) 0x28;

        assertBytesRefused(broken, "UTF-8");
    }

    /** Posts a body of raw bytes as one JSON event: refused with 400 and an error that says why, nothing written. */
    private static void assertBytesRefused(byte[] body, String why) {
        Map<String, Long> rows = catalog.rowCounts();

        HttpResponse<String> r = http.post(LineageHttp.PATH, "application/json", body, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(LineageHttp.json(r).path("error").asText()).contains(why);
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    @Test
    void aClientThatAsksBeforeSendingItsBodyIsToldToGoOn() {
        // Expect: 100-continue, as curl sends for a body over 1 MB: the body follows only once the server says so
        String runId = java.util.UUID.randomUUID().toString();
        ObjectNode e = Events.run("COMPLETE", T, runId, "bad-expect", "asks-first");

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(catalog.url(LineageHttp.PATH)))
                .timeout(Duration.ofSeconds(20)).expectContinue(true).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(e.toString())).build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(catalog.query("{ run(namespace: \"bad-expect\", name: \"asks-first\", externalId: \"" + runId + "\") { status } }")
                .path("run").path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aBodyOf50MiBIs413AndTheServerStillAnswers() {
        Map<String, Long> rows = catalog.rowCounts();
        ObjectNode e = valid();
        Events.runFacets(e).putObject("padding").put("text", "x".repeat(50 * 1024 * 1024));
        byte[] body = e.toString().getBytes(StandardCharsets.UTF_8);

        // with its length declared: refused before it is read
        HttpResponse<String> declared = http.post(LineageHttp.PATH, "application/json", body, null);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(LineageHttp.json(declared).path("error").asText()).contains("at most");
        // streamed, with no length: refused once the limit is passed
        HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(URI.create(catalog.url(LineageHttp.PATH)))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
        assertThat(streamed.statusCode()).isEqualTo(413);

        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(http.post(valid().toString()).statusCode()).isEqualTo(201);
        assertThat(catalog.query("{ namespaces }").path("namespaces").toString()).contains("bad");
    }

    @Test
    void anEventOverMaxEventBytesIs413EvenWithinTheBodyLimit() {
        Map<String, Long> rows = catalog.rowCounts();
        ObjectNode e = valid();
        Events.runFacets(e).putObject("padding").put("text", "x".repeat(5 * 1024 * 1024)); // over the default 4 MiB, under the body's 8

        JsonNode answer = assertRefused(e.toString(), 413, "$");

        assertThat(answer.path("error").asText()).contains("at most 4194304");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    @Test
    void inABatchABadEventIsRejectedWithItsIndexAndPathAndTheOthersAreWritten() {
        ObjectNode good1 = valid();
        ObjectNode bad = Events.without(valid(), "job.name");
        ObjectNode good2 = valid();
        ObjectNode tooLongId = valid();
        ((ObjectNode) tooLongId.get("run")).put("runId", "42".repeat(300));

        for (boolean ndjson : new boolean[]{false, true}) {
            Map<String, Long> before = catalog.rowCounts();
            List<String> batch = List.of(good1.toString(), bad.toString(), good2.toString(), tooLongId.toString());
            HttpResponse<String> r = ndjson ? http.postNdjson(batch) : http.postArray(batch);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = LineageHttp.json(r);
            assertThat(body.path("accepted").asInt()).isEqualTo(2);
            assertThat(body.path("rejected").asInt()).isEqualTo(2);
            assertThat(body.path("events").path(0).path("status").asText()).isEqualTo("accepted");
            assertThat(body.path("events").path(1).path("index").asInt()).isEqualTo(1);
            assertThat(body.path("events").path(1).path("status").asText()).isEqualTo("rejected");
            assertThat(body.path("events").path(1).path("path").asText()).isEqualTo("$.job.name");
            assertThat(body.path("events").path(1).path("error").asText()).contains("required");
            assertThat(body.path("events").path(2).path("status").asText()).isEqualTo("accepted");
            assertThat(body.path("events").path(3).path("path").asText()).isEqualTo("$.run.runId");
            assertThat(runExists(good1)).isTrue();
            assertThat(runExists(good2)).isTrue();
            assertThat(body.path("events").path(3).path("error").asText()).contains("512");
            assertThat(runExists(tooLongId)).isFalse();
            if (ndjson) {
                assertThat(catalog.rowCounts()).as("the good ones were written by the array already").isEqualTo(before);
            }
        }
    }

    @Test
    void inAnNdjsonBatchAMalformedLineIsRejectedAlone() {
        ObjectNode good = valid();
        String body = LineageHttp.compact(good.toString()) + "\n{\"eventTime\": \n" + LineageHttp.compact(valid().toString()) + "\n";

        HttpResponse<String> r = http.post(LineageHttp.PATH, "application/x-ndjson", body.getBytes(StandardCharsets.UTF_8), null);

        JsonNode answer = LineageHttp.json(r);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(answer.path("accepted").asInt()).isEqualTo(2);
        assertThat(answer.path("events").path(1).path("status").asText()).isEqualTo("rejected");
        assertThat(answer.path("events").path(1).path("error").asText()).contains("malformed JSON");
        assertThat(runExists(good)).isTrue();
    }

    @Test
    void newlineDelimitedEventsSentAsApplicationJsonAreABatchNotTheirFirstEventAlone() {
        ObjectNode first = valid();
        ObjectNode second = valid();

        HttpResponse<String> r = http.post(LineageHttp.compact(first.toString()) + "\n" + LineageHttp.compact(second.toString()) + "\n");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(LineageHttp.json(r).path("accepted").asInt()).isEqualTo(2);
        assertThat(runExists(first)).isTrue();
        assertThat(runExists(second)).as("not dropped").isTrue();
    }

    @Test
    void aBatchWhoseEventsAreAllRefusedWritesNothing() {
        Map<String, Long> rows = catalog.rowCounts();

        HttpResponse<String> r = http.postArray(List.of(Events.without(valid(), "producer").toString(), "17",
                Events.without(valid(), "eventTime").toString()));

        JsonNode answer = LineageHttp.json(r);
        assertThat(answer.path("accepted").asInt()).isZero();
        assertThat(answer.path("events").findValuesAsText("path")).containsExactly("$.producer", "$", "$.eventTime");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    @Test
    void aWrongOrMissingTokenIs401AndWritesNothing() {
        Map<String, Long> rows = secured.rowCounts();
        byte[] body = valid().toString().getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> missing = securedHttp.post(LineageHttp.PATH, "application/json", body, null);
        HttpResponse<String> wrong = securedHttp.post(LineageHttp.PATH, "application/json", body, "Bearer guess");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(secured.rowCounts()).isEqualTo(rows);
        assertThat(securedHttp.post(LineageHttp.PATH, "application/json", body, "Bearer s3cret").statusCode()).isEqualTo(201);
    }

    @Test
    void theInstancesLimitsOnAnEventAndOnABatch() {
        Map<String, Long> rows = secured.rowCounts();
        ObjectNode big = valid();
        Events.runFacets(big).putObject("padding").put("text", "x".repeat(5000));

        HttpResponse<String> alone = securedHttp.post(LineageHttp.PATH, "application/json", big.toString().getBytes(StandardCharsets.UTF_8),
                "Bearer s3cret");
        assertThat(alone.statusCode()).isEqualTo(413);
        assertThat(LineageHttp.json(alone).path("error").asText()).contains("at most 4096");

        String batch = "[" + String.join(",", valid().toString(), valid().toString(), valid().toString(), valid().toString()) + "]";
        HttpResponse<String> tooMany = securedHttp.post(LineageHttp.PATH, "application/json", batch.getBytes(StandardCharsets.UTF_8),
                "Bearer s3cret");
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(LineageHttp.json(tooMany).path("error").asText()).contains("at most 3");
        assertThat(secured.rowCounts()).isEqualTo(rows);

        ObjectNode small = valid();
        HttpResponse<String> mixed = securedHttp.post(LineageHttp.PATH, "application/json",
                ("[" + small + "," + big + "]").getBytes(StandardCharsets.UTF_8), "Bearer s3cret");
        assertThat(mixed.statusCode()).isEqualTo(200);
        assertThat(LineageHttp.json(mixed).path("events").path(1).path("error").asText()).contains("at most 4096");
        assertThat(LineageHttp.json(mixed).path("accepted").asInt()).isEqualTo(1);
    }

    @Test
    void putIs405AGetWithoutNodeIs400AndAnUnknownSubPathIs404() {
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(catalog.url(LineageHttp.PATH)))
                .PUT(HttpRequest.BodyPublishers.ofString(valid().toString())).build());
        assertThat(put.statusCode()).isEqualTo(405);
        // GET reads lineage, Marquez's way: it needs the node to start from
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(catalog.url(LineageHttp.PATH))).GET().build());
        assertThat(get.statusCode()).isEqualTo(400);
        assertThat(LineageHttp.json(get).path("message").asText()).contains("nodeId is required");

        HttpResponse<String> unknown = http.post("/api/v1/lineage/events", "application/json",
                valid().toString().getBytes(StandardCharsets.UTF_8), null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(LineageHttp.json(unknown).path("error").asText()).contains("/api/v1/lineage");
    }

    private static boolean runExists(ObjectNode event) {
        return !catalog.query("query($id: String!) { run(namespace: \"bad\", externalId: $id) { id } }",
                Map.of("id", event.get("run").get("runId").asText())).path("run").isNull();
    }

    /** Posts one event and checks the answer, and that nothing was written. */
    private static JsonNode assertRefused(String body, int status, String path) {
        Map<String, Long> rows = catalog.rowCounts();

        HttpResponse<String> r = http.post(body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        JsonNode answer = LineageHttp.json(r);
        assertThat(answer.path("path").asText()).as(r.body()).isEqualTo(path);
        assertThat(answer.path("error").asText()).isNotBlank();
        assertThat(catalog.rowCounts()).as("nothing of a refused event is written").isEqualTo(rows);
        return answer;
    }
}
