package io.mlcatalog.plugins.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The receiver in a real catalog: what each event records, what it refuses, and who may send. */
class DeploymentWebhookIT {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "It's a Secret to Everybody";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestingCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder()
                .instance("deploys", "deployments", Map.of("namespace", "growth"))
                .instance("signed", "deployments", Map.of("secret", "${env:HOOK_SECRET}", "namespace", "growth"))
                .instance("tokened", "deployments", Map.of("namespace", "growth"), Map.of("token", "t0ken"))
                .env(Map.of("HOOK_SECRET", SECRET))
                .start();
        for (String v : List.of("1", "2", "3")) {
            catalog.query("mutation { registerModelVersion(input: {namespace: \"growth\", model: \"churn\", version: \"" + v
                    + "\", createdAt: \"2026-01-01T00:00:00Z\", artifact: {namespace: \"growth\", uri: \"s3://models/churn/" + v
                    + "\", kind: MODEL}}) { id } }");
        }
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    record Answer(int status, JsonNode body) {
    }

    static Answer post(String instance, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url("/ingest/" + instance + "/")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }

    static Answer post(String body) throws IOException, InterruptedException {
        return post("deploys", body, Map.of());
    }

    /** The deployments on a target, oldest first, as {@code version status trafficPercent startedAt endedAt deployedBy}. */
    static List<String> deployments(String environment, String target) {
        JsonNode edges = catalog.query("""
                query($e: String!, $t: String!) { deployments(filter: {environment: $e, target: $t}, first: 100) { edges { node {
                    modelVersion { version } status trafficPercent startedAt endedAt deployedBy } } } }""",
                Map.of("e", environment, "t", target)).path("deployments").path("edges");
        List<String> list = new ArrayList<>();
        for (JsonNode e : edges) {
            JsonNode d = e.path("node");
            list.add(0, d.path("modelVersion").path("version").asText() + " " + d.path("status").asText() + " "
                    + d.path("trafficPercent").asText() + " " + time(d.path("startedAt")) + " " + time(d.path("endedAt")) + " "
                    + (d.path("deployedBy").isTextual() ? d.path("deployedBy").asText() : "-"));
        }
        return list;
    }

    private static String time(JsonNode t) {
        return t.isNull() || t.isMissingNode() ? "-" : Instant.parse(t.asText()).toString();
    }

    private static String event(String env, String target, String version, String status, String time) {
        return """
                {"environment": "%s", "target": "%s", "model": "churn", "version": "%s", "status": "%s", "time": "%s", "actor": "ci"}"""
                .formatted(env, target, version, status, time);
    }

    @Test
    void startedSucceededEndedAndFailedRecordIntervals() throws Exception {
        assertThat(post(event("staging", "api", "1", "started", "2026-03-01T10:00:00Z")).body())
                .isEqualTo(JSON.readTree("{\"status\":\"recorded\",\"action\":\"started\"}"));
        // the same rollout finishing: the deployment goes on, not a second one
        assertThat(post(event("staging", "api", "1", "succeeded", "2026-03-01T10:05:00Z")).status()).isEqualTo(200);
        assertThat(post(event("staging", "api", "2", "succeeded", "2026-03-02T10:00:00Z")).status()).isEqualTo(200);
        Answer failed = post(event("staging", "api", "3", "failed", "2026-03-03T10:00:00Z"));
        assertThat(failed.status()).isEqualTo(200);
        assertThat(failed.body().path("status").asText()).isEqualTo("ignored");
        assertThat(failed.body().path("reason").asText()).startsWith("nothing to end");
        assertThat(post(event("staging", "api", "2", "ended", "2026-03-04T10:00:00Z")).status()).isEqualTo(200);
        // sent again: nothing changes
        Map<String, Long> rows = catalog.rowCounts();
        post(event("staging", "api", "1", "started", "2026-03-01T10:00:00Z"));
        post(event("staging", "api", "2", "succeeded", "2026-03-02T10:00:00Z"));
        assertThat(catalog.rowCounts()).isEqualTo(rows);

        assertThat(deployments("staging", "api")).containsExactly(
                "1 ENDED null 2026-03-01T10:00:00Z 2026-03-02T10:00:00Z ci",
                "2 ENDED null 2026-03-02T10:00:00Z 2026-03-04T10:00:00Z ci");
    }

    @Test
    void aFailureOfWhatServesEndsItAsFailed_andEndingWithoutAVersionEndsTheTarget() throws Exception {
        post(event("qa", "api", "1", "started", "2026-03-01T10:00:00Z"));
        post(event("qa", "api", "2", "failed", "2026-03-01T11:00:00Z")); // never served: ignored
        post(event("qa", "api", "1", "failed", "2026-03-01T12:00:00Z"));
        post(event("qa", "batch", "1", "started", "2026-03-01T10:00:00Z"));
        post("""
                {"environment": "qa", "target": "batch", "model": "churn", "version": "2", "status": "started", "time": "2026-03-01T10:30:00Z", \
                "trafficPercent": 20, "replicas": 1}""");
        assertThat(post("""
                {"environment": "qa", "target": "batch", "status": "ended", "time": "2026-03-01T13:00:00Z"}""").status()).isEqualTo(200);

        assertThat(deployments("qa", "api")).containsExactly("1 FAILED null 2026-03-01T10:00:00Z 2026-03-01T12:00:00Z ci");
        assertThat(deployments("qa", "batch")).containsExactly(
                "1 ENDED null 2026-03-01T10:00:00Z 2026-03-01T13:00:00Z ci",
                "2 ENDED 20.0 2026-03-01T10:30:00Z 2026-03-01T13:00:00Z -");
    }

    @Test
    void aVersionNamedByItsModelFile() throws Exception {
        assertThat(post("""
                {"environment": "prod", "target": "by-uri", "artifactUri": "s3://models/churn/3", "status": "started", \
                "time": "2026-03-05T10:00:00Z"}""").status()).isEqualTo(200);
        assertThat(deployments("prod", "by-uri")).containsExactly("3 ACTIVE null 2026-03-05T10:00:00Z - -");

        Answer unknown = post("""
                {"environment": "prod", "target": "by-uri", "artifactUri": "s3://models/churn/99", "status": "started"}""");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().path("field").asText()).isEqualTo("artifactUri");
        assertThat(unknown.body().path("error").asText()).contains("no model version is registered with artifact s3://models/churn/99");
    }

    @Test
    void aFileURIRegisteredForSeveralVersionsMeansTheOneRegisteredByTheDeploymentsStart() throws Exception {
        // s3://models/fraud/latest holds one file, then another: two versions, two artifacts with that URI
        catalog.query("""
                mutation { a: registerModelVersion(input: {namespace: "growth", model: "fraud", version: "7", createdAt: "2026-01-01T00:00:00Z",
                    artifact: {namespace: "growth", uri: "s3://models/fraud/latest", digest: "sha256:%s", kind: MODEL}}) { id }
                  b: registerModelVersion(input: {namespace: "growth", model: "fraud", version: "8", createdAt: "2026-02-01T00:00:00Z",
                    artifact: {namespace: "growth", uri: "s3://models/fraud/latest", digest: "sha256:%s", kind: MODEL}}) { id } }"""
                .formatted("a".repeat(64), "b".repeat(64)));
        String uri = """
                {"environment": "prod", "target": "%s", "model": "fraud", "artifactUri": "s3://models/fraud/latest", "status": "started",                 "time": "%s"}""";
        post(uri.formatted("fraud-a", "2026-01-15T00:00:00Z"));
        post(uri.formatted("fraud-b", "2026-02-15T00:00:00Z"));
        post(uri.formatted("fraud-c", "2025-12-01T00:00:00Z"));
        post("""
                {"environment": "prod", "target": "fraud-d", "artifactDigest": "sha256:%s", "status": "started", "time": "2026-03-01T00:00:00Z"}"""
                .formatted("b".repeat(64)));

        assertThat(deployments("prod", "fraud-a")).singleElement().asString().startsWith("7 ");
        assertThat(deployments("prod", "fraud-b")).singleElement().asString().startsWith("8 ");
        assertThat(deployments("prod", "fraud-c")).as("deployed before any was registered: the first one").singleElement()
                .asString().startsWith("7 ");
        assertThat(deployments("prod", "fraud-d")).as("by digest").singleElement().asString().startsWith("8 ");
    }

    @Test
    void invalidEventsAreRefusedNamingTheField_andWriteNothing() throws Exception {
        Map<String, Long> rows = catalog.rowCounts();
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("""
                {"target": "api", "model": "churn", "version": "1", "status": "started"}""", "environment");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "1", "status": "deployed"}""", "status");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "1", "status": "started", "time": "yesterday"}""", "time");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "1", "status": "started", "time": "2026-03-01T10:00:00"}""",
                "time");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "status": "started"}""", "version");
        refused.put("""
                {"environment": "prod", "target": "api", "version": "1", "status": "started"}""", "model");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": {"n": 1}, "status": "started"}""", "version");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "1", "status": "started", "trafficPercent": "ten"}""",
                "trafficPercent");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "1", "status": "started", "trafficPercent": 150}""",
                "trafficPercent");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "1", "status": "started", "replicas": 1.5}""",
                "replicas");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "9", "status": "started"}""", "version");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "no-such-model", "version": "1", "status": "started"}""", "model");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "version": "1", "status": "started", "stage": "x"}""", "stage");
        refused.put("""
                {"environment": "prod", "target": "api", "model": "churn", "status": "ended"}""", "version");
        refused.put("""
                {"environment": "prod", "target": "never-deployed", "model": "churn", "version": "1", "status": "ended"}""", "target");
        for (var e : refused.entrySet()) {
            Answer a = post(e.getKey());
            assertThat(a.status()).as(e.getKey() + " → " + a.body()).isEqualTo(400);
            assertThat(a.body().path("field").asText()).as(e.getKey() + " → " + a.body()).isEqualTo(e.getValue());
            assertThat(a.body().path("error").asText()).isNotBlank();
        }
        assertThat(post("{\"environment\": ").status()).isEqualTo(400);
        assertThat(post("[1, 2]").body().path("error").asText()).contains("JSON object");
        assertThat(catalog.rowCounts()).as("nothing written").isEqualTo(rows);
    }

    @Test
    void githubDeploymentStatusEvents() throws Exception {
        Map<String, String> github = Map.of("X-GitHub-Event", "deployment_status");
        assertThat(post("deploys", GitHubEvents.status("success", 101, "2026-04-01T10:00:00Z", "{\"model\": \"churn\", \"version\": \"1\"}"),
                github).status()).isEqualTo(200);
        // the payload as a JSON string, as the API also takes it
        assertThat(post("deploys", GitHubEvents.status("success", 102, "2026-04-02T10:00:00Z",
                JSON.writeValueAsString("{\"model\": \"churn\", \"version\": \"2\"}")), github).status()).isEqualTo(200);
        Answer inactive = post("deploys", GitHubEvents.status("inactive", 101, "2026-04-02T10:00:01Z",
                "{\"model\": \"churn\", \"version\": \"1\"}"), github);
        assertThat(inactive.body().path("status").asText()).isEqualTo("recorded");
        Answer pending = post("deploys", GitHubEvents.status("in_progress", 103, "2026-04-03T10:00:00Z",
                "{\"model\": \"churn\", \"version\": \"3\"}"), github);
        assertThat(pending.body().path("status").asText()).isEqualTo("ignored");
        Answer failure = post("deploys", GitHubEvents.status("failure", 103, "2026-04-03T10:05:00Z",
                "{\"model\": \"churn\", \"version\": \"3\"}"), github);
        assertThat(failure.body().path("status").asText()).isEqualTo("ignored");

        assertThat(deployments("production", "acme/churn-api")).containsExactly(
                "1 ENDED null 2026-04-01T10:00:00Z 2026-04-02T10:00:00Z octocat",
                "2 ACTIVE null 2026-04-02T10:00:00Z - octocat");
        assertThat(catalog.query("{ deployments(filter: {target: \"acme/churn-api\"}, first: 1) { edges { node { assertedBy { externalId } } } } }")
                .findValuesAsText("externalId")).containsExactly("github-deployment:102");

        assertThat(post("deploys", "{\"zen\": \"Design for failure.\", \"hook_id\": 1}", Map.of("X-GitHub-Event", "ping")).body())
                .isEqualTo(JSON.readTree("{\"status\":\"pong\"}"));
        assertThat(post("deploys", "{}", Map.of("X-GitHub-Event", "push")).body().path("status").asText()).isEqualTo("ignored");
        Answer noVersion = post("deploys", GitHubEvents.status("success", 104, "2026-04-04T10:00:00Z", "{\"model\": \"churn\"}"), github);
        assertThat(noVersion.status()).isEqualTo(400);
        assertThat(noVersion.body().path("field").asText()).isEqualTo("deployment.payload.version");
    }

    @Test
    void signedRequests_goodBadAndMissing() throws Exception {
        String body = event("canary", "api", "1", "started", "2026-05-01T10:00:00Z");
        Signature signature = new Signature(SECRET);
        Map<String, Long> rows = catalog.rowCounts();

        Answer missing = post("signed", body, Map.of());
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.body().path("error").asText()).contains("X-Hub-Signature-256");
        Answer wrong = post("signed", body, Map.of("X-Hub-Signature-256", new Signature("another secret").of(body.getBytes())));
        assertThat(wrong.status()).isEqualTo(401);
        Answer tampered = post("signed", body.replace("\"1\"", "\"2\""), Map.of("X-Hub-Signature-256", signature.of(body.getBytes())));
        assertThat(tampered.status()).isEqualTo(401);
        assertThat(catalog.rowCounts()).isEqualTo(rows);

        assertThat(post("signed", body, Map.of("X-Hub-Signature-256", signature.of(body.getBytes()).toUpperCase().replace("SHA256=", "sha256=")))
                .status()).isEqualTo(200);
        // GitHub's own test vector for X-Hub-Signature-256
        assertThat(new Signature(SECRET).of("Hello, World!".getBytes()))
                .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");

        assertThat(post("tokened", body, Map.of()).status()).isEqualTo(401);
        assertThat(post("tokened", event("canary", "api-2", "1", "started", "2026-05-01T10:00:00Z"),
                Map.of("Authorization", "Bearer t0ken")).status()).isEqualTo(200);
    }

    @Test
    void onlyPostToTheRoot() throws Exception {
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(catalog.url("/ingest/deploys/"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> elsewhere = HTTP.send(HttpRequest.newBuilder(URI.create(catalog.url("/ingest/deploys/x")))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(404);
    }

    @Test
    void aWebhookCannotAcknowledgeBeforeWritingSinceItsRecordsDependOnWhenTheRequestArrives() {
        // an event without a time is recorded at its arrival: replayed later, it would say another instant
        assertThatThrownBy(() -> TestingCatalog.builder()
                .instance("queued-deploys", "deployments", Map.of("namespace", "growth"), Map.of("acknowledge", "queued")).start())
                .hasMessageContaining("plugin instance 'queued-deploys': acknowledge 'queued' needs a receiver that maps a stored request"
                        + " again the same way, and type 'deployments' does not say it does");
    }
}
