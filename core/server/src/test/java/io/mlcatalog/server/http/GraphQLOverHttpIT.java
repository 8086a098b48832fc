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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.mlcatalog.server.http.Responses.assertNoInternals;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * /graphql as the GraphQL-over-HTTP spec has it (media types, status codes, GET and POST), the other
 * routes, and what a client sees when the request itself is wrong.
 */
class GraphQLOverHttpIT {
    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    private static final String JSON = "application/json";
    private static final String NAMESPACES = "{ namespaces }";
    private static final String RUNS_IN = """
            query Runs($ns: String) { runs(filter: {namespace: $ns}) { totalCount edges { node { name } } } }""";

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        catalog.graphql("""
                mutation { upsertRun(input: {namespace: "http", name: "seed", status: RUNNING}) { id } }""").ok();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    // ------------------------------------------------------------------ media types

    @Test
    void postAnswersInGraphqlResponseJsonWhenTheClientAcceptsIt() {
        HttpResponse<String> r = post(body(NAMESPACES), JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(mediaType(r)).isEqualTo(GRAPHQL_RESPONSE);
        assertThat(json(r).path("data").path("namespaces")).extracting(JsonNode::asText).containsExactly("http");
    }

    @Test
    void anyMediaTypeGetsApplicationJsonAsOlderClientsExpect() {
        assertThat(mediaType(post(body(NAMESPACES), JSON, "*/*"))).isEqualTo(JSON);
        assertThat(mediaType(post(body(NAMESPACES), JSON, "text/html, */*;q=0.8"))).isEqualTo(JSON);
        // a query that does not validate: application/json answers 200 with the errors, as such clients expect
        HttpResponse<String> invalid = post(body("{ nope }"), JSON, "*/*");
        assertThat(invalid.statusCode()).isEqualTo(200);
        assertThat(json(invalid).path("errors").path(0).path("message").asText()).contains("nope");
    }

    @Test
    void applicationJsonIsAnsweredInApplicationJson() {
        HttpResponse<String> r = post(body(NAMESPACES), JSON, JSON);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(mediaType(r)).isEqualTo(JSON);
        assertThat(json(r).path("data").has("namespaces")).isTrue();
    }

    @Test
    void withoutAcceptTheAnswerIsApplicationJson() {
        HttpResponse<String> r = post(body(NAMESPACES), JSON, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(mediaType(r)).isEqualTo(JSON);
    }

    @Test
    void theAcceptedTypeWithTheHighestQualityWins() {
        assertThat(mediaType(post(body(NAMESPACES), JSON, GRAPHQL_RESPONSE + ";q=0.5, " + JSON))).isEqualTo(JSON);
        assertThat(mediaType(post(body(NAMESPACES), JSON, JSON + ";q=0.5, " + GRAPHQL_RESPONSE))).isEqualTo(GRAPHQL_RESPONSE);
    }

    @Test
    void acceptingOnlyHtmlIs406() {
        HttpResponse<String> r = post(body(NAMESPACES), JSON, "text/html");
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(json(r).path("errors").path(0).path("message").asText()).contains(GRAPHQL_RESPONSE, JSON);
    }

    @Test
    void aBodyThatIsNotJsonIs415() {
        HttpResponse<String> r = send("POST", NAMESPACES, "text/plain", GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(json(r).path("errors").path(0).path("message").asText()).contains("application/json");
    }

    // ------------------------------------------------------------------ status codes

    @Test
    void anUnparseableDocumentIs400UnderGraphqlResponseJson() {
        HttpResponse<String> r = post(body("{ namespaces "), JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = json(r);
        assertThat(body.has("data")).isFalse();
        assertThat(code(body)).isEqualTo("BAD_USER_INPUT");
        assertThat(message(body)).containsIgnoringCase("syntax");
    }

    @Test
    void anUnparseableDocumentIs200WithoutDataUnderApplicationJson() {
        HttpResponse<String> r = post(body("{ namespaces "), JSON, JSON);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.has("data")).isFalse();
        assertThat(code(body)).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void anUnknownFieldIs400UnderGraphqlResponseJson() {
        HttpResponse<String> r = post(body("{ namespaces nope }"), JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).has("data")).isFalse();
        assertThat(code(json(r))).isEqualTo("BAD_USER_INPUT");
        assertThat(message(json(r))).contains("nope");
    }

    @Test
    void anUnknownFieldIs200WithoutDataUnderApplicationJson() {
        HttpResponse<String> r = post(body("{ namespaces nope }"), JSON, JSON);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).has("data")).isFalse();
        assertThat(message(json(r))).contains("nope");
    }

    @Test
    void aFieldErrorDuringExecutionIs200WithDataAndErrors() {
        HttpResponse<String> r = post(body("""
                mutation { endDeployment(id: "Deployment:00000000-0000-0000-0000-000000000001") { id } }"""), JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.has("data")).isTrue();
        assertThat(code(body)).isEqualTo("NOT_FOUND");
        assertThat(body.path("errors").path(0).path("extensions").path("field").asText()).isEqualTo("id");
        assertThat(body.path("errors").path(0).path("path").path(0).asText()).isEqualTo("endDeployment");
    }

    // ------------------------------------------------------------------ GET

    @Test
    void getRunsAQueryWithVariablesAndOperationName() {
        HttpResponse<String> r = get(Map.of("query", RUNS_IN, "variables", "{\"ns\": \"http\"}", "operationName", "Runs"),
                GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(mediaType(r)).isEqualTo(GRAPHQL_RESPONSE);
        JsonNode runs = json(r).path("data").path("runs");
        assertThat(runs.path("totalCount").asInt()).isEqualTo(1);
        assertThat(runs.path("edges").path(0).path("node").path("name").asText()).isEqualTo("seed");
    }

    @Test
    void aMutationOverGetIs405WithAllowAndWritesNothing() {
        Map<String, Long> before = catalog.rowCounts();
        HttpResponse<String> r = get(Map.of("query", """
                mutation { upsertRun(input: {namespace: "get", name: "sneaky", status: RUNNING}) { id } }"""), GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("POST"));
        assertThat(message(json(r))).contains("POST");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aMutationSelectedByOperationNameOverGetIs405() {
        Map<String, Long> before = catalog.rowCounts();
        String document = RUNS_IN + "\nmutation Write { upsertRun(input: {namespace: \"get\", name: \"sneaky\", status: RUNNING}) { id } }";
        assertThat(get(Map.of("query", document, "operationName", "Write"), GRAPHQL_RESPONSE).statusCode()).isEqualTo(405);
        HttpResponse<String> query = get(Map.of("query", document, "operationName", "Runs", "variables", "{\"ns\": \"http\"}"),
                GRAPHQL_RESPONSE);
        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(json(query).path("data").path("runs").path("totalCount").asInt()).isEqualTo(1);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void getWithVariablesThatAreNotJsonIs400() {
        HttpResponse<String> r = get(Map.of("query", RUNS_IN, "variables", "{ns: http"), GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(json(r))).contains("variables");
    }

    @Test
    void getWithoutAQueryIs400() {
        HttpResponse<String> r = get(Map.of("operationName", "Runs"), GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(json(r))).contains("query");
    }

    // ------------------------------------------------------------------ POST

    @Test
    void operationNameSelectsOneOfSeveralOperations() {
        String document = "query A { namespaces } query B { runs(filter: {namespace: \"http\"}) { totalCount } }";
        JsonNode a = json(post(body(document, "A", null), JSON, GRAPHQL_RESPONSE));
        assertThat(a.path("data").has("namespaces")).isTrue();
        assertThat(a.path("data").has("runs")).isFalse();
        JsonNode b = json(post(body(document, "B", null), JSON, GRAPHQL_RESPONSE));
        assertThat(b.path("data").path("runs").path("totalCount").asInt()).isEqualTo(1);
        assertThat(b.path("data").has("namespaces")).isFalse();
    }

    @Test
    void severalOperationsWithoutOperationNameAreRefused() {
        HttpResponse<String> r = post(body("query A { namespaces } query B { namespaces }"), JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(json(r))).containsIgnoringCase("operation");
    }

    @Test
    void malformedJsonIs400WithAMessage() {
        HttpResponse<String> r = post("{\"query\": \"{ namespaces }\"", JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(json(r))).isEqualTo("BAD_USER_INPUT");
        assertThat(message(json(r))).contains("not valid JSON");
    }

    @Test
    void aBodyThatIsNotAnObjectIs400() {
        HttpResponse<String> r = post("[{\"query\": \"{ namespaces }\"}]", JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(json(r))).contains("JSON object");
    }

    @Test
    void aQueryThatIsNotAStringIs400() {
        HttpResponse<String> r = post("{\"query\": {\"namespaces\": true}}", JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(json(r))).contains("query must be a string");
    }

    @Test
    void variablesThatAreNotAnObjectAre400() {
        HttpResponse<String> r = post("{\"query\": \"{ namespaces }\", \"variables\": [1, 2]}", JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(json(r))).contains("variables must be a JSON object");
    }

    @Test
    void anEmptyBodyIs400() {
        HttpResponse<String> r = post("", JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(json(r))).contains("empty");
    }

    @Test
    void putIs405WithAllow() {
        HttpResponse<String> r = send("PUT", body(NAMESPACES), JSON, GRAPHQL_RESPONSE);
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("GET", "POST"));
        assertThat(code(json(r))).isEqualTo("BAD_USER_INPUT");
    }

    // ------------------------------------------------------------------ the other routes

    @Test
    void healthIsAlive() {
        HttpResponse<String> r = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/health"))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(mediaType(r)).isEqualTo(JSON);
    }

    @Test
    void readyWhenTheDatabaseAnswers() {
        HttpResponse<String> r = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/ready"))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("status").asText()).isEqualTo("ready");
    }

    /** The catalog runs in air-gapped networks: GraphiQL must come from the jar, never from a CDN. */
    @Test
    void graphiqlIsServedFromTheJarWithoutCdnReferences() {
        HttpResponse<String> page = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/graphiql/"))).build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<div id=\"root\">").doesNotContain("http://", "https://");

        List<String> resources = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"(\\./static/[^\"]+)\"").matcher(page.body());
        while (m.find()) {
            resources.add(m.group(1));
        }
        assertThat(resources).anyMatch(r -> r.endsWith(".js"));
        for (String resource : resources) {
            HttpResponse<String> r = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/graphiql/")).resolve(resource)).build());
            assertThat(r.statusCode()).as(resource).isEqualTo(200);
            assertThat(r.body()).as(resource).isNotEmpty();
            // Bundled code carries http(s) strings that are never fetched (XML namespaces such as
            // http://www.w3.org/2000/svg, links in error texts): what must not be there is anything loaded from
            // elsewhere, a script, style sheet or font from a CDN.
            assertThat(CDN.matcher(r.body()).results().map(java.util.regex.MatchResult::group).toList()).as(resource).isEmpty();
        }
    }

    private static final Pattern CDN = Pattern.compile(
            "https?://(?:[\\w.-]*\\.)?(?:unpkg\\.com|jsdelivr\\.net|cdnjs\\.cloudflare\\.com|esm\\.sh|skypack\\.dev|jspm\\.io"
                    + "|googleapis\\.com|gstatic\\.com|bootstrapcdn\\.com|cloudflare\\.com)[^\"'\\s)]*"
                    + "|https?://[^\"'\\s)]+\\.(?:js|mjs|css|woff2?|ttf)(?=[\"'\\s)?])");

    // ------------------------------------------------------------------ no internals, ever

    @Test
    void noBadRequestGetsAStackTraceOrSqlBack() {
        List<HttpResponse<String>> responses = List.of(
                post("{\"query\": ", JSON, GRAPHQL_RESPONSE),
                post("[]", JSON, GRAPHQL_RESPONSE),
                post("{\"query\": 42}", JSON, GRAPHQL_RESPONSE),
                post("{\"query\": \"{ namespaces }\", \"variables\": \"x\"}", JSON, GRAPHQL_RESPONSE),
                post("{\"query\": \"{ namespaces }\", \"operationName\": 7}", JSON, GRAPHQL_RESPONSE),
                post(body("{ namespaces "), JSON, GRAPHQL_RESPONSE),
                post(body("{ nope }"), JSON, GRAPHQL_RESPONSE),
                post(body("{ runs(first: 0) { totalCount } }"), JSON, GRAPHQL_RESPONSE),
                post(body("{ runs(after: \"not a cursor\") { totalCount } }"), JSON, GRAPHQL_RESPONSE),
                post(body("{ run(id: \"Run:not-a-uuid\") { name } }"), JSON, GRAPHQL_RESPONSE),
                post(body("{ node(id: \"Nothing:1\") { id } }"), JSON, GRAPHQL_RESPONSE),
                post(body("{ codeVersion(commit: \"zz\") { id } }"), JSON, GRAPHQL_RESPONSE),
                post(body("{ artifacts(filter: {digest: \"sha999:1\"}) { totalCount } }"), JSON, GRAPHQL_RESPONSE),
                post(body("query($n: Int) { runs(first: $n) { totalCount } }", null, "{\"n\": \"ten\"}"), JSON, GRAPHQL_RESPONSE),
                post(body("mutation { setAlias(namespace: \"http\", model: \"none\", alias: \"prod\", version: \"1\") { since } }"),
                        JSON, GRAPHQL_RESPONSE),
                post(body("mutation { upsertRun(input: {namespace: \"http\", name: \"x\", status: RUNNING, "
                        + "endedAt: \"2026-01-01T00:00:00Z\"}) { id } }"), JSON, GRAPHQL_RESPONSE),
                post(body("mutation { upsertRun(input: {namespace: \"http\", name: \"x\", status: FAILED, "
                        + "startedAt: \"2026-01-02T00:00:00Z\", endedAt: \"2026-01-01T00:00:00Z\"}) { id } }"), JSON, GRAPHQL_RESPONSE),
                post(body("mutation { upsertRun(input: {namespace: \"http\", name: \"x\", status: RUNNING, "
                        + "parentRunId: \"Run:00000000-0000-0000-0000-000000000009\"}) { id } }"), JSON, GRAPHQL_RESPONSE),
                send("POST", NAMESPACES, "text/plain", GRAPHQL_RESPONSE),
                send("PUT", body(NAMESPACES), JSON, GRAPHQL_RESPONSE),
                get(Map.of("query", "mutation { removeAlias(namespace: \"a\", model: \"b\", alias: \"c\") }"), GRAPHQL_RESPONSE));
        for (HttpResponse<String> r : responses) {
            assertThat(r.statusCode()).as(r.body()).isBetween(200, 499);
            assertThat(json(r).path("errors").path(0).path("message").asText()).as(r.body()).isNotBlank();
            assertNoInternals(r.body());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String body(String query) {
        return body(query, null, null);
    }

    private static String body(String query, String operationName, String variablesJson) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        if (operationName != null) {
            body.put("operationName", operationName);
        }
        try {
            String json = TestCatalog.JSON.writeValueAsString(body);
            return variablesJson == null ? json : json.substring(0, json.length() - 1) + ", \"variables\": " + variablesJson + "}";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> post(String body, String contentType, String accept) {
        return send("POST", body, contentType, accept);
    }

    private static HttpResponse<String> send(String method, String body, String contentType, String accept) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(catalog.url("/graphql"))).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            req.header("Content-Type", contentType);
        }
        if (accept != null) {
            req.header("Accept", accept);
        }
        return catalog.raw(req.build());
    }

    private static HttpResponse<String> get(Map<String, String> params, String accept) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(catalog.url("/graphql" + q))).timeout(Duration.ofSeconds(30)).GET();
        if (accept != null) {
            req.header("Accept", accept);
        }
        return catalog.raw(req.build());
    }

    private static String mediaType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse(null);
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return TestCatalog.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    private static String code(JsonNode body) {
        return body.path("errors").path(0).path("extensions").path("code").asText(null);
    }

    private static String message(JsonNode body) {
        return body.path("errors").path(0).path("message").asText("");
    }
}
