package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GET /api/v1/lineage, Marquez's lineage endpoint, as a Marquez client reads it from a catalog with access control on.
 * Two teams: growth trains on its data and writes a model file; risk's scoring job reads growth's model file, so the
 * lineage crosses from one namespace to the other, and a growth reader must see none of risk's part.
 */
class MarquezLineageIT {
    static final String ADMIN = "test-admin-token-0123456789-abcdefghijklmnop";
    static final String RUN = "mutation($input: RunInput!) { upsertRun(input: $input) { id } }";
    static TestCatalog catalog;
    static String readerG;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN);
        readerG = catalog.graphql(ADMIN, "mutation { createToken(input: {name: \"reader-g\", role: READER, namespaces: [\"growth\"]}) { token } }")
                .ok().path("createToken").path("token").asText();
        catalog.graphql(ADMIN, RUN, Map.of("input", Map.of("namespace", "growth", "name", "train-1", "pipeline", "train",
                "externalId", "r-1", "status", "SUCCEEDED", "startedAt", "2026-11-01T10:00:00Z", "endedAt", "2026-11-01T11:00:00Z",
                "inputs", List.of(Map.of("namespace", "growth", "uri", "s3://growth/data.csv")),
                "outputs", List.of(Map.of("namespace", "growth", "uri", "s3://growth/model.pkl", "kind", "MODEL"))))).ok();
        catalog.graphql(ADMIN, RUN, Map.of("input", Map.of("namespace", "growth", "name", "train-2", "pipeline", "train",
                "externalId", "r-2", "status", "FAILED", "startedAt", "2026-11-02T10:00:00Z", "endedAt", "2026-11-02T10:05:00Z",
                "inputs", List.of(Map.of("namespace", "growth", "uri", "s3://growth/data.csv"))))).ok();
        catalog.graphql(ADMIN, RUN, Map.of("input", Map.of("namespace", "risk", "name", "score-1", "pipeline", "score",
                "status", "SUCCEEDED", "startedAt", "2026-11-03T10:00:00Z", "endedAt", "2026-11-03T11:00:00Z",
                "inputs", List.of(Map.of("namespace", "growth", "uri", "s3://growth/model.pkl")),
                "outputs", List.of(Map.of("namespace", "risk", "uri", "s3://risk/scores.parquet"))))).ok();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void aDatasetsLineageIsItsJobsAndDatasetsWithEdgesBothWays() {
        HttpResponse<String> r = get(ADMIN, "dataset:s3://growth:data.csv", "5");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        Map<String, JsonNode> graph = graph(r);
        assertThat(graph.keySet()).containsExactly("dataset:s3://growth:data.csv", "dataset:s3://growth:model.pkl",
                "dataset:s3://risk:scores.parquet", "job:growth:train", "job:risk:score");
        JsonNode data = graph.get("dataset:s3://growth:data.csv");
        assertThat(data.path("type").asText()).isEqualTo("DATASET");
        assertThat(data.path("data").path("id").path("namespace").asText()).isEqualTo("s3://growth");
        assertThat(data.path("data").path("id").path("name").asText()).isEqualTo("data.csv");
        assertThat(data.path("inEdges")).isEmpty();
        assertThat(data.path("outEdges").findValuesAsText("destination")).containsExactly("job:growth:train");
        assertThat(data.path("outEdges").findValuesAsText("origin")).containsExactly("dataset:s3://growth:data.csv");

        // both runs of train are the one job; its latest run is the newest one
        JsonNode train = graph.get("job:growth:train");
        assertThat(train.path("type").asText()).isEqualTo("JOB");
        assertThat(train.path("data").path("namespace").asText()).isEqualTo("growth");
        assertThat(train.path("data").path("inputs").findValuesAsText("name")).containsExactly("data.csv");
        assertThat(train.path("data").path("outputs").findValuesAsText("name")).containsExactly("model.pkl");
        assertThat(train.path("data").path("latestRun").path("id").asText()).isEqualTo("r-2");
        assertThat(train.path("data").path("latestRun").path("state").asText()).isEqualTo("FAILED");
        assertThat(train.path("inEdges").findValuesAsText("origin")).containsExactly("dataset:s3://growth:data.csv");
        assertThat(train.path("outEdges").findValuesAsText("destination")).containsExactly("dataset:s3://growth:model.pkl");
        assertThat(graph.get("job:risk:score").path("data").path("latestRun").path("state").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void depthBoundsTheWalk() {
        Map<String, JsonNode> near = graph(get(ADMIN, "job:growth:train", "1"));
        assertThat(near.keySet()).containsExactly("dataset:s3://growth:data.csv", "dataset:s3://growth:model.pkl", "job:growth:train");

        Map<String, JsonNode> far = graph(get(ADMIN, "job:growth:train", null));
        assertThat(far.keySet()).contains("job:risk:score", "dataset:s3://risk:scores.parquet");
    }

    @Test
    void aReaderOfOneNamespaceSeesNothingOfAnother() {
        HttpResponse<String> r = get(readerG, "dataset:s3://growth:data.csv", "5");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(graph(r).keySet()).containsExactly("dataset:s3://growth:data.csv", "dataset:s3://growth:model.pkl", "job:growth:train");
        assertThat(r.body()).doesNotContain("risk").doesNotContain("score");

        // what it may not read is not there for it: the same answer as for what does not exist
        HttpResponse<String> job = get(readerG, "job:risk:score", "5");
        HttpResponse<String> dataset = get(readerG, "dataset:s3://risk:scores.parquet", "5");
        HttpResponse<String> unknown = get(readerG, "job:risk:no-such-job", "5");
        assertThat(List.of(job.statusCode(), dataset.statusCode(), unknown.statusCode())).containsOnly(404);
        assertThat(job.body()).doesNotContain("score-1");
        assertThat(get(ADMIN, "job:risk:score", "5").statusCode()).isEqualTo(200);
    }

    @Test
    void withoutAValidTokenIs401() {
        HttpResponse<String> none = get(null, "dataset:s3://growth:data.csv", "5");
        HttpResponse<String> wrong = get("mlc_not-a-token", "dataset:s3://growth:data.csv", "5");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(none.body()).doesNotContain("growth:train");
    }

    @Test
    void aBadNodeIdOrDepthIs400AndAnUnknownNodeIs404() {
        for (String[] bad : new String[][]{{null, "5"}, {"run:0195ab1c-6c00-7000-8000-000000000001", "5"}, {"dataset:no-name", "5"},
                {"job:growth:train", "0"}, {"job:growth:train", "21"}, {"job:growth:train", "two"}}) {
            HttpResponse<String> r = get(ADMIN, bad[0], bad[1]);
            assertThat(r.statusCode()).as("%s depth %s: %s", bad[0], bad[1], r.body()).isEqualTo(400);
            assertThat(json(r).path("code").asInt()).isEqualTo(400);
            assertThat(json(r).path("message").asText()).containsAnyOf("nodeId", "depth");
        }
        HttpResponse<String> unknown = get(ADMIN, "dataset:s3://growth:nothing-here.csv", "5");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("message").asText()).contains("s3://growth/nothing-here.csv");
    }

    @Test
    void nodeIdsAreReadAsMarquezWritesThem() {
        assertThat(MarquezGraph.NodeId.parse("dataset:postgres://db.example.com:5432:analytics.public.orders"))
                .isEqualTo(new MarquezGraph.NodeId(true, "postgres://db.example.com:5432", "analytics.public.orders"));
        assertThat(MarquezGraph.NodeId.parse("dataset:bigquery:project.dataset.table"))
                .isEqualTo(new MarquezGraph.NodeId(true, "bigquery", "project.dataset.table"));
        assertThat(MarquezGraph.NodeId.parse("job:airflow-prod:sales_dag.extract"))
                .isEqualTo(new MarquezGraph.NodeId(false, "airflow-prod", "sales_dag.extract"));
        assertThat(MarquezGraph.NodeId.parse("job:team:name:with:colons"))
                .isEqualTo(new MarquezGraph.NodeId(false, "team", "name:with:colons"));
        assertThatThrownBy(() -> MarquezGraph.NodeId.parse("job:team:")).isInstanceOf(MarquezCaller.Refused.class);
        assertThatThrownBy(() -> MarquezGraph.NodeId.parse("job::x")).isInstanceOf(MarquezCaller.Refused.class);
    }

    // ------------------------------------------------------------------ helpers

    private static HttpResponse<String> get(String token, String nodeId, String depth) {
        Map<String, String> params = new LinkedHashMap<>();
        if (nodeId != null) {
            params.put("nodeId", nodeId);
        }
        if (depth != null) {
            params.put("depth", depth);
        }
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(catalog.url("/api/v1/lineage" + q))).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return catalog.raw(req.build());
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return TestCatalog.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** The graph's nodes by id, in the order answered. */
    private static Map<String, JsonNode> graph(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, JsonNode> nodes = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        json(r).path("graph").forEach(n -> {
            nodes.put(n.path("id").asText(), n);
            order.add(n.path("id").asText());
        });
        assertThat(order).as("nodes sorted by id").isSorted();
        return nodes;
    }
}
