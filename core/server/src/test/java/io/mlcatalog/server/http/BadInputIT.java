package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.mlcatalog.server.http.Responses.assertNoInternals;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client sends, it gets a clear error: a code, the path of the offending input where there is
 * one, a message naming the problem. The server keeps answering, and a refused request writes nothing.
 */
class BadInputIT {
    private static final Map<String, String> POST = Map.of("Content-Type", "application/json",
            "Accept", "application/graphql-response+json");
    private static final String UPSERT_RUN = """
            mutation($input: RunInput!) { upsertRun(input: $input) { id namespace name pipeline outputs { uri name } } }""";
    private static final String MISSING_UUID = "00000000-0000-0000-0000-00000000abcd";
    private static final String HUNDRED_KB = "n".repeat(100 * 1024);

    static TestCatalog catalog;
    static String runId;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        runId = catalog.graphql(UPSERT_RUN, Map.of("input", run("trainer"))).ok().path("upsertRun").path("id").asText();
        catalog.graphql("""
                mutation { registerModelVersion(input: {namespace: "bad", model: "churn", version: "1"}) { id } }""").ok();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    // ------------------------------------------------------------------ the request itself

    @Test
    void malformedJson() {
        Result r = refusedWithoutWrites(() -> catalog.post("{\"query\": \"{ namespaces }\",", POST));
        assertThat(r.status()).isEqualTo(400);
        assertError(r, "BAD_USER_INPUT", null, "not valid JSON");
    }

    @Test
    void invalidUtf8InTheBody() {
        byte[] body = "{\"query\": \"{ namespaces }\", \"variables\": {\"ns\": \"ab\"}}".getBytes(StandardCharsets.US_ASCII);
        body[body.length - 5] = (byte) 0xC3; // a lead byte followed by 'b' (0x62): not a continuation byte
        Result r = refusedWithoutWrites(() -> catalog.post(HttpRequest.BodyPublishers.ofByteArray(body), POST));
        assertThat(r.status()).isEqualTo(400);
        assertError(r, "BAD_USER_INPUT", null, "UTF-8");
    }

    @Test
    void paramsThatAreNotAJsonObject() {
        for (Object params : List.of("lr=0.1", List.of(1, 2), 3)) {
            Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "params", params))));
            assertError(r, "BAD_USER_INPUT", "input.params", "JSON object");
        }
    }

    @Test
    void aNulInsideParams() {
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN,
                Map.of("input", run("r", "params", Map.of("optimizer", "adam\u0000")))));
        assertError(r, "BAD_USER_INPUT", "input.params.optimizer", "NUL");
    }

    // ------------------------------------------------------------------ types GraphQL checks

    @Test
    void aStringWhereFirstWantsAnInt() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("query($n: Int) { runs(first: $n) { totalCount } }", Map.of("n", "ten")));
        assertThat(r.status()).isEqualTo(400);
        assertError(r, "BAD_USER_INPUT", "n", "Int");
    }

    @Test
    void anUnknownEnumValueInAVariable() {
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "status", "DONE"))));
        assertThat(r.status()).isEqualTo(400);
        assertError(r, "BAD_USER_INPUT", "input", "DONE", "RunStatus");
    }

    @Test
    void anUnknownEnumValueInTheDocument() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("""
                mutation { upsertRun(input: {namespace: "bad", name: "r", status: DONE}) { id } }"""));
        assertThat(r.status()).isEqualTo(400);
        assertError(r, "BAD_USER_INPUT", "input.status", "DONE", "RunStatus");
    }

    @Test
    void timestampsThatAreNotRfc3339() {
        for (String time : List.of("yesterday", "2026-13-45T00:00:00Z", "2026-01-01 00:00:00")) {
            Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "startedAt", time))));
            assertError(r, "BAD_USER_INPUT", "input", time);
        }
    }

    @Test
    void aTimestampThatIsNotRfc3339InTheDocument() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("""
                mutation { upsertRun(input: {namespace: "bad", name: "r", status: RUNNING, startedAt: "yesterday"}) { id } }"""));
        assertError(r, "BAD_USER_INPUT", "input.startedAt", "yesterday");
    }

    @Test
    void theIdOfAnotherType() {
        String modelId = "Model:" + MISSING_UUID;
        Result parent = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "parentRunId", modelId))));
        assertError(parent, "BAD_USER_INPUT", "input.parentRunId", "Run", "Model");

        Result lookup = refusedWithoutWrites(() -> catalog.graphql("query($id: ID) { run(id: $id) { name } }", Map.of("id", modelId)));
        assertError(lookup, "BAD_USER_INPUT", "id", "Run", "Model");

        Result end = refusedWithoutWrites(() -> catalog.graphql("mutation($id: ID!) { endDeployment(id: $id) { id } }",
                Map.of("id", runId)));
        assertError(end, "BAD_USER_INPUT", "id", "Deployment", "Run");
    }

    // ------------------------------------------------------------------ text

    @Test
    void aUriOfAHundredKilobytes() {
        Map<String, Object> output = Map.of("namespace", "bad", "uri", "s3://bucket/" + HUNDRED_KB);
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "outputs", List.of(output)))));
        assertError(r, "BAD_USER_INPUT", "input.outputs[0].uri", "too long");
    }

    @Test
    void aNameOfAHundredKilobytes() {
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run(HUNDRED_KB))));
        assertError(r, "BAD_USER_INPUT", "input.name", "too long");
    }

    @Test
    void aNamespaceWithAControlCharacter() {
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "namespace", "team\u0001a"))));
        assertError(r, "BAD_USER_INPUT", "input.namespace", "control character", "U+0001");
    }

    @Test
    void aNamespaceWithANul() {
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "namespace", "team\u0000a"))));
        assertError(r, "BAD_USER_INPUT", "input.namespace", "U+0000");
    }

    @Test
    void aNulInAFilterOrLookup() {
        record Case(String query, String path, String field) {
        }
        List<Case> cases = List.of(
                new Case("query($s: String) { runs(filter: {namespace: $s}) { totalCount } }", "runs", "filter.namespace"),
                new Case("query($s: String) { artifacts(filter: {nameContains: $s}) { totalCount } }", "artifacts", "filter.nameContains"),
                new Case("query($s: String) { models(filter: {namespace: $s}) { totalCount } }", "models", "filter.namespace"),
                new Case("query($s: String) { deployments(filter: {target: $s}) { totalCount } }", "deployments", "filter.target"),
                new Case("query($s: String) { model(namespace: $s, name: \"churn\") { id } }", "model", "namespace"),
                new Case("query($s: String) { modelVersion(model: \"churn\", version: $s) { id } }", "modelVersion", "version"));
        for (Case c : cases) {
            Result r = refusedWithoutWrites(() -> catalog.graphql(c.query(), Map.of("s", "bad\u0000")));
            assertError(r, "BAD_USER_INPUT", c.field(), "NUL");
            assertThat(r.errors().path(0).path("path").path(0).asText()).isEqualTo(c.path());
        }
    }

    @Test
    void aFilterValueOfAHundredKilobytesIsRefusedBeforeItReachesTheDatabase() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("query($s: String) { runs(filter: {nameContains: $s}) { totalCount } }",
                Map.of("s", "x".repeat(100_000))));
        assertError(r, "BAD_USER_INPUT", "filter.nameContains", "too long");
    }

    @Test
    void anUnpairedSurrogate() {
        // a JSON escape of half a surrogate pair: valid JSON, but not a character
        Result r = refusedWithoutWrites(() -> catalog.post("""
                {"query": "mutation($input: RunInput!) { upsertRun(input: $input) { id } }",
                 "variables": {"input": {"namespace": "bad", "name": "a\\ud800b", "status": "RUNNING"}}}""", POST));
        assertError(r, "BAD_USER_INPUT", "input.name", "Unicode");
    }

    @Test
    void unicodeNamesAreAcceptedAndComeBackExactly() {
        String namespace = "团队-🧪";
        String name = "训练 🚀 مرحبا بالعالم \u200Fשלום";
        String pipeline = "パイプライン/ñandú";
        String uri = "s3://bucket/数据/🚀.parquet";
        Map<String, Object> input = new LinkedHashMap<>(run(name, "namespace", namespace));
        input.put("pipeline", pipeline);
        input.put("outputs", List.of(Map.of("namespace", namespace, "uri", uri)));
        JsonNode written = catalog.graphql(UPSERT_RUN, Map.of("input", input)).ok().path("upsertRun");

        JsonNode read = catalog.graphql("""
                query($id: ID) { run(id: $id) { namespace name pipeline outputs { uri name } } }""",
                Map.of("id", written.path("id").asText())).ok().path("run");
        for (JsonNode run : List.of(written, read)) {
            assertThat(run.path("namespace").asText()).isEqualTo(namespace);
            assertThat(run.path("name").asText()).isEqualTo(name);
            assertThat(run.path("pipeline").asText()).isEqualTo(pipeline);
            assertThat(run.path("outputs").path(0).path("uri").asText()).isEqualTo(uri);
            assertThat(run.path("outputs").path(0).path("name").asText()).isEqualTo("🚀.parquet");
        }
        JsonNode found = catalog.graphql("query($ns: String) { runs(filter: {namespace: $ns, nameContains: \"🚀 مرحبا\"}) "
                + "{ edges { node { name } } } }", Map.of("ns", namespace)).ok();
        assertThat(found.path("runs").path("edges").path(0).path("node").path("name").asText()).isEqualTo(name);
    }

    // ------------------------------------------------------------------ digests, references

    @Test
    void aDigestInAnUnknownFormat() {
        for (String digest : List.of("sha999:abc", "sha256:xyz")) {
            Map<String, Object> output = Map.of("namespace", "bad", "uri", "s3://bucket/model.bin", "digest", digest);
            Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", run("r", "outputs", List.of(output)))));
            assertError(r, "BAD_USER_INPUT", "input.outputs[0].digest", digest);
        }
    }

    @Test
    void aDeploymentOfAVersionThatDoesNotExist() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("""
                mutation { startDeployment(input: {namespace: "bad", environment: "prod", target: "churn-api",
                  model: "churn", version: "9"}) { id } }"""));
        assertError(r, "NOT_FOUND", "input.version", "'9'");
    }

    @Test
    void aDeploymentOfAModelThatDoesNotExist() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("""
                mutation { startDeployment(input: {namespace: "bad", environment: "prod", target: "churn-api",
                  model: "nope", version: "1"}) { id } }"""));
        assertError(r, "NOT_FOUND", "input.model", "nope");
    }

    @Test
    void anAliasToAVersionThatDoesNotExist() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("""
                mutation { setAlias(namespace: "bad", model: "churn", alias: "production", version: "9") { since } }"""));
        assertError(r, "NOT_FOUND", "version", "'9'");
    }

    @Test
    void aParentRunThatDoesNotExist() {
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN,
                Map.of("input", run("r", "parentRunId", "Run:" + MISSING_UUID))));
        assertError(r, "NOT_FOUND", "input.parentRunId", MISSING_UUID);
    }

    // ------------------------------------------------------------------ size

    @Test
    void firstOfAThousand() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("{ runs(first: 1000) { totalCount } }"));
        assertError(r, "BAD_USER_INPUT", "first", "1000");
    }

    @Test
    void aTenThousandDeepQuery() {
        Result r = refusedWithoutWrites(() -> catalog.graphql("{ runs".repeat(10_000) + " }".repeat(10_000)));
        assertThat(r.status()).isEqualTo(400);
        assertError(r, "LIMIT_EXCEEDED", null, "deep");
    }

    @Test
    void aThousandAliases() {
        StringBuilder q = new StringBuilder("{");
        for (int i = 0; i < 1000; i++) {
            q.append(" a").append(i).append(": namespaces");
        }
        Result r = refusedWithoutWrites(() -> catalog.graphql(q.append(" }").toString()));
        assertThat(r.status()).isEqualTo(400);
        assertError(r, "LIMIT_EXCEEDED", null, "1000 aliases");
    }

    // ------------------------------------------------------------------ several problems at once

    @Test
    void ofSeveralProblemsOneIsReportedPrecisely() {
        Map<String, Object> input = new LinkedHashMap<>(run(HUNDRED_KB, "namespace", "team\u0001"));
        input.put("outputs", List.of(Map.of("namespace", "bad", "uri", "s3://b/k", "digest", "sha999:abc")));
        input.put("params", "not an object");
        Result r = refusedWithoutWrites(() -> catalog.graphql(UPSERT_RUN, Map.of("input", input)));
        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        Map<String, String> problems = Map.of("input.name", "too long", "input.namespace", "control character",
                "input.outputs[0].digest", "sha999:abc", "input.params", "JSON object");
        assertThat(problems).containsKey(r.errorField());
        assertThat(r.errorMessage()).contains(problems.get(r.errorField()));
    }

    // ------------------------------------------------------------------ helpers

    /** A run input with {@code name}, and pairs of keys and values replacing the defaults. */
    private static Map<String, Object> run(String name, Object... overrides) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("namespace", "bad");
        input.put("name", name);
        input.put("status", "RUNNING");
        for (int i = 0; i < overrides.length; i += 2) {
            input.put((String) overrides[i], overrides[i + 1]);
        }
        return input;
    }

    /** Sends a request that must be refused, and checks that nothing was written and the server still answers. */
    private static Result refusedWithoutWrites(Supplier<Result> request) {
        Map<String, Long> before = catalog.rowCounts();
        Result r = request.get();
        assertThat(r.errors()).as("errors of %s", r.body()).isNotEmpty();
        assertThat(catalog.rowCounts()).as("rows after a refused request").isEqualTo(before);
        assertNoInternals(r.body());
        assertThat(catalog.graphql("{ namespaces }").ok().path("namespaces")).isNotEmpty();
        return r;
    }

    private static void assertError(Result r, String code, String field, String... mentioned) {
        assertThat(r.errorCode()).as(r.body().toString()).isEqualTo(code);
        if (field != null) {
            assertThat(r.errorField()).as(r.body().toString()).isEqualTo(field);
        }
        assertThat(r.errorMessage()).as(r.body().toString()).contains(mentioned);
    }
}
