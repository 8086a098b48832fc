package io.mlcatalog.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.testkit.testplugin.JsonReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A push receiver mounted under /ingest/<instance>/: the host's token and body limit, then the receiver's records. */
class ReceiverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static TestingCatalog catalog;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder()
                .instance("hooks", JsonReceiver.TYPE, Map.of("namespace", "hooks"),
                        Map.of("token", "${env:HOOKS_TOKEN}", "maxBodyBytes", 2048))
                .instance("open-hooks", JsonReceiver.TYPE, Map.of("namespace", "open-hooks"))
                .instance("busy-hooks", JsonReceiver.TYPE, Map.of("namespace", "busy-hooks"))
                .env(Map.of("HOOKS_TOKEN", "s3cret"))
                .start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void recordsPostedWithTheTokenAreWrittenWithTheirProvenance() throws Exception {
        HttpResponse<String> r = post("/ingest/hooks/artifacts", "Bearer s3cret", body("s3://hooks/a.csv", DIGEST, "evt-1")
                .replace("]", ", {\"uri\": \"s3://hooks/b.csv\", \"id\": \"evt-2\"}]"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(JSON.readTree(r.body()).path("written").asInt()).isEqualTo(2);
        JsonNode a = catalog.query("{ artifact(uri: \"s3://hooks/a.csv\") { digest assertedBy { source externalId } } }").path("artifact");
        assertThat(a.path("digest").asText()).isEqualTo(DIGEST);
        assertThat(a.path("assertedBy").path(0).path("source").asText()).isEqualTo("hooks");
        assertThat(a.path("assertedBy").path(0).path("externalId").asText()).isEqualTo("evt-1");
        JsonNode status = catalog.status("hooks");
        assertThat(status.path("status").asText()).isEqualTo("OK");
        assertThat(status.path("recordsWritten").asLong()).isEqualTo(2);

        Map<String, Long> rows = catalog.rowCounts();
        assertThat(post("/ingest/hooks/artifacts", "Bearer s3cret", body("s3://hooks/a.csv", DIGEST, "evt-1")).statusCode()).isEqualTo(202);
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    @Test
    void aMissingOrWrongTokenIsRefusedWith401AndWritesNothing() throws Exception {
        Map<String, Long> rows = catalog.rowCounts();
        String body = body("s3://hooks/unauthorized.csv", DIGEST, "evt-x");

        HttpResponse<String> missing = post("/ingest/hooks/artifacts", null, body);
        HttpResponse<String> wrong = post("/ingest/hooks/artifacts", "Bearer guess", body);

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    @Test
    void aRequestWithoutTheTokenIsRefusedBeforeItsBodyIsRead() throws Exception {
        HttpResponse<String> r = post("/ingest/hooks/artifacts", null, padded(body("s3://hooks/big-anon.csv", DIGEST, "evt-anon")));

        assertThat(r.statusCode()).as("401, not 413: the token is checked first").isEqualTo(401);
    }

    @Test
    void aBodyOverTheInstancesLimitIsRefusedWith413AndWritesNothing() throws Exception {
        Map<String, Long> rows = catalog.rowCounts();
        String big = padded(body("s3://hooks/big.csv", DIGEST, "evt-big"));

        HttpResponse<String> r = post("/ingest/hooks/artifacts", "Bearer s3cret", big);

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        // the limit is the instance's: the same body is fine where the default limit applies
        assertThat(post("/ingest/open-hooks/artifacts", null, padded(body("s3://open/big.csv", DIGEST, "e"))).statusCode())
                .isEqualTo(202);
    }

    @Test
    void anInvalidRecordGetsTheReceiversAnswerAndNothingOfTheRequestIsWritten() throws Exception {
        Map<String, Long> rows = catalog.rowCounts();
        String body = body("s3://hooks/good.csv", DIGEST, "evt-good")
                .replace("]", ", {\"uri\": \"s3://hooks/bad.csv\", \"digest\": \"sha256:nope\", \"id\": \"evt-bad\"}]");

        HttpResponse<String> r = post("/ingest/hooks/artifacts", "Bearer s3cret", body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(JSON.readTree(r.body()).path("rejected").asText()).contains("record 1").contains("sha256:nope");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
        JsonNode status = catalog.status("hooks");
        assertThat(status.path("lastError").asText()).contains("record 1").contains("sha256:nope");
        assertThat(status.path("recordsRejected").asLong()).isPositive();
    }

    @Test
    void anUnknownInstanceIs404AndReceiversRunOffTheEventLoop() throws Exception {
        assertThat(post("/ingest/nobody/artifacts", null, "{}").statusCode()).isEqualTo(404);

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(catalog.url("/ingest/open-hooks/thread"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("thread").asText()).doesNotContain("eventloop");
    }

    @Test
    void requestsSentAtOnceAreEachCountedOnceInTheStatus() throws Exception {
        // 8 senders at once: their requests are written together in transactions under way at the same time, whose
        // counts go to the slots of their connections (V23__plugin_counters.sql); one request in 10 carries an invalid
        // record, refused alone, its other record not written
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 240; i++) {
                String body = body("s3://busy/" + i + ".csv", DIGEST, "evt-" + i);
                if (i % 10 == 3) {
                    body = body.replace("]", ", {\"uri\": \"s3://busy/bad-" + i + ".csv\", \"digest\": \"sha256:nope\"}]");
                } else if (i % 2 == 0) {
                    body = body.replace("]", ", {\"uri\": \"s3://busy/" + i + "-b.csv\"}]");
                }
                String b = body;
                answers.add(senders.submit(() -> post("/ingest/busy-hooks/artifacts", null, b)));
            }
            long written = 0;
            long refused = 0;
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<String> r = answers.get(i).get();
                if (i % 10 == 3) {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
                    refused++;
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    written += JSON.readTree(r.body()).path("written").asLong();
                }
            }
            assertThat(written).isEqualTo(120 * 2 + 96);
            JsonNode status = catalog.status("busy-hooks");
            assertThat(status.path("recordsWritten").asLong()).isEqualTo(written);
            assertThat(status.path("recordsRejected").asLong()).isEqualTo(refused);
            assertThat(catalog.count("select count(*) from artifact where namespace = 'busy-hooks'")).isEqualTo(written);
            assertThat(status.path("lastSuccessAt").isNull()).isFalse();
            // the metrics count the transactions that wrote the requests, and every request written once
            String metrics = http.send(HttpRequest.newBuilder(URI.create(catalog.url("/metrics"))).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher sum = java.util.regex.Pattern.compile(
                    "(?m)^mlcatalog_receiver_transaction_requests_sum\\{instance=\"busy-hooks\",?\\} (\\S+)$").matcher(metrics);
            java.util.regex.Matcher count = java.util.regex.Pattern.compile(
                    "(?m)^mlcatalog_receiver_transaction_requests_count\\{instance=\"busy-hooks\",?\\} (\\S+)$").matcher(metrics);
            assertThat(sum.find() && count.find()).as(metrics).isTrue();
            assertThat(Double.parseDouble(sum.group(1))).isEqualTo(240.0 - refused);
            assertThat(Double.parseDouble(count.group(1))).isBetween(1.0, 240.0 - refused);
        } finally {
            senders.shutdownNow();
        }
    }

    private static String body(String uri, String digest, String id) {
        return "{\"artifacts\": [{\"uri\": \"" + uri + "\", \"digest\": \"" + digest + "\", \"id\": \"" + id + "\"}]}";
    }

    /** Over 2048 bytes: the body with an attribute the receiver ignores. */
    private static String padded(String body) {
        return body.replace("{\"artifacts\"", "{\"padding\": \"" + "x".repeat(3000) + "\", \"artifacts\"");
    }

    private HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
