package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.testkit.TestingCatalog;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.ApiKeyTokenProvider;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenLineage receiver on a catalog with access control: a client sends a catalog token, and what it may write is
 * what the token may, within the namespaces the instance is configured for. An event outside them is refused with
 * 403 and its path, alone, in a batch as in a single request.
 */
class OpenLineageAuthIT {
    /** Two instances of the type: neither is mounted at /api/v1/lineage, each under /ingest/<instance>/. */
    private static final String OL = "/ingest/openlineage/";
    private static final String ADMIN = "openlineage-auth-admin-token-0123456789";
    private static TestingCatalog catalog;
    private static LineageHttp http;
    private static String writerGrowth;
    private static String reader;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder()
                .instance("openlineage", "openlineage", Map.of(), Map.of("namespaces", List.of("growth", "risk")))
                .instance("ol-queued", "openlineage", Map.of(), Map.of("acknowledge", "queued"))
                .secured(ADMIN)
                .start();
        http = new LineageHttp(catalog);
        writerGrowth = catalog.createToken("airflow-growth", "writer", List.of("growth"), List.of());
        reader = catalog.createToken("dashboards", "reader", List.of("*"), List.of());
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private static String event(String namespace, String job) {
        return Events.run("COMPLETE", "2026-11-20T10:00:00Z", UUID.randomUUID().toString(), namespace, job).toString();
    }

    private static HttpResponse<String> post(String path, String body, String token) {
        return http.post(path, "application/json", body.getBytes(StandardCharsets.UTF_8), token == null ? null : "Bearer " + token);
    }

    private static long runs(String job) {
        return catalog.count("select count(*) from run where pipeline = '" + job + "'");
    }

    @Test
    void withoutATokenOrWithAReadersTheReceiverRefusesAndWritesNothing() {
        Map<String, Long> before = catalog.rowCounts();
        HttpResponse<String> none = post(OL, event("growth", "no-token"), null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"mlcatalog\"");
        assertThat(LineageHttp.json(none).path("error").asText()).contains("Authorization: Bearer <token>");

        HttpResponse<String> unknown = post(OL, event("growth", "no-token"), "mlc_" + "z".repeat(43));
        assertThat(unknown.statusCode()).isEqualTo(401);

        HttpResponse<String> readOnly = post(OL, event("growth", "no-token"), reader);
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(LineageHttp.json(readOnly).path("error").asText()).contains("may only read");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aWritersEventIsWrittenUnderItsNameAndOneOutsideItsNamespacesIs403() {
        HttpResponse<String> ok = post(OL, event("growth", "daily-growth"), writerGrowth);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(runs("daily-growth")).isEqualTo(1);
        assertThat(catalog.strings("select distinct c.actor from change_log c join run r on r.id = c.entity_id where r.pipeline = 'daily-growth'"))
                .containsExactly("token:airflow-growth");

        Map<String, Long> before = catalog.rowCounts();
        HttpResponse<String> refused = post(OL, event("risk", "daily-risk"), writerGrowth);
        assertThat(refused.statusCode()).isEqualTo(403);
        JsonNode body = LineageHttp.json(refused);
        assertThat(body.path("path").asText()).isEqualTo("$.job.namespace");
        assertThat(body.path("error").asText()).contains("namespace 'risk'");
        // the admin may write anywhere, but this instance only into growth and risk
        HttpResponse<String> outside = post(OL, event("finance", "daily-finance"), ADMIN);
        assertThat(outside.statusCode()).isEqualTo(403);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void inABatchOnlyTheEventsOutsideTheTokensNamespacesAreRefused() {
        HttpResponse<String> r = http.post(OL, "application/json",
                ("[" + String.join(",", event("growth", "batch-a"), event("risk", "batch-b"), event("growth", "batch-c")) + "]")
                        .getBytes(StandardCharsets.UTF_8), "Bearer " + writerGrowth);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = LineageHttp.json(r);
        assertThat(body.path("accepted").asInt()).isEqualTo(2);
        assertThat(body.path("rejected").asInt()).isEqualTo(1);
        JsonNode second = body.path("events").path(1);
        assertThat(second.path("status").asText()).isEqualTo("rejected");
        assertThat(second.path("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(second.path("path").asText()).isEqualTo("$.job.namespace");
        assertThat(body.path("events").path(0).path("status").asText()).isEqualTo("accepted");
        assertThat(runs("batch-a") + runs("batch-c")).isEqualTo(2);
        assertThat(runs("batch-b")).isZero();
    }

    @Test
    void aQueuedRequestIsCheckedAtOnceAndWrittenLaterUnderTheTokensName() {
        HttpResponse<String> refused = post("/ingest/ol-queued/", event("risk", "queued-risk"), writerGrowth);
        assertThat(refused.statusCode()).isEqualTo(403);
        HttpResponse<String> accepted = post("/ingest/ol-queued/", event("growth", "queued-growth"), writerGrowth);
        assertThat(accepted.statusCode()).as(accepted.body()).isLessThan(300);
        catalog.awaitStatus("ol-queued", s -> s.path("queued").asLong() == 0, Duration.ofSeconds(60));
        assertThat(runs("queued-growth")).isEqualTo(1);
        assertThat(runs("queued-risk")).isZero();
        assertThat(catalog.strings("select distinct c.actor from change_log c join run r on r.id = c.entity_id where r.pipeline = 'queued-growth'"))
                .containsExactly("token:airflow-growth");
        // the stored request kept the sender's name and namespaces, never its token
        assertThat(catalog.count("select count(*) from intake_queue where headers::text like '%" + writerGrowth + "%'")).isZero();
    }

    @Test
    void requestsOfTwoSendersArrivingTogetherAreEachWrittenUnderItsOwnName() throws Exception {
        String other = catalog.createToken("airflow-growth-2", "writer", List.of("growth"), List.of());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String token = i % 2 == 0 ? writerGrowth : other;
                String job = (i % 2 == 0 ? "mixed-a-" : "mixed-b-") + i;
                answers.add(pool.submit(() -> post(OL, event("growth", job), token).statusCode()));
            }
            for (java.util.concurrent.Future<Integer> a : answers) {
                assertThat(a.get()).isEqualTo(201);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(catalog.strings("select distinct c.actor from change_log c join run r on r.id = c.entity_id where r.pipeline like 'mixed-a-%'"))
                .containsExactly("token:airflow-growth");
        assertThat(catalog.strings("select distinct c.actor from change_log c join run r on r.id = c.entity_id where r.pipeline like 'mixed-b-%'"))
                .containsExactly("token:airflow-growth-2");
    }

    @Test
    void theOpenLineageJavaClientSendsTheTokenAsItsApiKey() throws Exception {
        HttpConfig config = new HttpConfig();
        config.setUrl(URI.create(catalog.url("")));
        config.setEndpoint(OL);
        ApiKeyTokenProvider auth = new ApiKeyTokenProvider();
        auth.setApiKey(writerGrowth);
        config.setAuth(auth);
        OpenLineage ol = new OpenLineage(URI.create(Events.PRODUCER));
        try (OpenLineageClient client = new OpenLineageClient(new HttpTransport(config))) {
            client.emit(ol.newRunEventBuilder().eventType(OpenLineage.RunEvent.EventType.COMPLETE)
                    .eventTime(ZonedDateTime.of(2026, 11, 21, 8, 0, 0, 0, ZoneOffset.UTC))
                    .run(ol.newRunBuilder().runId(UUID.randomUUID()).build())
                    .job(ol.newJobBuilder().namespace("growth").name("from-the-client").build())
                    .build());
        }
        assertThat(runs("from-the-client")).isEqualTo(1);
    }
}
