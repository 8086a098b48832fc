package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every event of the corpus of real events (Airflow; Spark, on Dataproc too) is accepted, in order, in
 * reverse order, twice, and in the batch forms, always leaving the same catalog; and each scenario's
 * runs, datasets and edges are what its {@code scenario.md} describes (where that text and the events
 * disagree, the events are asserted and the difference is said).
 */
class CorpusIT {
    private static Map<String, Corpus.Scenario> scenarios;
    private static List<String> events;
    private static TestingCatalog catalog;
    private static LineageHttp http;
    private static final Map<String, HttpResponse<String>> firstAnswers = new LinkedHashMap<>();

    @BeforeAll
    static void ingestInOrder() {
        scenarios = Corpus.scenarios();
        events = new ArrayList<>();
        scenarios.values().forEach(s -> events.addAll(s.events()));
        catalog = TestingCatalog.builder().start();
        http = new LineageHttp(catalog);
        scenarios.values().forEach(s -> {
            for (int i = 0; i < s.events().size(); i++) {
                firstAnswers.put(s.name() + " event " + (i + 1), http.post(s.events().get(i)));
            }
        });
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void everyEventIsAcceptedInEmissionOrder() {
        firstAnswers.forEach((event, r) -> assertThat(r.statusCode()).as("%s: %s", event, r.body()).isEqualTo(201));
        assertThat(firstAnswers).hasSizeGreaterThan(60);
    }

    @Test
    void ingestingEverythingASecondTimeChangesNothing() {
        Map<String, Long> rows = catalog.rowCounts();
        ObjectNode state = CatalogState.of(catalog);

        for (String e : events) {
            HttpResponse<String> r = http.post(e);
            assertThat(r.statusCode()).isEqualTo(201);
        }

        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(CatalogState.diff(state, CatalogState.of(catalog))).isEmpty();
    }

    @Test
    void reverseOrderLeavesTheSameCatalogAsEmissionOrder() {
        List<String> reversed = new ArrayList<>(events);
        Collections.reverse(reversed);
        try (TestingCatalog other = TestingCatalog.builder().start()) {
            LineageHttp otherHttp = new LineageHttp(other);
            for (String e : reversed) {
                assertThat(otherHttp.post(e).statusCode()).isEqualTo(201);
            }

            // the change log records what each arrival changed, so its length depends on the order by design (and the facet documents)
            assertThat(withoutHistory(other.rowCounts())).isEqualTo(withoutHistory(catalog.rowCounts()));
            assertThat(CatalogState.diff(CatalogState.of(catalog), CatalogState.of(other))).isEmpty();
        }
    }

    /**
     * The counts but those that depend on the order things arrived in by design: the change log, and the facet
     * documents (a document a facet held before a later one replaced it stays stored, V15__facet_documents.sql; the
     * facets themselves are compared by {@link CatalogState}).
     */
    private static Map<String, Long> withoutHistory(Map<String, Long> rows) {
        Map<String, Long> r = new LinkedHashMap<>(rows);
        r.remove("change_log");
        r.remove("facet_document");
        return r;
    }

    @Test
    void theWholeCorpusAsOneJsonArrayAndAsNdjsonIsAcceptedEventByEvent() {
        try (TestingCatalog other = TestingCatalog.builder().start()) {
            LineageHttp otherHttp = new LineageHttp(other);

            HttpResponse<String> array = otherHttp.postArray(events);
            assertBatchAccepted(array);
            Map<String, Long> rows = other.rowCounts();
            // a batch logs a run created and updated within it once, as created in its final state: fewer change-log rows
            assertThat(withoutHistory(rows)).isEqualTo(withoutHistory(catalog.rowCounts()));
            assertThat(rows.get("change_log")).isPositive().isLessThanOrEqualTo(catalog.rowCounts().get("change_log"));
            assertThat(CatalogState.diff(CatalogState.of(catalog), CatalogState.of(other))).isEmpty();

            HttpResponse<String> ndjson = otherHttp.postNdjson(events);
            assertBatchAccepted(ndjson);
            assertThat(other.rowCounts()).isEqualTo(rows);
        }
    }

    private void assertBatchAccepted(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = LineageHttp.json(r);
        assertThat(body.path("accepted").asInt()).as(r.body()).isEqualTo(events.size());
        assertThat(body.path("rejected").asInt()).isZero();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = body.path("events").path(i);
            assertThat(e.path("index").asInt()).isEqualTo(i);
            assertThat(e.path("status").asText()).as(e.toString()).isEqualTo("accepted");
        }
    }

    // ------------------------------------------------------------------ simple_run_event

    /**
     * The scenario's one event reads a BigQuery table and writes another; its runId is {@code "run_id"}, no UUID
     * (which the spec asks for), and it is taken as sent: the run is known by its job and that id. (Its scenario.md
     * names the inputs cll_source1 and cll_source2, the CLL scenario's; the event reads test.table.input.)
     */
    @Test
    void simpleRunEventTheRunReadsOneBigQueryTableAndWritesAnother() {
        JsonNode run = run("job_namespace", "job_name");
        assertThat(run.path("externalId").asText()).isEqualTo("run_id");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("pipeline").asText()).isEqualTo("job_name");
        assertThat(instant(run, "endedAt")).isEqualTo("2023-04-04T13:21:16.098Z");
        assertThat(uris(run, "inputs")).containsExactly("bigquery:test.table.input");
        assertThat(uris(run, "outputs")).containsExactly("bigquery:test.table.output");
        for (String uri : List.of("bigquery:test.table.input", "bigquery:test.table.output")) {
            JsonNode a = catalog.query("query($uri: String!) { artifact(uri: $uri) { kind namespace } }", Map.of("uri", uri)).path("artifact");
            assertThat(a.path("kind").asText()).as(uri).isEqualTo("DATASET");
            assertThat(a.path("namespace").asText()).isEqualTo("job_namespace");
        }
        // "No facets present in the event": none kept
        assertThat(names(run.path("facets"))).isEmpty();
        assertThat(names(run.path("jobFacets"))).isEmpty();
    }

    // ------------------------------------------------------------------ airflow

    @Test
    void airflowTheBqDagRunAndItsTasksWithTheirParentLinks() {
        JsonNode dag = run("airflow", "BQ");
        assertThat(dag.path("externalId").asText()).isEqualTo("01936893-9751-7a91-a2a0-a51101a3970c");
        assertThat(dag.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(dag.path("pipeline").asText()).isEqualTo("BQ");
        assertThat(instant(dag, "startedAt")).isEqualTo("2024-11-26T13:05:23.809955Z");
        assertThat(instant(dag, "endedAt")).isEqualTo("2024-11-26T13:05:39.809127Z");
        assertThat(dag.path("parent").isNull()).isTrue();
        assertThat(names(dag.path("facets"))).contains("airflowDagRun", "nominalTime", "processing_engine", "airflowState");
        assertThat(names(dag.path("jobFacets"))).contains("airflow", "jobType", "ownership");
        assertThat(dag.path("facets").path("nominalTime").path("nominalStartTime").asText()).startsWith("2024-11-26T13:05:");

        for (String task : List.of("BQ.upload", "BQ.copy", "BQ.download")) {
            JsonNode run = run("airflow", task);
            assertThat(run.path("status").asText()).as(task).isEqualTo("SUCCEEDED");
            assertThat(run.path("parent").path("externalId").asText()).as(task).isEqualTo(dag.path("externalId").asText());
            assertThat(run.path("parent").path("name").asText()).isEqualTo("BQ");
            assertThat(names(run.path("facets"))).as(task).contains("airflow", "parent", "externalQuery", "nominalTime");
        }
        // the DAG is a parent, never a copy: one run per runId
        assertThat(catalog.query("{ runs(filter: {namespace: \"airflow\", pipeline: \"BQ\"}) { totalCount } }")
                .path("runs").path("totalCount").asInt()).isEqualTo(1);
    }

    @Test
    void airflowTheBigQueryAndGcsDatasetsOfTheScenarioAreArtifactsNamedByUri() {
        for (String uri : List.of("bigquery:mock-project.test.upload", "bigquery:mock-project.test.upload_cp",
                "gs://mock-bucket/copied.csv", "gs://mock-bucket/result.csv", "gs://mock-bucket/uploaded_file.txt",
                "gs://mock-bucket/copy_of_uploaded_file.txt", "gs://mock-bucket/uploaded_data.txt",
                "gs://mock-bucket/copy_of_uploaded_data.txt", "file:///files/temp/downloaded_file.txt",
                // the scenario lists /files/temp/compose_result.txt; the events say the compose task wrote it to GCS
                "gs://mock-bucket/compose_result.txt")) {
            JsonNode a = catalog.query("{ artifact(uri: \"" + uri + "\") { uri kind namespace digest createdAt } }").path("artifact");
            assertThat(a.path("uri").asText()).as(uri).isEqualTo(uri);
            assertThat(a.path("kind").asText()).isEqualTo("DATASET");
            assertThat(a.path("namespace").asText()).isEqualTo("airflow");
            assertThat(a.path("createdAt").asText()).as("the time of the first event naming it, not arrival").startsWith("2024-11-26T");
        }
        JsonNode upload = catalog.query("{ artifact(uri: \"bigquery:mock-project.test.upload\") { facets } }").path("artifact").path("facets");
        assertThat(upload.has("schema")).isTrue();
        assertThat(upload.has("columnLineage")).isTrue();
    }

    @Test
    void airflowUploadThenCopyThenDownloadAreOneLineageChain() {
        String copied = artifactId("gs://mock-bucket/copied.csv");
        JsonNode graph = catalog.query("""
                query($id: ID!) { lineage(from: $id, direction: DOWNSTREAM, depth: 6) {
                  nodes { ... on Artifact { id uri } ... on Run { id name } } edges { from to kind } } }""", Map.of("id", copied))
                .path("lineage");
        Set<String> edges = edges(graph);

        String upload = run("airflow", "BQ.upload").path("id").asText();
        String copy = run("airflow", "BQ.copy").path("id").asText();
        String download = run("airflow", "BQ.download").path("id").asText();
        String bqUpload = artifactId("bigquery:mock-project.test.upload");
        String bqCopy = artifactId("bigquery:mock-project.test.upload_cp");
        String result = artifactId("gs://mock-bucket/result.csv");
        assertThat(edges).contains(copied + " CONSUMED " + upload, upload + " PRODUCED " + bqUpload,
                bqUpload + " CONSUMED " + copy, copy + " PRODUCED " + bqCopy,
                bqCopy + " CONSUMED " + download, download + " PRODUCED " + result);
        // and upstream from the result, back to the first file
        JsonNode up = catalog.query("query($id: ID!) { lineage(from: $id, direction: UPSTREAM, depth: 6) { nodes { ... on Artifact { uri } } } }",
                Map.of("id", result)).path("lineage");
        List<String> uris = new ArrayList<>();
        up.path("nodes").forEach(n -> uris.add(n.path("uri").asText()));
        assertThat(uris).contains("gs://mock-bucket/copied.csv", "gs://mock-bucket/test.csv", "bigquery:mock-project.test.upload");
    }

    @Test
    void airflowTheBashOperatorTaskHasNoDatasetsAndKeepsItsFacets() {
        JsonNode task = run("airflow", "dag.task_0");

        assertThat(task.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(task.path("inputs")).isEmpty();
        assertThat(task.path("outputs")).isEmpty();
        assertThat(task.path("parent").path("name").asText()).isEqualTo("dag");
        assertThat(task.path("parent").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(task.path("facets").path("airflow").path("task").path("operator_class").asText()).isEqualTo("BashOperator");
        // a custom facet, kept whole
        assertThat(task.path("facets").path("unknownSourceAttribute").path("unknownItems").path(0).path("name").asText())
                .isEqualTo("BashOperator");
        assertThat(task.path("jobFacets").path("sourceCode").path("sourceCode").asText()).isEqualTo("exit 0;");
        assertThat(task.path("jobFacets").path("sourceCode").path("language").asText()).isEqualTo("bash");
    }

    @Test
    void airflowTheGcsHookTasksReadAndWriteTheFilesTheScenarioNames() {
        assertThat(uris(run("airflow", "gcs_hook.rewrite_task"), "inputs")).containsExactly("gs://mock-bucket/uploaded_file.txt");
        assertThat(uris(run("airflow", "gcs_hook.rewrite_task"), "outputs")).containsExactly("gs://mock-bucket/copy_of_uploaded_file.txt");
        assertThat(uris(run("airflow", "gcs_hook.copy_task"), "outputs")).containsExactly("gs://mock-bucket/copy_of_uploaded_data.txt");
        assertThat(uris(run("airflow", "gcs_hook.upload_from_file"), "inputs")).containsExactly("file:///files/temp/data.txt");
        assertThat(uris(run("airflow", "gcs_hook.download_to_file"), "outputs")).containsExactly("file:///files/temp/downloaded_file.txt");
        assertThat(uris(run("airflow", "gcs_hook.compose_task"), "inputs")).containsExactlyInAnyOrder(
                "gs://mock-bucket/uploaded_file.txt", "gs://mock-bucket/uploaded_data.txt",
                "gs://mock-bucket/copy_of_uploaded_data.txt", "gs://mock-bucket/copy_of_uploaded_file.txt");
        assertThat(run("airflow", "gcs_hook").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(catalog.query("{ runs(filter: {namespace: \"airflow\"}, first: 100) { totalCount } }").path("runs").path("totalCount").asInt())
                .as("3 DAG runs, 3 + 1 + 9 task runs").isEqualTo(16);
    }

    // ------------------------------------------------------------------ Spark: column-level lineage

    @Test
    void cllTheCtasReadsBothSourcesAndWritesTbl1UnderTheApplicationRun() {
        JsonNode app = run("testColumnLevelLineage", "open_lineage_integration_create_table");
        assertThat(app.path("externalId").asText()).isEqualTo("019127de-fd25-7707-bfa4-3ec02693a531");
        assertThat(app.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(names(app.path("facets"))).contains("spark_properties", "processing_engine", "spark_applicationDetails",
                "environment-properties");

        JsonNode ctas = run("testColumnLevelLineage", "open_lineage_integration_create_table.execute_create_hive_table_as_select_command.default_tbl1");
        assertThat(ctas.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ctas.path("parent").path("id").asText()).isEqualTo(app.path("id").asText());
        // the datasets are named by their file location (namespace "file"); the hive names are in the symlinks facet
        assertThat(uris(ctas, "inputs")).containsExactlyInAnyOrder("file:///tmp/cll_test/cll_source1", "file:///tmp/cll_test/cll_source2");
        assertThat(uris(ctas, "outputs")).containsExactly("file:///tmp/cll_test/tbl1");
        assertThat(names(ctas.path("facets"))).contains("parent", "spark.logicalPlan", "spark_jobDetails", "spark_properties");
        assertThat(ctas.path("jobFacets").path("jobType").path("integration").asText()).isEqualTo("SPARK");

        for (String source : List.of("cll_source1", "cll_source2")) {
            JsonNode create = run("testColumnLevelLineage",
                    "open_lineage_integration_create_table.execute_create_table_command.cll_test_" + source);
            assertThat(create.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(uris(create, "outputs")).containsExactly("file:///tmp/cll_test/" + source);
            assertThat(create.path("parent").path("id").asText()).isEqualTo(app.path("id").asText());
        }
        // the dataset facets, kept whole on the artifacts: tbl1's schema, its column lineage, its hive name
        JsonNode tbl1 = catalog.query("{ artifact(uri: \"file:///tmp/cll_test/tbl1\") { facets } }").path("artifact").path("facets");
        assertThat(tbl1.path("schema").path("fields").findValuesAsText("name")).containsExactly("ident", "trans", "agg");
        // as the SQL says: ident is t1.a, trans is made from b, agg = SUM(c) of cll_source2
        assertThat(directInputs(tbl1, "ident")).containsExactly("/tmp/cll_test/cll_source1.a");
        assertThat(directInputs(tbl1, "trans")).containsExactly("/tmp/cll_test/cll_source1.b");
        assertThat(directInputs(tbl1, "agg")).containsExactly("/tmp/cll_test/cll_source2.c");
        assertThat(tbl1.path("symlinks").path("identifiers").path(0).path("name").asText()).isEqualTo("default.tbl1");
        assertThat(tbl1.path("dataSource").path("name").asText()).isEqualTo("file");
        assertThat(names(tbl1)).contains("lifecycleStateChange");
        JsonNode source1 = catalog.query("{ artifact(uri: \"file:///tmp/cll_test/cll_source1\") { facets } }").path("artifact").path("facets");
        assertThat(source1.path("symlinks").path("identifiers").path(0).path("name").asText()).isEqualTo("default.cll_source1");
        assertThat(source1.path("schema").path("fields").findValuesAsText("name")).containsExactly("a", "b");

        // the source tables were made by their CREATE TABLE runs: tbl1 is downstream of both
        JsonNode up = catalog.query("query($id: ID!) { lineage(from: $id, direction: UPSTREAM, depth: 4) { nodes { ... on Run { name } } } }",
                Map.of("id", artifactId("file:///tmp/cll_test/tbl1"))).path("lineage");
        List<String> runs = new ArrayList<>();
        up.path("nodes").forEach(n -> runs.add(n.path("name").asText()));
        assertThat(runs).contains("open_lineage_integration_create_table.execute_create_table_command.cll_test_cll_source1",
                "open_lineage_integration_create_table.execute_create_table_command.cll_test_cll_source2");
    }

    // ------------------------------------------------------------------ Spark on Dataproc

    @Test
    void dataprocShakespeareReadsTheBigQueryTableUnderTheApplicationRun() {
        // scenario.md is empty for this one: what the events say
        JsonNode app = run("default", "shakespeare_on_spark");
        assertThat(app.path("externalId").asText()).isEqualTo("0192963f-929e-731b-a075-9bb14bf41d38");
        assertThat(app.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(app.path("facets").path("gcp_dataproc_spark").isObject()).isTrue();
        assertThat(names(app.path("jobFacets"))).contains("jobType", "gcp_lineage");

        JsonNode plan = run("default", "shakespeare_on_spark.adaptive_spark_plan");
        assertThat(plan.path("parent").path("id").asText()).isEqualTo(app.path("id").asText());
        assertThat(uris(plan, "inputs")).containsExactly("bigquery:bigquery-public-data.samples.shakespeare");

        JsonNode write = run("default", "shakespeare_on_spark.adaptive_spark_plan.outputs_1729097570970");
        assertThat(write.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(write.path("parent").path("id").asText()).isEqualTo(app.path("id").asText());
        assertThat(uris(write, "inputs")).containsExactly("bigquery:bigquery-public-data.samples.shakespeare");
        assertThat(uris(write, "outputs")).containsExactly("file:///tmp/outputs/1729097570970");
        assertThat(write.path("facets").path("gcp_dataproc_spark").path("appName").isTextual()).isTrue();
        JsonNode shakespeare = catalog.query("{ artifact(uri: \"bigquery:bigquery-public-data.samples.shakespeare\") { facets } }")
                .path("artifact").path("facets");
        assertThat(shakespeare.path("schema").path("fields").findValuesAsText("name")).contains("word", "word_count");
    }

    @Test
    void dataprocTheApplicationRunAndItsHiveTableSteps() {
        // scenario.md of both producer tests is boilerplate (it names bigquery tables cll_source1/2): the events
        // are Spark SQL on Dataproc over hive tables t1 and t2 in HDFS
        JsonNode app = run("default", "cl_i_test_application");
        assertThat(app.path("externalId").asText()).isEqualTo("019299c5-12f5-7946-b5b2-c6abab662e20");
        assertThat(app.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(instant(app, "startedAt")).isEqualTo("2024-10-17T09:17:51.101Z");
        assertThat(instant(app, "endedAt")).isEqualTo("2024-10-17T09:18:32.504Z");
        assertThat(app.path("facets").path("gcp_dataproc_spark").path("appName").asText()).isEqualTo("CLI test application");
        assertThat(app.path("facets").has("spark_applicationDetails")).isTrue();

        JsonNode insert = run("default", "cl_i_test_application.execute_insert_into_hive_table.warehouse_t2");
        assertThat(insert.path("externalId").asText()).isEqualTo("019299c5-73cf-7069-a70f-74eb8070b577");
        assertThat(insert.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(insert.path("parent").path("id").asText()).isEqualTo(app.path("id").asText());
        assertThat(uris(insert, "inputs")).containsExactly("hdfs://dataproc-producer-test-m/user/hive/warehouse/t1");
        assertThat(uris(insert, "outputs")).containsExactly("hdfs://dataproc-producer-test-m/user/hive/warehouse/t2");
        assertThat(insert.path("jobFacets").path("sql").path("query").asText()).isEqualTo("CREATE TABLE IF NOT EXISTS t2 AS SELECT * FROM t1;");
        assertThat(insert.path("facets").path("gcp_dataproc_spark").path("queryNodeName").asText()).isEqualTo("execute_insert_into_hive_table");

        // two DROP TABLE runs of one job: two runs
        assertThat(catalog.query("{ runs(filter: {namespace: \"default\", pipeline: \"cl_i_test_application.drop_table\"}) { totalCount } }")
                .path("runs").path("totalCount").asInt()).isEqualTo(2);
        // a run that only sent COMPLETE: finished, with no start
        JsonNode create = run("default", "cl_i_test_application.execute_create_table_command.warehouse_t1");
        assertThat(create.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(instant(create, "endedAt")).isEqualTo("2024-10-17T09:18:17.298Z");
        assertThat(uris(create, "outputs")).containsExactly("hdfs://dataproc-producer-test-m/user/hive/warehouse/t1");
    }

    // ------------------------------------------------------------------ helpers

    private static final String RUN = """
            query($ns: String!, $name: String!) { run(namespace: $ns, name: $name) {
              id name externalId pipeline status startedAt endedAt facets jobFacets
              parent { id name externalId status } inputs { uri } outputs { uri } } }""";

    private static JsonNode run(String namespace, String name) {
        JsonNode run = catalog.query(RUN, Map.of("ns", namespace, "name", name)).path("run");
        assertThat(run.isObject()).as("a run of %s in %s", name, namespace).isTrue();
        return run;
    }

    /** A time the catalog returns (always to the microsecond), as {@link Instant#toString()} writes it. */
    private static String instant(JsonNode node, String field) {
        return Instant.parse(node.path(field).asText()).toString();
    }

    /** The input columns ({@code <dataset>.<field>}) a column is made from directly, by a column lineage facet. */
    private static List<String> directInputs(JsonNode datasetFacets, String column) {
        List<String> inputs = new ArrayList<>();
        for (JsonNode in : datasetFacets.path("columnLineage").path("fields").path(column).path("inputFields")) {
            if (in.path("transformations").findValuesAsText("type").contains("DIRECT")) {
                inputs.add(in.path("name").asText() + "." + in.path("field").asText());
            }
        }
        return inputs;
    }

    private static String artifactId(String uri) {
        JsonNode a = catalog.query("query($uri: String!) { artifact(uri: $uri) { id } }", Map.of("uri", uri)).path("artifact");
        assertThat(a.isObject()).as("an artifact %s", uri).isTrue();
        return a.path("id").asText();
    }

    private static List<String> uris(JsonNode run, String field) {
        List<String> uris = new ArrayList<>();
        run.path(field).forEach(a -> uris.add(a.path("uri").asText()));
        return uris;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> edges(JsonNode graph) {
        Set<String> edges = new HashSet<>();
        graph.path("edges").forEach(e -> edges.add(e.path("from").asText() + " " + e.path("kind").asText() + " " + e.path("to").asText()));
        return edges;
    }
}
