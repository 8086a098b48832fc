package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events shaped as the OpenLineage spec (2-0-x) documents them: the three event types, each carrying every standard
 * facet the spec defines for its place (run, job, dataset, input and output facets), and a run event of an older spec
 * version. The spec's own example files are not published in a package this build can fetch (Maven Central's
 * openlineage-java carries no schema or example), so these are written here, after the spec's documented examples,
 * and each facet is filled as the spec's facet schema describes it. What is checked is what a user reads: every facet,
 * known or not, back whole under its name, and the run, job and dataset each event names.
 */
class SpecExamplesIT {
    private static final String PRODUCER = "https://github.com/acme/spec-examples/tree/1.0.0";
    private static final String RUN_ID = "0196b0c0-1111-7000-8000-00000000c0de";
    private static final List<String> RUN_FACETS = List.of("nominalTime", "parent", "errorMessage", "processing_engine",
            "externalQuery", "environmentVariables", "tags");
    private static final List<String> JOB_FACETS = List.of("jobType", "sql", "sourceCode", "sourceCodeLocation", "documentation",
            "ownership", "tags");
    private static final List<String> DATASET_FACETS = List.of("schema", "dataSource", "documentation", "lifecycleStateChange",
            "version", "storage", "ownership", "symlinks", "columnLineage", "datasetType", "catalog", "tags");
    private static TestingCatalog catalog;
    private static LineageHttp http;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder().start();
        http = new LineageHttp(catalog);
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void aRunEventWithEveryStandardFacetKeepsEachWhole() {
        ObjectNode start = base("RunEvent").put("eventType", "START").put("eventTime", "2026-06-01T02:00:00.123456+02:00");
        ObjectNode run = start.putObject("run").put("runId", RUN_ID);
        facets(run.putObject("facets"), RUN_FACETS);
        facets(job(start, "spec-team", "nightly_load").putObject("facets"), JOB_FACETS);
        ObjectNode input = dataset(start.putArray("inputs"), "s3://spec-lake", "raw/events.parquet");
        facets(input.putObject("facets"), DATASET_FACETS);
        facets(input.putObject("inputFacets"), List.of("dataQualityMetrics", "dataQualityAssertions", "inputStatistics"));
        ObjectNode complete = base("RunEvent").put("eventType", "COMPLETE").put("eventTime", "2026-06-01T00:30:00Z");
        complete.putObject("run").put("runId", RUN_ID);
        job(complete, "spec-team", "nightly_load");
        ObjectNode output = dataset(complete.putArray("outputs"), "s3://spec-lake", "curated/events.parquet");
        facets(output.putObject("outputFacets"), List.of("outputStatistics"));

        assertThat(http.post(start.toString()).statusCode()).isEqualTo(201);
        assertThat(http.post(complete.toString()).statusCode()).isEqualTo(201);

        JsonNode r = catalog.query("""
                query($id: String!) { run(namespace: "spec-team", externalId: $id) {
                  status startedAt endedAt pipeline facets jobFacets inputs { uri facets } outputs { uri facets } } }""",
                Map.of("id", RUN_ID)).path("run");
        assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(r.path("startedAt").asText()).startsWith("2026-06-01T00:00:00.123456");
        assertThat(r.path("pipeline").asText()).isEqualTo("nightly_load");
        assertKeptWhole(r.path("facets"), RUN_FACETS);
        assertKeptWhole(r.path("jobFacets"), JOB_FACETS);
        assertThat(uris(r.path("inputs"))).containsExactly("s3://spec-lake/raw/events.parquet");
        List<String> inputFacets = new ArrayList<>(DATASET_FACETS);
        inputFacets.addAll(List.of("dataQualityMetrics", "dataQualityAssertions", "inputStatistics"));
        assertKeptWhole(r.path("inputs").path(0).path("facets"), inputFacets);
        assertKeptWhole(r.path("outputs").path(0).path("facets"), List.of("outputStatistics"));
    }

    @Test
    void aJobEventWithEveryStandardJobFacet() {
        ObjectNode e = base("JobEvent").put("eventTime", "2026-06-02T00:00:00Z");
        facets(job(e, "spec-team", "declared_job").putObject("facets"), JOB_FACETS);
        dataset(e.putArray("inputs"), "bigquery", "spec.raw.events");
        facets(dataset(e.putArray("outputs"), "bigquery", "spec.curated.events").putObject("facets"), DATASET_FACETS);

        assertThat(http.post(e.toString()).statusCode()).isEqualTo(201);

        JsonNode job = catalog.query("""
                { job(namespace: "spec-team", name: "declared_job") { facets declaredInputs { uri } declaredOutputs { uri facets } } }""")
                .path("job");
        assertKeptWhole(job.path("facets"), JOB_FACETS);
        assertThat(uris(job.path("declaredInputs"))).containsExactly("bigquery:spec.raw.events");
        assertThat(uris(job.path("declaredOutputs"))).containsExactly("bigquery:spec.curated.events");
        assertKeptWhole(job.path("declaredOutputs").path(0).path("facets"), DATASET_FACETS);
    }

    @Test
    void aDatasetEventWithEveryStandardDatasetFacet() {
        ObjectNode e = base("DatasetEvent").put("eventTime", "2026-06-03T00:00:00Z");
        ObjectNode dataset = e.putObject("dataset").put("namespace", "postgres://spec-db:5432").put("name", "spec.public.customers");
        facets(dataset.putObject("facets"), DATASET_FACETS);

        assertThat(http.post(e.toString()).statusCode()).isEqualTo(201);

        JsonNode artifact = catalog.query("""
                { artifact(uri: "postgres://spec-db:5432/spec.public.customers", digest: "version:spec-version") { kind facets } }""")
                .path("artifact");
        assertThat(artifact.path("kind").asText()).isEqualTo("DATASET");
        assertKeptWhole(artifact.path("facets"), DATASET_FACETS);
    }

    @Test
    void aRunEventOfAnOlderSpecVersionAndOneWithoutEventType() {
        ObjectNode old = Events.run("START", "2026-06-04T00:00:00Z", "0196b0c0-2222-7000-8000-00000000c0de", "spec-team", "old_producer");
        old.put("schemaURL", "https://openlineage.io/spec/1-0-5/OpenLineage.json#/definitions/RunEvent");
        ObjectNode untyped = Events.run("START", "2026-06-04T00:01:00Z", "0196b0c0-3333-7000-8000-00000000c0de", "spec-team", "untyped");
        untyped.remove("eventType");

        HttpResponse<String> batch = http.postArray(List.of(old.toString(), untyped.toString()));

        assertThat(batch.statusCode()).isEqualTo(200);
        assertThat(LineageHttp.json(batch).path("accepted").asInt()).as(batch.body()).isEqualTo(2);
        assertThat(catalog.query("{ run(namespace: \"spec-team\", externalId: \"0196b0c0-3333-7000-8000-00000000c0de\") { status } }")
                .path("run").path("status").asText()).isEqualTo("RUNNING");
    }

    // ------------------------------------------------------------------ helpers

    private static ObjectNode base(String type) {
        return LineageHttp.JSON.createObjectNode().put("producer", PRODUCER)
                .put("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/" + type);
    }

    private static ObjectNode job(ObjectNode event, String namespace, String name) {
        return event.putObject("job").put("namespace", namespace).put("name", name);
    }

    private static ObjectNode dataset(ArrayNode list, String namespace, String name) {
        return list.addObject().put("namespace", namespace).put("name", name);
    }

    /** Each named facet, as its spec schema describes it, with the _producer and _schemaURL every facet carries. */
    private static void facets(ObjectNode facets, List<String> names) {
        for (String name : names) {
            ObjectNode f = facets.putObject(name).put("_producer", PRODUCER)
                    .put("_schemaURL", "https://openlineage.io/spec/facets/1-0-0/" + name + ".json");
            switch (name) {
                case "nominalTime" -> f.put("nominalStartTime", "2026-06-01T00:00:00Z").put("nominalEndTime", "2026-06-02T00:00:00Z");
                case "parent" -> {
                    f.putObject("run").put("runId", "0196b0c0-0000-7000-8000-00000000beef");
                    f.putObject("job").put("namespace", "spec-team").put("name", "nightly");
                }
                case "errorMessage" -> f.put("message", "retried once").put("programmingLanguage", "python").put("stackTrace", "…");
                case "processing_engine" -> f.put("version", "3.5.1").put("name", "spark").put("openlineageAdapterVersion", "1.55.0");
                case "externalQuery" -> f.put("externalQueryId", "job_0a1b2c").put("source", "bigquery");
                case "environmentVariables" -> f.putArray("environmentVariables").addObject().put("name", "TZ").put("value", "UTC");
                case "tags" -> f.putArray("tags").addObject().put("key", "tier").put("value", "gold").put("source", "USER");
                case "jobType" -> f.put("processingType", "BATCH").put("integration", "SPARK").put("jobType", "JOB");
                case "sql" -> f.put("query", "select * from events").put("dialect", "spark");
                case "sourceCode" -> f.put("language", "python").put("sourceCode", "print('load')");
                case "sourceCodeLocation" -> f.put("type", "git").put("url", "https://github.com/acme/spec/blob/main/load.py")
                        .put("repoUrl", "https://github.com/acme/spec.git").put("path", "load.py")
                        .put("version", "4f2b8c1d9e0a7b6c5d4e3f2a1b0c9d8e7f6a5b4c").put("branch", "main");
                case "documentation" -> f.put("description", "documented " + name).put("contentType", "text/markdown");
                case "ownership" -> f.putArray("owners").addObject().put("name", "team:spec").put("type", "TEAM");
                case "schema" -> {
                    ArrayNode fields = f.putArray("fields");
                    fields.addObject().put("name", "id").put("type", "BIGINT");
                    fields.addObject().put("name", "payload").put("type", "STRUCT").putArray("fields").addObject().put("name", "kind")
                            .put("type", "STRING");
                }
                case "dataSource" -> f.put("name", "spec-lake").put("uri", "s3://spec-lake");
                case "lifecycleStateChange" -> f.put("lifecycleStateChange", "OVERWRITE");
                case "version" -> f.put("datasetVersion", "spec-version");
                case "storage" -> f.put("storageLayer", "iceberg").put("fileFormat", "parquet");
                case "symlinks" -> f.putArray("identifiers").addObject().put("namespace", "hive://metastore:9083")
                        .put("name", "spec.events").put("type", "TABLE");
                case "columnLineage" -> f.putObject("fields").putObject("id").putArray("inputFields").addObject()
                        .put("namespace", "s3://spec-lake").put("name", "raw/events.parquet").put("field", "id");
                case "datasetType" -> f.put("datasetType", "TABLE").put("subType", "ICEBERG");
                case "catalog" -> f.put("framework", "iceberg").put("type", "rest").put("name", "spec-catalog");
                case "dataQualityMetrics" -> f.put("rowCount", 1000).put("bytes", 52_000).putObject("columnMetrics").putObject("id")
                        .put("nullCount", 0).put("distinctCount", 1000);
                case "dataQualityAssertions" -> f.putArray("assertions").addObject().put("assertion", "not_null").put("success", true)
                        .put("column", "id");
                case "inputStatistics" -> f.put("rowCount", 1000).put("size", 52_000).put("fileCount", 4);
                case "outputStatistics" -> f.put("rowCount", 990).put("size", 50_000).put("fileCount", 2);
                default -> throw new IllegalArgumentException("no example for facet " + name);
            }
        }
    }

    /** The URIs of a list of artifacts (not the uri fields their facets may hold). */
    private static List<String> uris(JsonNode artifacts) {
        List<String> uris = new ArrayList<>();
        artifacts.forEach(a -> uris.add(a.path("uri").asText()));
        return uris;
    }

    /** Every facet named is there, whole: its producer, and every field written, as written. */
    private static void assertKeptWhole(JsonNode facets, List<String> names) {
        assertThat(facets.isObject()).as("facets %s", facets).isTrue();
        ObjectNode expected = LineageHttp.JSON.createObjectNode();
        facets(expected, names);
        for (String name : names) {
            assertThat(facets.path(name)).as("facet %s", name).isEqualTo(expected.path(name));
        }
    }
}
