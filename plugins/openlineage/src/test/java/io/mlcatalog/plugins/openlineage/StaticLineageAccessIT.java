package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Static lineage under access control: a team's dataset that another team's job declares it reads. A reader of the
 * first team sees the dataset, its runs' jobs, and nothing of the other team's job, through GraphQL as through
 * Marquez's lineage endpoint; a writer may not declare a job in a namespace it may not write.
 */
class StaticLineageAccessIT {
    private static final String ADMIN = "static-lineage-admin-token-0123456789";
    private static final String EVENTS = "s3://acme-shared/events.parquet";
    private static TestingCatalog catalog;
    private static LineageHttp http;
    private static String readerGrowth;
    private static String writerGrowth;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder().secured(ADMIN).start();
        http = new LineageHttp(catalog);
        readerGrowth = catalog.createToken("growth-dashboards", "reader", List.of("growth"), List.of());
        writerGrowth = catalog.createToken("growth-airflow", "writer", List.of("growth"), List.of());
        // growth's run reads the dataset first: it is filed under growth
        post("""
                {"eventType": "COMPLETE", "eventTime": "2026-07-01T10:00:00Z", "producer": "https://github.com/acme/etl/v2",
                 "run": {"runId": "0197c0d0-0000-7000-8000-0000000000a1"}, "job": {"namespace": "growth", "name": "features"},
                 "inputs": [{"namespace": "s3://acme-shared", "name": "events.parquet"}]}""", ADMIN, 201);
        // risk declares, later, that one of its jobs reads it too
        post("""
                {"eventTime": "2026-07-02T10:00:00Z", "producer": "https://github.com/acme/catalog-sync/v1",
                 "job": {"namespace": "risk", "name": "fraud_scoring", "facets": {"sql": {"_producer": "p", "_schemaURL": "s",
                         "query": "select * from events"}}},
                 "inputs": [{"namespace": "s3://acme-shared", "name": "events.parquet"}]}""", ADMIN, 201);
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private static final String DECLARED = """
            query($uri: String!) { artifact(uri: $uri) { namespace declaredReadBy { namespace name facets } } }""";

    @Test
    void aReaderSeesNoJobOfANamespaceItMayNotRead() {
        JsonNode all = catalog.query(DECLARED, Map.of("uri", EVENTS)).path("artifact");
        assertThat(all.path("namespace").asText()).isEqualTo("growth");
        assertThat(all.path("declaredReadBy").findValuesAsText("name")).containsExactly("fraud_scoring");

        JsonNode growth = catalog.graphql(readerGrowth, DECLARED, Map.of("uri", EVENTS)).path("data").path("artifact");
        assertThat(growth.path("namespace").asText()).isEqualTo("growth");
        assertThat(growth.path("declaredReadBy")).isEmpty();
        assertThat(catalog.graphql(readerGrowth, "{ job(namespace: \"risk\", name: \"fraud_scoring\") { name } }", Map.of())
                .path("errors").path(0).path("extensions").path("code").asText()).isEqualTo("FORBIDDEN");
    }

    @Test
    void marquezsLineageLeavesTheOtherNamespacesJobOut() {
        HttpResponse<String> admin = lineage("dataset:s3://acme-shared:events.parquet", ADMIN);
        HttpResponse<String> reader = lineage("dataset:s3://acme-shared:events.parquet", readerGrowth);

        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        assertThat(ids(admin)).contains("job:growth:features", "job:risk:fraud_scoring");
        assertThat(reader.statusCode()).as(reader.body()).isEqualTo(200);
        assertThat(ids(reader))
                .containsExactly("dataset:s3://acme-shared:events.parquet", "job:growth:features");
        assertThat(reader.body()).doesNotContain("risk").doesNotContain("fraud");
        assertThat(lineage("job:risk:fraud_scoring", readerGrowth).statusCode()).isEqualTo(404);
        assertThat(lineage("job:risk:fraud_scoring", null).statusCode()).isEqualTo(401);
    }

    @Test
    void aWriterMayNotDeclareAJobOutsideItsNamespaces() {
        Map<String, Long> rows = catalog.rowCounts();

        HttpResponse<String> r = post("""
                {"eventTime": "2026-07-03T10:00:00Z", "producer": "https://github.com/acme/catalog-sync/v1",
                 "job": {"namespace": "risk", "name": "sneaky"},
                 "outputs": [{"namespace": "s3://acme-shared", "name": "events.parquet"}]}""", writerGrowth, 403);

        assertThat(LineageHttp.json(r).path("path").asText()).isEqualTo("$.job.namespace");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    /** The ids of the graph's nodes, in the order answered. */
    private static List<String> ids(HttpResponse<String> r) {
        List<String> ids = new java.util.ArrayList<>();
        LineageHttp.json(r).path("graph").forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    private static HttpResponse<String> post(String event, String token, int status) {
        HttpResponse<String> r = http.post(LineageHttp.PATH, "application/json", event.getBytes(StandardCharsets.UTF_8), "Bearer " + token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return r;
    }

    private static HttpResponse<String> lineage(String nodeId, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url(LineageHttp.PATH + "?nodeId="
                + URLEncoder.encode(nodeId, StandardCharsets.UTF_8)))).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build());
    }
}
