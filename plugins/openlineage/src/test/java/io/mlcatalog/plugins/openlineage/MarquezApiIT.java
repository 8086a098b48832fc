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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Marquez's read API (namespaces, jobs, runs, datasets, versions, search) as a Marquez client reads it after OpenLineage
 * events, with access control on. Growth's Airflow writes features from raw events; risk's scoring job reads growth's
 * features table. A growth reader sees growth's jobs, datasets and search results, and nothing of risk's.
 */
class MarquezApiIT {
    private static final String ADMIN = "marquez-api-admin-token-0123456789";
    private static final String RUN_1 = "0197c0d0-0000-7000-8000-000000000001";
    private static final String RUN_2 = "0197c0d0-0000-7000-8000-000000000002";
    private static final String RISK_RUN = "0197c0d0-0000-7000-8000-000000000009";
    private static final String SCHEMA = """
            "schema": {"_producer": "p", "_schemaURL": "s", "fields": [{"name": "user_id", "type": "BIGINT"}, {"name": "clicks", "type": "INT"}]}""";
    private static TestingCatalog catalog;
    private static LineageHttp http;
    private static String readerGrowth;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder().secured(ADMIN).start();
        http = new LineageHttp(catalog);
        readerGrowth = catalog.createToken("growth-dashboards", "reader", List.of("growth"), List.of());
        // two runs of growth's features job: the second is the newest
        for (String[] run : new String[][]{{RUN_1, "2026-07-01T10:00:00Z", "2026-07-01T10:30:00Z"}, {RUN_2, "2026-07-02T10:00:00Z", "2026-07-02T10:45:00Z"}}) {
            post("""
                    {"eventType": "START", "eventTime": "%2$s", "producer": "https://github.com/acme/etl/v2",
                     "run": {"runId": "%1$s", "facets": {"nominalTime": {"_producer": "p", "_schemaURL": "s", "nominalStartTime": "%2$s"}}},
                     "job": {"namespace": "growth", "name": "etl.features", "facets": {"documentation": {"_producer": "p", "_schemaURL": "s",
                             "description": "Clicks per user, daily"}}},
                     "inputs": [{"namespace": "s3://acme-raw", "name": "events/2026-07.csv"}],
                     "outputs": [{"namespace": "postgres://db.acme:5432", "name": "analytics.public.features", "facets": {%4$s}}]}"""
                    .formatted(run[0], run[1], run[2], SCHEMA));
            post("""
                    {"eventType": "COMPLETE", "eventTime": "%3$s", "producer": "https://github.com/acme/etl/v2",
                     "run": {"runId": "%1$s"}, "job": {"namespace": "growth", "name": "etl.features"}}""".formatted(run[0], run[1], run[2]));
        }
        // three more jobs of growth, for paging; a dataset with two versions
        for (String job : List.of("a_export", "b_export", "c_export")) {
            post("""
                    {"eventTime": "2026-07-03T09:00:00Z", "producer": "https://github.com/acme/catalog-sync/v1",
                     "job": {"namespace": "growth", "name": "%s"}, "inputs": [{"namespace": "postgres://db.acme:5432", "name": "analytics.public.features"}]}"""
                    .formatted(job));
        }
        for (String version : List.of("1", "2")) {
            post("""
                    {"eventTime": "2026-07-0%1$sT08:00:00Z", "producer": "https://github.com/acme/lake/v1",
                     "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
                     "dataset": {"namespace": "s3://acme-raw", "name": "events/2026-07.csv",
                                 "facets": {"version": {"_producer": "p", "_schemaURL": "s", "datasetVersion": "%1$s"}}}}""".formatted(version));
        }
        post("""
                {"eventType": "COMPLETE", "eventTime": "2026-07-04T12:00:00Z", "producer": "https://github.com/acme/risk/v1",
                 "run": {"runId": "%s"}, "job": {"namespace": "risk", "name": "score"},
                 "inputs": [{"namespace": "postgres://db.acme:5432", "name": "analytics.public.features"}],
                 "outputs": [{"namespace": "bigquery", "name": "risk.scores.daily"}]}""".formatted(RISK_RUN));
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void namespacesAreThoseTheTokenMayRead() {
        // a dataset event files its dataset under the dataset's namespace, which is then a catalog namespace too
        assertThat(json(get("/api/v1/namespaces", ADMIN)).path("namespaces").findValuesAsText("name")).containsExactly("growth", "risk", "s3://acme-raw");
        JsonNode growth = json(get("/api/v1/namespaces", readerGrowth)).path("namespaces");
        assertThat(growth.findValuesAsText("name")).containsExactly("growth");
        assertThat(growth.path(0).path("createdAt").asText()).isNotEmpty();
        assertThat(growth.path(0).path("ownerName").isNull()).isTrue();

        assertThat(json(get("/api/v1/namespaces/growth", readerGrowth)).path("name").asText()).isEqualTo("growth");
        // a dataset namespace is a namespace too, as in Marquez
        assertThat(json(get("/api/v1/namespaces/" + enc("s3://acme-raw"), readerGrowth)).path("name").asText()).isEqualTo("s3://acme-raw");
        HttpResponse<String> risk = get("/api/v1/namespaces/risk", readerGrowth);
        assertThat(risk.statusCode()).isEqualTo(404);
        assertThat(LineageHttp.json(risk).path("code").asInt()).isEqualTo(404);
        assertThat(LineageHttp.json(risk).path("message").asText()).contains("risk");
        assertThat(get("/api/v1/namespaces/nowhere", ADMIN).statusCode()).isEqualTo(404);
    }

    @Test
    void jobsArePagedByNameWithTheirTotal() {
        JsonNode first = json(get("/api/v1/namespaces/growth/jobs?limit=2", readerGrowth));
        JsonNode rest = json(get("/api/v1/namespaces/growth/jobs?limit=2&offset=2", readerGrowth));
        JsonNode past = json(get("/api/v1/namespaces/growth/jobs?limit=2&offset=10", readerGrowth));

        assertThat(first.path("totalCount").asInt()).isEqualTo(4);
        assertThat(first.path("jobs").findValuesAsText("simpleName")).containsExactly("a_export", "b_export");
        assertThat(rest.path("jobs").findValuesAsText("simpleName")).containsExactly("c_export", "etl.features");
        assertThat(rest.path("totalCount").asInt()).isEqualTo(4);
        assertThat(past.path("jobs")).isEmpty();
        assertThat(past.path("totalCount").asInt()).isEqualTo(4);

        // every namespace's jobs, as far as the token reads
        List<String> all = new ArrayList<>();
        json(get("/api/v1/jobs", ADMIN)).path("jobs").forEach(j -> all.add(j.path("namespace").asText() + ":" + j.path("name").asText()));
        assertThat(all).containsExactly("growth:a_export", "growth:b_export", "growth:c_export", "growth:etl.features", "risk:score");
        JsonNode mine = json(get("/api/v1/jobs", readerGrowth));
        assertThat(mine.path("totalCount").asInt()).isEqualTo(4);
        assertThat(mine.toString()).doesNotContain("risk").doesNotContain("score");
        assertThat(get("/api/v1/namespaces/risk/jobs", readerGrowth).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/namespaces/growth/jobs?limit=0", readerGrowth).statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/namespaces/growth/jobs?limit=1001", readerGrowth).statusCode()).isEqualTo(400);
        // Marquez's web UI asks for 700 at once
        assertThat(json(get("/api/v1/namespaces/growth/jobs?limit=700", readerGrowth)).path("jobs")).hasSize(4);
        assertThat(get("/api/v1/namespaces/growth/jobs?offset=-1", readerGrowth).statusCode()).isEqualTo(400);
    }

    @Test
    void aJobIsItsFacetsDatasetsAndLatestRun() {
        JsonNode job = json(get("/api/v1/namespaces/growth/jobs/etl.features", readerGrowth));

        assertThat(job.path("id").path("namespace").asText()).isEqualTo("growth");
        assertThat(job.path("id").path("name").asText()).isEqualTo("etl.features");
        assertThat(job.path("type").asText()).isEqualTo("BATCH");
        assertThat(job.path("description").asText()).isEqualTo("Clicks per user, daily");
        assertThat(job.path("createdAt").asText()).startsWith("2026-07-01T10:00:00");
        assertThat(job.path("updatedAt").asText()).startsWith("2026-07-02T10:45:00");
        assertThat(job.path("inputs").findValuesAsText("namespace")).containsExactly("s3://acme-raw");
        assertThat(job.path("inputs").findValuesAsText("name")).containsExactly("events/2026-07.csv");
        assertThat(job.path("outputs").findValuesAsText("name")).containsExactly("analytics.public.features");
        assertThat(job.path("latestRun").path("id").asText()).isEqualTo(RUN_2);
        assertThat(job.path("latestRun").path("state").asText()).isEqualTo("COMPLETED");
        assertThat(job.path("facets").path("documentation").path("description").asText()).isEqualTo("Clicks per user, daily");

        // a job known from a job event alone: its declared datasets, no run
        JsonNode declared = json(get("/api/v1/namespaces/growth/jobs/a_export", readerGrowth));
        assertThat(declared.path("inputs").findValuesAsText("name")).containsExactly("analytics.public.features");
        assertThat(declared.path("latestRun").isNull()).isTrue();

        assertThat(get("/api/v1/namespaces/growth/jobs/no-such-job", readerGrowth).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/namespaces/risk/jobs/score", readerGrowth).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/namespaces/risk/jobs/score", ADMIN).statusCode()).isEqualTo(200);
    }

    @Test
    void aJobsRunsArePagedNewestFirstAndARunIsFoundByItsRunId() {
        JsonNode newest = json(get("/api/v1/namespaces/growth/jobs/etl.features/runs?limit=1", readerGrowth));
        JsonNode older = json(get("/api/v1/namespaces/growth/jobs/etl.features/runs?limit=1&offset=1", readerGrowth));

        assertThat(newest.path("totalCount").asInt()).isEqualTo(2);
        assertThat(newest.path("runs").findValuesAsText("id")).containsExactly(RUN_2);
        assertThat(older.path("runs").findValuesAsText("id")).containsExactly(RUN_1);
        JsonNode run = older.path("runs").path(0);
        assertThat(run.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(run.path("durationMs").asLong()).isEqualTo(30 * 60 * 1000L);
        assertThat(run.path("nominalStartTime").asText()).isEqualTo("2026-07-01T10:00:00Z");
        assertThat(run.path("inputDatasetVersions").path(0).path("datasetVersionId").path("name").asText()).isEqualTo("events/2026-07.csv");
        assertThat(run.path("outputDatasetVersions").path(0).path("datasetVersionId").path("namespace").asText()).isEqualTo("postgres://db.acme:5432");

        JsonNode byId = json(get("/api/v1/jobs/runs/" + RUN_1, readerGrowth));
        assertThat(byId.path("id").asText()).isEqualTo(RUN_1);
        assertThat(byId.path("jobVersion").path("name").asText()).isEqualTo("etl.features");
        assertThat(byId.path("endedAt").asText()).startsWith("2026-07-01T10:30:00");
        // another namespace's run is not there for this reader
        assertThat(get("/api/v1/jobs/runs/" + RISK_RUN, readerGrowth).statusCode()).isEqualTo(404);
        assertThat(json(get("/api/v1/jobs/runs/" + RISK_RUN, ADMIN)).path("jobVersion").path("namespace").asText()).isEqualTo("risk");
        assertThat(get("/api/v1/jobs/runs/0197c0d0-0000-7000-8000-00000000ffff", ADMIN).statusCode()).isEqualTo(404);
    }

    @Test
    void datasetsAreNamedTheOpenLineageWayAndReadWithEncodedNames() {
        // under the catalog namespace they are filed in (growth's run named them first), by URI ...
        JsonNode growth = json(get("/api/v1/namespaces/growth/datasets", readerGrowth));
        assertThat(growth.path("totalCount").asInt()).isEqualTo(2);
        assertThat(growth.path("datasets").findValuesAsText("physicalName")).containsExactly("analytics.public.features", "events/2026-07.csv");
        // ... and under their OpenLineage namespace; paged
        JsonNode raw = json(get("/api/v1/namespaces/" + enc("postgres://db.acme:5432") + "/datasets?limit=1", readerGrowth));
        assertThat(raw.path("totalCount").asInt()).isEqualTo(1);

        JsonNode features = json(get("/api/v1/namespaces/" + enc("postgres://db.acme:5432") + "/datasets/" + enc("analytics.public.features"), readerGrowth));
        assertThat(features.path("id").path("namespace").asText()).isEqualTo("postgres://db.acme:5432");
        assertThat(features.path("name").asText()).isEqualTo("analytics.public.features");
        assertThat(features.path("sourceName").asText()).isEqualTo("postgres://db.acme:5432");
        assertThat(features.path("fields").findValuesAsText("name")).containsExactly("user_id", "clicks");
        assertThat(features.path("fields").findValuesAsText("type")).containsExactly("BIGINT", "INT");
        assertThat(features.path("lastModifiedAt").asText()).startsWith("2026-07-02T10:45:00");
        assertThat(features.path("facets").path("schema").path("fields")).hasSize(2);

        // Marquez's web UI asks for a dataset under the namespace it listed it in: the catalog namespace
        JsonNode listed = json(get("/api/v1/namespaces/growth/datasets/" + enc("analytics.public.features"), readerGrowth));
        assertThat(listed.path("id")).isEqualTo(features.path("id"));
        assertThat(json(get("/api/v1/namespaces/growth/datasets/" + enc("events/2026-07.csv") + "/versions", readerGrowth))
                .path("totalCount").asInt()).isEqualTo(1);

        // a name with '/' in it, encoded as Marquez's UI encodes it
        JsonNode events = json(get("/api/v1/namespaces/" + enc("s3://acme-raw") + "/datasets/" + enc("events/2026-07.csv"), readerGrowth));
        assertThat(events.path("uri").asText()).isEqualTo("s3://acme-raw/events/2026-07.csv");

        assertThat(get("/api/v1/namespaces/" + enc("bigquery") + "/datasets/" + enc("risk.scores.daily"), readerGrowth).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/namespaces/" + enc("bigquery") + "/datasets/" + enc("risk.scores.daily"), ADMIN).statusCode()).isEqualTo(200);
        assertThat(json(get("/api/v1/namespaces/" + enc("bigquery") + "/datasets", readerGrowth)).path("totalCount").asInt()).isZero();
    }

    @Test
    void aDatasetsVersionsAreItsArtifactsNewestFirst() {
        String path = "/api/v1/namespaces/" + enc("s3://acme-raw") + "/datasets/" + enc("events/2026-07.csv") + "/versions";
        JsonNode versions = json(get(path, ADMIN));

        // the two the dataset events sent (filed under s3://acme-raw), and the one the runs read (no version facet: growth's)
        assertThat(versions.path("totalCount").asInt()).isEqualTo(3);
        assertThat(digests(versions)).containsExactly("version:2", null, "version:1");
        JsonNode page = json(get(path + "?limit=1&offset=2", ADMIN));
        assertThat(digests(page)).containsExactly("version:1");
        assertThat(page.path("totalCount").asInt()).isEqualTo(3);
        assertThat(page.path("versions").path(0).path("id").path("name").asText()).isEqualTo("events/2026-07.csv");
        assertThat(page.path("versions").path(0).path("version").asText()).isEqualTo(page.path("versions").path(0).path("id").path("version").asText());
    }

    @Test
    void searchFindsJobsAndDatasetsTheTokenMayRead() {
        JsonNode all = json(get("/api/v1/search?q=feat", ADMIN));
        assertThat(all.path("totalCount").asInt()).isEqualTo(2);
        assertThat(all.path("results").findValuesAsText("nodeId"))
                .containsExactly("dataset:postgres://db.acme:5432:analytics.public.features", "job:growth:etl.features");
        assertThat(all.path("results").findValuesAsText("type")).containsExactly("DATASET", "JOB");

        JsonNode jobs = json(get("/api/v1/search?q=EXPORT&filter=JOB&sort=UPDATE_AT&limit=2", readerGrowth));
        assertThat(jobs.path("totalCount").asInt()).isEqualTo(3);
        assertThat(jobs.path("results")).hasSize(2);
        assertThat(json(get("/api/v1/search?q=scor", ADMIN)).path("results").findValuesAsText("name")).contains("score", "risk.scores.daily");
        assertThat(json(get("/api/v1/search?q=scor", readerGrowth)).path("results")).isEmpty();
        // Marquez's wildcards: _ is any one character
        assertThat(json(get("/api/v1/search?q=" + enc("_export") + "&filter=JOB", readerGrowth)).path("totalCount").asInt()).isEqualTo(3);
        assertThat(get("/api/v1/search", readerGrowth).statusCode()).isEqualTo(400);
        // as Marquez's web UI asks
        assertThat(json(get("/api/v1/search/?q=feat&sort=NAME&limit=100", ADMIN)).path("totalCount").asInt()).isEqualTo(2);
        assertThat(get("/api/v1/search?q=x&filter=MODEL", readerGrowth).statusCode()).isEqualTo(400);
    }

    @Test
    void withoutAValidTokenEveryEndpointIs401() {
        for (String path : List.of("/api/v1/namespaces", "/api/v1/namespaces/growth", "/api/v1/namespaces/growth/jobs", "/api/v1/jobs",
                "/api/v1/namespaces/growth/jobs/etl.features", "/api/v1/namespaces/growth/jobs/etl.features/runs", "/api/v1/jobs/runs/" + RUN_1,
                "/api/v1/namespaces/growth/datasets", "/api/v1/search?q=feat", "/api/v1/events/lineage")) {
            HttpResponse<String> none = get(path, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.body()).as(path).doesNotContain("etl.features\",");
            assertThat(get(path, "mlc_not-a-token").statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void rawEventsAreNotKeptAndTheAnswerSaysSo() {
        HttpResponse<String> r = get("/api/v1/events/lineage?limit=10", ADMIN);
        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(LineageHttp.json(r).path("code").asInt()).isEqualTo(501);
        assertThat(LineageHttp.json(r).path("message").asText()).contains("not the events as sent");
    }

    @Test
    void aReaderSeesTheVersionsOfItsNamespaceOnly() {
        String dataset = "/api/v1/namespaces/" + enc("s3://acme-raw") + "/datasets/" + enc("events/2026-07.csv");
        JsonNode versions = json(get(dataset + "/versions", readerGrowth));
        assertThat(versions.path("totalCount").asInt()).isEqualTo(1);
        assertThat(digests(versions)).containsExactly((String) null);
        // the dataset is its newest version the reader may read
        JsonNode mine = json(get(dataset, readerGrowth));
        JsonNode all = json(get(dataset, ADMIN));
        assertThat(mine.path("currentVersion").asText()).isEqualTo(versions.path("versions").path(0).path("version").asText());
        assertThat(all.path("currentVersion").asText()).isNotEqualTo(mine.path("currentVersion").asText());
        assertThat(all.path("facets").path("version").path("datasetVersion").asText()).isEqualTo("2");
        assertThat(mine.path("facets").has("version")).isFalse();
    }

    @Test
    void whatIsNotServedIsSaidInMarquezsShape() {
        for (String path : List.of("/api/v1/namespaces/growth/jobs/etl.features/versions", "/api/v1/tags", "/api/v1/column-lineage?nodeId=x")) {
            HttpResponse<String> r = get(path, ADMIN);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(LineageHttp.json(r).path("message").asText()).as(path).contains("does not serve");
        }
        // Marquez's writes are not taken here: events come in at POST /api/v1/lineage
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(catalog.url("/api/v1/namespaces/growth")))
                .header("Authorization", "Bearer " + ADMIN).PUT(HttpRequest.BodyPublishers.ofString("{\"ownerName\": \"me\"}")).build());
        assertThat(put.statusCode()).isEqualTo(405);
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> digests(JsonNode versions) {
        List<String> digests = new ArrayList<>();
        versions.path("versions").forEach(v -> digests.add(v.path("digest").isNull() ? null : v.path("digest").asText()));
        return digests;
    }

    private static void post(String event) {
        HttpResponse<String> r = http.post(LineageHttp.PATH, "application/json", event.getBytes(StandardCharsets.UTF_8), "Bearer " + ADMIN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url(path))).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build());
    }

    private static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = LineageHttp.json(r);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return body;
    }
}
