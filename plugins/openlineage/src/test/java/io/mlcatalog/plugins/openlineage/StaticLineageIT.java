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
 * OpenLineage 2-0-x job events and dataset events (static lineage: what a job and a dataset are, without a run), sent
 * over HTTP as a producer sends them, and what a user then reads: the job and the dataset through GraphQL, and the
 * job's declared lineage through Marquez's lineage endpoint. Each is idempotent, and an eventTime without an offset is
 * taken as UTC with a warning.
 */
class StaticLineageIT {
    private static TestingCatalog catalog;
    private static LineageHttp http;

    private static final String JOB_EVENT = """
            {"eventTime": "2026-05-04T08:00:00Z", "producer": "https://github.com/acme/catalog-sync/v1",
             "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
             "job": {"namespace": "warehouse", "name": "orders_rollup",
                     "facets": {"jobType": {"_producer": "https://github.com/acme/catalog-sync/v1",
                                            "_schemaURL": "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json",
                                            "processingType": "BATCH", "integration": "DBT", "jobType": "MODEL"},
                                "sql": {"_producer": "https://github.com/acme/catalog-sync/v1",
                                        "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json",
                                        "query": "insert into rollup select day, sum(total) from orders group by day"},
                                "ownership": {"_producer": "https://github.com/acme/catalog-sync/v1",
                                              "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/OwnershipJobFacet.json",
                                              "owners": [{"name": "team:analytics", "type": "TEAM"}]}}},
             "inputs": [{"namespace": "postgres://db.acme.internal:5432", "name": "shop.public.orders"}],
             "outputs": [{"namespace": "postgres://db.acme.internal:5432", "name": "shop.public.rollup",
                          "facets": {"schema": {"_producer": "https://github.com/acme/catalog-sync/v1",
                                                "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                                                "fields": [{"name": "day", "type": "DATE"}, {"name": "total", "type": "NUMERIC"}]}}}]}""";
    private static final String DATASET_EVENT = """
            {"eventTime": "2026-05-04T07:00:00Z", "producer": "https://github.com/acme/catalog-sync/v1",
             "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
             "dataset": {"namespace": "postgres://db.acme.internal:5432", "name": "shop.public.orders",
                         "facets": {"schema": {"_producer": "https://github.com/acme/catalog-sync/v1",
                                               "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                                               "fields": [{"name": "id", "type": "BIGINT"}, {"name": "day", "type": "DATE"},
                                                          {"name": "total", "type": "NUMERIC", "description": "in EUR"}]},
                                    "documentation": {"_producer": "https://github.com/acme/catalog-sync/v1",
                                                      "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DocumentationDatasetFacet.json",
                                                      "description": "every order placed in the shop"},
                                    "version": {"_producer": "https://github.com/acme/catalog-sync/v1",
                                                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json",
                                                "datasetVersion": "v42"}}}}""";
    private static final String ORDERS = "postgres://db.acme.internal:5432/shop.public.orders";
    private static final String ROLLUP = "postgres://db.acme.internal:5432/shop.public.rollup";

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder().start();
        http = new LineageHttp(catalog);
        assertThat(http.post(DATASET_EVENT).statusCode()).isEqualTo(201);
        assertThat(http.post(JOB_EVENT).statusCode()).isEqualTo(201);
        assertThat(http.post(ROLLUP_DAILY_START).statusCode()).isEqualTo(201);
    }

    /** A run of another job that reads the orders table. */
    private static final String ROLLUP_DAILY_START = """
            {"eventType": "START", "eventTime": "2026-05-05T08:00:00Z", "producer": "https://github.com/acme/etl/v2",
             "run": {"runId": "0196a1b2-0000-7000-8000-0000000000a1"}, "job": {"namespace": "warehouse", "name": "rollup_daily"},
             "inputs": [{"namespace": "postgres://db.acme.internal:5432", "name": "shop.public.orders"}]}""";

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private static final String JOB = """
            query($ns: String!, $name: String!) { job(namespace: $ns, name: $name) {
              namespace name facets declaredInputs { uri name kind namespace } declaredOutputs { uri facets }
              runs { totalCount edges { node { externalId status jobFacets } } } } }""";

    @Test
    void aJobEventRecordsTheJobItsFacetsAndItsDeclaredDatasetsWithoutARun() {
        JsonNode job = catalog.query(JOB, Map.of("ns", "warehouse", "name", "orders_rollup")).path("job");

        assertThat(job.path("name").asText()).isEqualTo("orders_rollup");
        assertThat(job.path("facets").path("jobType").path("integration").asText()).isEqualTo("DBT");
        assertThat(job.path("facets").path("sql").path("query").asText()).startsWith("insert into rollup");
        assertThat(job.path("facets").path("ownership").path("owners").path(0).path("name").asText()).isEqualTo("team:analytics");
        assertThat(job.path("declaredInputs").findValuesAsText("uri")).containsExactly(ORDERS);
        assertThat(job.path("declaredInputs").path(0).path("kind").asText()).isEqualTo("DATASET");
        assertThat(job.path("declaredOutputs").findValuesAsText("uri")).containsExactly(ROLLUP);
        assertThat(job.path("declaredOutputs").path(0).path("facets").path("schema").path("fields").findValuesAsText("name"))
                .containsExactly("day", "total");
        assertThat(job.path("runs").path("totalCount").asInt()).isZero();
        // and a job nothing is known of is not there
        assertThat(catalog.query(JOB, Map.of("ns", "warehouse", "name", "never_seen")).path("job").isNull()).isTrue();
    }

    @Test
    void aDatasetEventRecordsTheDatasetWithItsFacets() {
        // the version the dataset event names (the job event names the table without one: another artifact of the same URI)
        JsonNode orders = catalog.query("""
                query($uri: String!) { artifact(uri: $uri, digest: "version:v42") { uri name namespace kind digest createdAt facets } }""",
                Map.of("uri", ORDERS)).path("artifact");

        assertThat(orders.path("name").asText()).isEqualTo("shop.public.orders");
        assertThat(orders.path("namespace").asText()).isEqualTo("postgres://db.acme.internal:5432");
        assertThat(orders.path("kind").asText()).isEqualTo("DATASET");
        assertThat(orders.path("digest").asText()).isEqualTo("version:v42");
        assertThat(java.time.Instant.parse(orders.path("createdAt").asText())).isEqualTo(java.time.Instant.parse("2026-05-04T07:00:00Z"));
        assertThat(orders.path("facets").path("documentation").path("description").asText()).isEqualTo("every order placed in the shop");
        assertThat(orders.path("facets").path("schema").path("fields").findValuesAsText("name")).containsExactly("id", "day", "total");
    }

    @Test
    void sendingAJobOrDatasetEventAgainChangesNothing() {
        Map<String, Long> rows = catalog.rowCounts();
        JsonNode job = catalog.query(JOB, Map.of("ns", "warehouse", "name", "orders_rollup"));
        List<String> declared = catalog.strings("select job || ' ' || direction || ' ' || since from job_io order by 1");

        assertThat(http.post(JOB_EVENT).statusCode()).isEqualTo(201);
        assertThat(http.post(DATASET_EVENT).statusCode()).isEqualTo(201);
        assertThat(http.postArray(List.of(JOB_EVENT, DATASET_EVENT)).statusCode()).isEqualTo(200);

        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(catalog.query(JOB, Map.of("ns", "warehouse", "name", "orders_rollup"))).isEqualTo(job);
        assertThat(catalog.strings("select job || ' ' || direction || ' ' || since from job_io order by 1")).isEqualTo(declared);
    }

    @Test
    void aRunOfTheJobSharesItsFacetsAndShowsAmongItsRuns() {
        String declare = """
                {"eventTime": "2026-05-05T07:00:00Z", "producer": "https://github.com/acme/catalog-sync/v1",
                 "job": {"namespace": "warehouse", "name": "rollup_daily",
                         "facets": {"documentation": {"_producer": "p", "_schemaURL": "s", "description": "rolls orders up, daily"}}}}""";
        assertThat(http.post(declare).statusCode()).isEqualTo(201);

        JsonNode job = catalog.query(JOB, Map.of("ns", "warehouse", "name", "rollup_daily")).path("job");
        assertThat(job.path("runs").path("totalCount").asInt()).isEqualTo(1);
        JsonNode run = job.path("runs").path("edges").path(0).path("node");
        assertThat(run.path("externalId").asText()).isEqualTo("0196a1b2-0000-7000-8000-0000000000a1");
        assertThat(run.path("jobFacets").path("documentation").path("description").asText()).isEqualTo("rolls orders up, daily");
        assertThat(job.path("declaredInputs")).isEmpty();
    }

    @Test
    void aJobEventWithoutAnOffsetIsTakenAsUtcAndTheAnswerSaysSo() {
        String event = """
                {"eventTime": "2026-05-06T09:30:00", "producer": "https://github.com/acme/legacy-emitter/0.9",
                 "job": {"namespace": "warehouse", "name": "legacy_export"},
                 "outputs": [{"namespace": "s3://acme-exports", "name": "daily/export.csv"}]}""";

        HttpResponse<String> r = http.post(event);

        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(LineageHttp.json(r).path("status").asText()).isEqualTo("accepted");
        assertThat(LineageHttp.json(r).path("warnings").path(0).asText())
                .isEqualTo("eventTime '2026-05-06T09:30:00' has no offset: taken as UTC (2026-05-06T09:30:00Z)");
        JsonNode export = catalog.query("{ artifact(uri: \"s3://acme-exports/daily/export.csv\") { createdAt } }").path("artifact");
        assertThat(java.time.Instant.parse(export.path("createdAt").asText())).isEqualTo(java.time.Instant.parse("2026-05-06T09:30:00Z"));
        // and the catalog keeps the note where its users look later: a facet of the job the event describes
        JsonNode note = catalog.query("{ job(namespace: \"warehouse\", name: \"legacy_export\") { facets } }")
                .path("job").path("facets").path("mlcatalog_warnings");
        assertThat(note.path("warnings").path(0).asText()).contains("has no offset: taken as UTC");
        assertThat(note.path("eventTime").asText()).isEqualTo("2026-05-06T09:30:00Z");
        assertThat(catalog.strings("select since from job_io where job = 'legacy_export'")).singleElement()
                .satisfies(since -> assertThat(since).startsWith("2026-05-06 09:30:00"));
    }

    @Test
    void marquezsLineageOfTheJobIsItsDeclaredDatasets() {
        HttpResponse<String> r = get("job:warehouse:orders_rollup");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode graph = LineageHttp.json(r).path("graph");
        assertThat(ids(graph)).contains("job:warehouse:orders_rollup",
                "dataset:postgres://db.acme.internal:5432:shop.public.orders", "dataset:postgres://db.acme.internal:5432:shop.public.rollup");
        JsonNode job = node(graph, "job:warehouse:orders_rollup");
        assertThat(job.path("type").asText()).isEqualTo("JOB");
        assertThat(job.path("data").path("facets").path("jobType").path("jobType").asText()).isEqualTo("MODEL");
        assertThat(job.path("data").path("inputs").findValuesAsText("name")).containsExactly("shop.public.orders");
        assertThat(job.path("data").path("outputs").findValuesAsText("name")).containsExactly("shop.public.rollup");
        JsonNode orders = node(graph, "dataset:postgres://db.acme.internal:5432:shop.public.orders");
        assertThat(orders.path("data").path("namespace").asText()).isEqualTo("postgres://db.acme.internal:5432");
        assertThat(node(graph, "dataset:postgres://db.acme.internal:5432:shop.public.rollup").path("data").path("fields")
                .findValuesAsText("name")).containsExactly("day", "total");
        assertThat(orders.path("outEdges").findValuesAsText("destination")).contains("job:warehouse:orders_rollup");

        // the dataset, named the OpenLineage way, is found again, and leads to the job that reads it
        HttpResponse<String> fromDataset = get("dataset:postgres://db.acme.internal:5432:shop.public.orders");
        assertThat(fromDataset.statusCode()).as(fromDataset.body()).isEqualTo(200);
        JsonNode datasetGraph = LineageHttp.json(fromDataset).path("graph");
        // the job whose run read it, and the job that declares it reads it (a job event: no run), each with its edge
        assertThat(ids(datasetGraph)).contains("job:warehouse:rollup_daily", "job:warehouse:orders_rollup");
        assertThat(node(datasetGraph, "dataset:postgres://db.acme.internal:5432:shop.public.orders").path("outEdges")
                .findValuesAsText("destination")).containsExactly("job:warehouse:orders_rollup", "job:warehouse:rollup_daily");
        assertThat(node(datasetGraph, "job:warehouse:orders_rollup").path("data").path("facets").path("sql").path("query").asText())
                .startsWith("insert into rollup");
    }

    private static HttpResponse<String> get(String nodeId) {
        return http.send(HttpRequest.newBuilder(URI.create(catalog.url(LineageHttp.PATH + "?nodeId="
                + URLEncoder.encode(nodeId, StandardCharsets.UTF_8) + "&depth=4"))).GET().build());
    }

    private static List<String> ids(JsonNode graph) {
        List<String> ids = new java.util.ArrayList<>();
        graph.forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    private static JsonNode node(JsonNode graph, String id) {
        for (JsonNode n : graph) {
            if (n.path("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no node " + id + " in " + graph);
    }
}
