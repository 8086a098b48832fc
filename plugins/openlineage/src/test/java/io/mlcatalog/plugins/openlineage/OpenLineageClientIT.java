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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OpenLineage's own Java client, its HTTP transport pointed at the catalog and nothing else changed
 * (default endpoint {@code /api/v1/lineage}), as a team's pipeline would use it: what it emits shows up
 * in the catalog's runs and lineage, while the run runs and after.
 */
class OpenLineageClientIT {
    private static final URI PRODUCER = URI.create("https://github.com/acme/pipelines/tree/1.0.0");
    private static final ZonedDateTime T0 = ZonedDateTime.of(2026, 3, 1, 6, 0, 0, 0, ZoneOffset.UTC);
    private static final String SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8";
    private static final OpenLineage ol = new OpenLineage(PRODUCER);
    private static TestingCatalog catalog;
    private static OpenLineageClient client;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder().start();
        client = new OpenLineageClient(new HttpTransport(http(catalog.url(""), null)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    /** The transport's configuration as a user writes it: the catalog's URL, the default endpoint, perhaps a key. */
    private static HttpConfig http(String url, String apiKey) {
        HttpConfig config = new HttpConfig();
        config.setUrl(URI.create(url));
        if (apiKey != null) {
            ApiKeyTokenProvider auth = new ApiKeyTokenProvider();
            auth.setApiKey(apiKey);
            config.setAuth(auth);
        }
        return config;
    }

    @Test
    void startRunningCompleteWithDatasetsAndFacetsShowLineageWhileRunningAndAfter() {
        UUID runId = UUID.randomUUID();
        OpenLineage.JobFacets jobFacets = ol.newJobFacetsBuilder()
                .sourceCodeLocation(ol.newSourceCodeLocationJobFacetBuilder().type("git")
                        .url(URI.create("https://github.com/acme/etl/blob/" + SHA + "/daily.py"))
                        .repoUrl("https://github.com/acme/etl.git").path("daily.py").version(SHA).branch("main").build())
                .sql(ol.newSQLJobFacet("insert into sales select * from orders", "bigquery"))
                .build();
        OpenLineage.Job job = ol.newJob("sales-team", "daily_sales", jobFacets);
        OpenLineage.RunFacets runFacets = ol.newRunFacetsBuilder()
                .nominalTime(ol.newNominalTimeRunFacet(T0, T0.plusDays(1)))
                .put("acme_cost", custom(Map.of("currency", "EUR", "amount", 12.5, "breakdown", List.of(Map.of("slot", "a", "ms", 10)))))
                .build();
        OpenLineage.InputDataset orders = ol.newInputDataset("s3://acme-raw", "orders/2026-03-01.csv",
                ol.newDatasetFacetsBuilder().storage(ol.newStorageDatasetFacet("s3", "csv")).build(), null);
        OpenLineage.InputDataset customers = ol.newInputDataset("bigquery", "acme.crm.customers",
                ol.newDatasetFacetsBuilder().version(ol.newDatasetVersionDatasetFacet("1717")).build(), null);

        client.emit(event(OpenLineage.RunEvent.EventType.START, T0.plusMinutes(1), runId, job, runFacets, List.of(orders, customers), List.of()));

        String runGid = run("sales-team", runId).path("id").asText();
        JsonNode started = run("sales-team", runId);
        assertThat(started.path("status").asText()).isEqualTo("RUNNING");
        assertThat(uris(started.path("inputs"))).containsExactlyInAnyOrder("s3://acme-raw/orders/2026-03-01.csv", "bigquery:acme.crm.customers");
        assertThat(started.path("outputs")).isEmpty();

        OpenLineage.OutputDataset sales = ol.newOutputDataset("bigquery", "acme.reporting.sales",
                ol.newDatasetFacetsBuilder().version(ol.newDatasetVersionDatasetFacet("1718"))
                        .storage(ol.newStorageDatasetFacet("iceberg", "parquet"))
                        .schema(ol.newSchemaDatasetFacet(List.of(
                                ol.newSchemaDatasetFacetFieldsBuilder().name("day").type("DATE").build(),
                                ol.newSchemaDatasetFacetFieldsBuilder().name("revenue").type("NUMERIC").build())))
                        .build(),
                ol.newOutputDatasetOutputFacetsBuilder().outputStatistics(ol.newOutputStatisticsOutputDatasetFacet(365L, 4096L, 1L)).build());
        OpenLineage.OutputDataset report = ol.newOutputDataset("gs://acme-reports", "daily/2026-03-01.json", null, null);
        client.emit(event(OpenLineage.RunEvent.EventType.RUNNING, T0.plusMinutes(5), runId, job, null, List.of(), List.of(sales)));
        client.emit(event(OpenLineage.RunEvent.EventType.RUNNING, T0.plusMinutes(6), runId, job, null, List.of(), List.of(report)));

        // lineage shows while the run still runs: from an input, downstream through the run to both outputs
        JsonNode running = run("sales-team", runId);
        assertThat(running.path("status").asText()).isEqualTo("RUNNING");
        assertThat(uris(running.path("outputs"))).containsExactlyInAnyOrder("bigquery:acme.reporting.sales", "gs://acme-reports/daily/2026-03-01.json");
        JsonNode downstream = catalog.query("""
                query($id: ID!) { lineage(from: $id, direction: DOWNSTREAM, depth: 2) {
                  nodes { __typename ... on Run { id status } ... on Artifact { uri } } edges { kind } } }""",
                Map.of("id", artifact("s3://acme-raw/orders/2026-03-01.csv").path("id").asText())).path("lineage");
        assertThat(downstream.path("nodes").findValuesAsText("uri")).contains("bigquery:acme.reporting.sales", "gs://acme-reports/daily/2026-03-01.json");
        assertThat(downstream.path("nodes").findValuesAsText("id")).contains(runGid);
        assertThat(downstream.path("edges").findValuesAsText("kind")).contains("CONSUMED", "PRODUCED");

        client.emit(event(OpenLineage.RunEvent.EventType.COMPLETE, T0.plusMinutes(9), runId, job, null, List.of(orders, customers),
                List.of(sales, report)));

        JsonNode done = run("sales-team", runId);
        assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(done.path("startedAt").asText())).isEqualTo(T0.plusMinutes(1).toInstant());
        assertThat(Instant.parse(done.path("endedAt").asText())).isEqualTo(T0.plusMinutes(9).toInstant());
        assertThat(done.path("pipeline").asText()).isEqualTo("daily_sales");
        assertThat(done.path("externalId").asText()).isEqualTo(runId.toString());
        // sourceCodeLocation → the code version, and the BUILT_FROM edge to it
        assertThat(done.path("codeVersion").path("repository").asText()).isEqualTo("https://github.com/acme/etl");
        assertThat(done.path("codeVersion").path("commit").asText()).isEqualTo(SHA);
        JsonNode upstream = catalog.query("query($id: ID!) { lineage(from: $id, direction: UPSTREAM, depth: 1) { edges { kind from } } }",
                Map.of("id", runGid)).path("lineage");
        assertThat(upstream.path("edges").findValuesAsText("kind")).contains("BUILT_FROM", "CONSUMED");
        // run facets and job facets, known and custom, kept whole
        assertThat(Instant.parse(done.path("facets").path("nominalTime").path("nominalStartTime").asText())).isEqualTo(T0.toInstant());
        assertThat(done.path("facets").path("acme_cost").path("currency").asText()).isEqualTo("EUR");
        assertThat(done.path("facets").path("acme_cost").path("amount").asDouble()).isEqualTo(12.5);
        assertThat(done.path("facets").path("acme_cost").path("breakdown").path(0).path("ms").asInt()).isEqualTo(10);
        assertThat(done.path("facets").path("acme_cost").path("_producer").asText()).isEqualTo(PRODUCER.toString());
        assertThat(done.path("jobFacets").path("sourceCodeLocation").path("branch").asText()).isEqualTo("main");
        assertThat(done.path("jobFacets").path("sql").path("query").asText()).isEqualTo("insert into sales select * from orders");
        // the dataset version facet is the digest, the storage facet the media type
        assertThat(artifact("bigquery:acme.reporting.sales").path("digest").asText()).isEqualTo("version:1718");
        assertThat(artifact("bigquery:acme.reporting.sales").path("mediaType").asText()).isEqualTo("application/vnd.apache.parquet");
        assertThat(artifact("bigquery:acme.crm.customers").path("digest").asText()).isEqualTo("version:1717");
        // dataset facets (with the output facets of the run that wrote it), kept whole on the artifact
        JsonNode salesFacets = artifact("bigquery:acme.reporting.sales").path("facets");
        assertThat(salesFacets.path("schema").path("fields").findValuesAsText("name")).containsExactly("day", "revenue");
        assertThat(salesFacets.path("outputStatistics").path("rowCount").asLong()).isEqualTo(365);
        assertThat(salesFacets.path("version").path("datasetVersion").asText()).isEqualTo("1718");
        assertThat(artifact("s3://acme-raw/orders/2026-03-01.csv").path("mediaType").asText()).isEqualTo("text/csv");
        assertThat(artifact("s3://acme-raw/orders/2026-03-01.csv").path("digest").isNull()).isTrue();
    }

    @Test
    void aFailedRunKeepsItsErrorMessage() {
        UUID runId = UUID.randomUUID();
        OpenLineage.Job job = ol.newJob("sales-team", "load_orders", null);
        client.emit(event(OpenLineage.RunEvent.EventType.START, T0, runId, job, null, List.of(), List.of()));
        OpenLineage.RunFacets failure = ol.newRunFacetsBuilder()
                .errorMessage(ol.newErrorMessageRunFacet("table orders not found", "python", "Traceback (most recent call last): …"))
                .build();

        client.emit(event(OpenLineage.RunEvent.EventType.FAIL, T0.plusMinutes(2), runId, job, failure, List.of(), List.of()));

        JsonNode run = run("sales-team", runId);
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("facets").path("errorMessage").path("message").asText()).isEqualTo("table orders not found");
        assertThat(run.path("facets").path("errorMessage").path("programmingLanguage").asText()).isEqualTo("python");
        assertThat(Instant.parse(run.path("endedAt").asText())).isEqualTo(T0.plusMinutes(2).toInstant());
    }

    @Test
    void anAbortedRun() {
        UUID runId = UUID.randomUUID();
        OpenLineage.Job job = ol.newJob("sales-team", "backfill", null);
        client.emit(event(OpenLineage.RunEvent.EventType.START, T0, runId, job, null, List.of(), List.of()));
        client.emit(event(OpenLineage.RunEvent.EventType.ABORT, T0.plusMinutes(1), runId, job, null, List.of(), List.of()));

        assertThat(run("sales-team", runId).path("status").asText()).isEqualTo("ABORTED");
    }

    @Test
    void theParentRunFacetLinksATaskToItsDagRun() {
        UUID dagRun = UUID.randomUUID();
        UUID taskRun = UUID.randomUUID();
        OpenLineage.Job dag = ol.newJob("airflow-prod", "sales_dag", null);
        client.emit(event(OpenLineage.RunEvent.EventType.START, T0, dagRun, dag, null, List.of(), List.of()));
        OpenLineage.RunFacets parent = ol.newRunFacetsBuilder().parent(ol.newParentRunFacet(ol.newParentRunFacetRun(dagRun, null),
                ol.newParentRunFacetJob("airflow-prod", "sales_dag", null), null)).build();

        client.emit(event(OpenLineage.RunEvent.EventType.START, T0.plusSeconds(5), taskRun, ol.newJob("airflow-prod", "sales_dag.extract", null),
                parent, List.of(), List.of()));

        JsonNode task = run("airflow-prod", taskRun);
        assertThat(task.path("parent").path("externalId").asText()).isEqualTo(dagRun.toString());
        assertThat(task.path("parent").path("name").asText()).isEqualTo("sales_dag");
        assertThat(task.path("facets").path("parent").path("job").path("name").asText()).isEqualTo("sales_dag");
    }

    @Test
    void datasetAndJobEvents() {
        client.emit(ol.newDatasetEventBuilder().eventTime(T0).dataset(ol.newStaticDataset("s3://acme-raw", "customers/snapshot.parquet",
                ol.newDatasetFacetsBuilder().version(ol.newDatasetVersionDatasetFacet("7")).build())).build());
        client.emit(ol.newJobEventBuilder().eventTime(T0).job(ol.newJob("sales-team", "weekly_report",
                ol.newJobFacetsBuilder().sql(ol.newSQLJobFacet("select 1", null)).build())).inputs(List.of()).outputs(List.of()).build());
        UUID runId = UUID.randomUUID();
        client.emit(event(OpenLineage.RunEvent.EventType.START, T0.plusHours(1), runId, ol.newJob("sales-team", "weekly_report", null),
                null, List.of(), List.of()));

        assertThat(artifact("s3://acme-raw/customers/snapshot.parquet").path("digest").asText()).isEqualTo("version:7");
        assertThat(run("sales-team", runId).path("jobFacets").path("sql").path("query").asText()).isEqualTo("select 1");
    }

    /** Every run event type the client knows, one run each: its status is what the mapping table says. */
    @Test
    void everyRunEventTypeTheClientBuilds() {
        Map<OpenLineage.RunEvent.EventType, String> expected = Map.of(
                OpenLineage.RunEvent.EventType.START, "RUNNING",
                OpenLineage.RunEvent.EventType.RUNNING, "RUNNING",
                OpenLineage.RunEvent.EventType.OTHER, "RUNNING",
                OpenLineage.RunEvent.EventType.COMPLETE, "SUCCEEDED",
                OpenLineage.RunEvent.EventType.FAIL, "FAILED",
                OpenLineage.RunEvent.EventType.ABORT, "ABORTED");
        assertThat(expected.keySet()).as("every event type of the client is checked").containsExactlyInAnyOrder(
                OpenLineage.RunEvent.EventType.values());
        for (OpenLineage.RunEvent.EventType type : OpenLineage.RunEvent.EventType.values()) {
            UUID runId = UUID.randomUUID();
            OpenLineage.InputDataset in = ol.newInputDataset("s3://acme-types", "in/" + type + ".csv", null, null);
            OpenLineage.OutputDataset out = ol.newOutputDataset("s3://acme-types", "out/" + type + ".csv", null, null);

            client.emit(event(type, T0.plusMinutes(type.ordinal()), runId, ol.newJob("types", "job_" + type, null), null,
                    List.of(in), List.of(out)));

            JsonNode run = run("types", runId);
            assertThat(run.path("status").asText()).as(type.name()).isEqualTo(expected.get(type));
            Instant at = T0.plusMinutes(type.ordinal()).toInstant();
            assertThat(Instant.parse(run.path(expected.get(type).equals("RUNNING") ? "startedAt" : "endedAt").asText())).as(type.name())
                    .isEqualTo(at);
            assertThat(run.path("pipeline").asText()).isEqualTo("job_" + type);
            assertThat(uris(run.path("inputs"))).containsExactly("s3://acme-types/in/" + type + ".csv");
            assertThat(uris(run.path("outputs"))).containsExactly("s3://acme-types/out/" + type + ".csv");
        }
    }

    /** The client's job event (static lineage) and dataset event, as a catalog-sync tool would send them. */
    @Test
    void theClientsJobAndDatasetEventsShowAsTheJobAndTheDataset() {
        OpenLineage.JobFacets facets = ol.newJobFacetsBuilder()
                .jobType(ol.newJobTypeJobFacet("BATCH", "DBT", "MODEL", null))
                .sql(ol.newSQLJobFacet("select * from raw.events", "postgres"))
                .documentation(ol.newDocumentationJobFacet("loads the events table", null))
                .build();
        OpenLineage.InputDataset events = ol.newInputDataset("postgres://pg.acme:5432", "raw.public.events", null, null);
        OpenLineage.OutputDataset daily = ol.newOutputDataset("postgres://pg.acme:5432", "mart.public.daily_events",
                ol.newDatasetFacetsBuilder().schema(ol.newSchemaDatasetFacet(List.of(
                        ol.newSchemaDatasetFacetFieldsBuilder().name("day").type("DATE").build()))).build(), null);
        OpenLineage.JobEvent jobEvent = ol.newJobEventBuilder().eventTime(T0).job(ol.newJob("static-team", "daily_events", facets))
                .inputs(List.of(events)).outputs(List.of(daily)).build();
        OpenLineage.DatasetEvent datasetEvent = ol.newDatasetEventBuilder().eventTime(T0.plusMinutes(1))
                .dataset(ol.newStaticDataset("postgres://pg.acme:5432", "raw.public.events", ol.newDatasetFacetsBuilder()
                        .documentation(ol.newDocumentationDatasetFacet("every event, raw", null)).build()))
                .build();

        client.emit(jobEvent);
        client.emit(datasetEvent);
        Map<String, Long> rows = catalog.rowCounts();
        client.emit(jobEvent);
        client.emit(datasetEvent);
        assertThat(catalog.rowCounts()).as("sent again, nothing changes").isEqualTo(rows);

        JsonNode job = catalog.query("""
                { job(namespace: "static-team", name: "daily_events") { facets declaredInputs { uri } declaredOutputs { uri facets }
                  runs { totalCount } } }""").path("job");
        assertThat(job.path("facets").path("jobType").path("integration").asText()).isEqualTo("DBT");
        assertThat(job.path("facets").path("sql").path("query").asText()).isEqualTo("select * from raw.events");
        assertThat(job.path("facets").path("documentation").path("description").asText()).isEqualTo("loads the events table");
        assertThat(uris(job.path("declaredInputs"))).containsExactly("postgres://pg.acme:5432/raw.public.events");
        assertThat(uris(job.path("declaredOutputs"))).containsExactly("postgres://pg.acme:5432/mart.public.daily_events");
        assertThat(job.path("declaredOutputs").path(0).path("facets").path("schema").path("fields").findValuesAsText("name"))
                .containsExactly("day");
        assertThat(job.path("runs").path("totalCount").asInt()).isZero();
        assertThat(artifact("postgres://pg.acme:5432/raw.public.events").path("facets").path("documentation").path("description").asText())
                .isEqualTo("every event, raw");
    }

    @Test
    void withATokenOnTheInstanceTheClientsApiKeyIsTheBearerToken() throws Exception {
        try (TestingCatalog secured = TestingCatalog.builder()
                .instance("lineage", "openlineage", Map.of(), Map.of("token", "${env:LINEAGE_TOKEN}"))
                .env(Map.of("LINEAGE_TOKEN", "s3cret-key"))
                .start()) {
            UUID runId = UUID.randomUUID();
            OpenLineage.RunEvent start = event(OpenLineage.RunEvent.EventType.START, T0, runId, ol.newJob("secure", "job", null), null,
                    List.of(), List.of());
            Map<String, Long> rows = secured.rowCounts();

            try (OpenLineageClient anonymous = new OpenLineageClient(new HttpTransport(http(secured.url(""), null)));
                 OpenLineageClient wrong = new OpenLineageClient(new HttpTransport(http(secured.url(""), "guess")))) {
                assertThatThrownBy(() -> anonymous.emit(start)).hasStackTraceContaining("401");
                assertThatThrownBy(() -> wrong.emit(start)).hasStackTraceContaining("401");
            }
            assertThat(secured.rowCounts()).isEqualTo(rows);

            try (OpenLineageClient keyed = new OpenLineageClient(new HttpTransport(http(secured.url(""), "s3cret-key")))) {
                keyed.emit(start);
            }
            assertThat(secured.query("query($id: String!) { run(namespace: \"secure\", externalId: $id) { status } }",
                    Map.of("id", runId.toString())).path("run").path("status").asText()).isEqualTo("RUNNING");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static OpenLineage.RunEvent event(OpenLineage.RunEvent.EventType type, ZonedDateTime time, UUID runId, OpenLineage.Job job,
                                              OpenLineage.RunFacets facets, List<OpenLineage.InputDataset> inputs,
                                              List<OpenLineage.OutputDataset> outputs) {
        return ol.newRunEventBuilder().eventType(type).eventTime(time).run(ol.newRun(runId, facets)).job(job)
                .inputs(inputs).outputs(outputs).build();
    }

    private static OpenLineage.RunFacet custom(Map<String, Object> values) {
        OpenLineage.DefaultRunFacet facet = new OpenLineage.DefaultRunFacet(PRODUCER);
        facet.getAdditionalProperties().putAll(values);
        return facet;
    }

    private static JsonNode run(String namespace, UUID runId) {
        JsonNode run = catalog.query("""
                query($ns: String!, $id: String!) { run(namespace: $ns, externalId: $id) {
                  id name pipeline externalId status startedAt endedAt facets jobFacets
                  parent { name externalId } codeVersion { repository commit } inputs { uri } outputs { uri } } }""",
                Map.of("ns", namespace, "id", runId.toString())).path("run");
        assertThat(run.isObject()).as("run %s in %s", runId, namespace).isTrue();
        return run;
    }

    private static JsonNode artifact(String uri) {
        JsonNode a = catalog.query("query($uri: String!) { artifact(uri: $uri) { id uri digest mediaType kind facets } }", Map.of("uri", uri))
                .path("artifact");
        assertThat(a.isObject()).as("artifact %s", uri).isTrue();
        return a;
    }

    private static List<String> uris(JsonNode artifacts) {
        List<String> uris = new ArrayList<>();
        artifacts.forEach(a -> uris.add(a.path("uri").asText()));
        return uris;
    }
}
