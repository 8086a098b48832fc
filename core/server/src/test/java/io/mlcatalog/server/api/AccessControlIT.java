package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access control as clients see it, over HTTP: tokens, roles, grants per namespace, protected aliases, and no
 * door through which a token sees or counts what another namespace holds. Two teams share the catalog: growth
 * and risk; risk's scoring run reads growth's model file, so lineage crosses from one to the other.
 */
class AccessControlIT {
    static final String ADMIN = "test-admin-token-0123456789-abcdefghijklmnop";
    static TestCatalog catalog;
    static String readerG;
    static String writerG;
    static String promoterG;
    static String writerR;
    static String growthRun;
    static String riskRun;
    static String riskDeployment;
    static String dataCsv;
    static String modelPkl;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN);
        readerG = createToken("reader-g", "READER", List.of("growth"), List.of());
        writerG = createToken("writer-g", "WRITER", List.of("growth"), List.of());
        promoterG = createToken("promoter-g", "WRITER", List.of("growth"), List.of("growth"));
        writerR = createToken("writer-r", "WRITER", List.of("risk"), List.of());

        JsonNode train = as(ADMIN, RUN, Map.of("input", Map.of("namespace", "growth", "name", "train-1", "status", "SUCCEEDED",
                "startedAt", "2026-11-01T10:00:00Z", "endedAt", "2026-11-01T11:00:00Z", "repository", REPO, "commit", COMMIT,
                "inputs", List.of(Map.of("namespace", "growth", "uri", "s3://growth/data.csv", "digest", "sha256:" + "a".repeat(64))),
                "outputs", List.of(Map.of("namespace", "growth", "uri", "s3://growth/model.pkl", "kind", "MODEL"))))).ok();
        growthRun = train.path("upsertRun").path("id").asText();
        dataCsv = train.path("upsertRun").path("inputs").path(0).path("id").asText();
        modelPkl = train.path("upsertRun").path("outputs").path(0).path("id").asText();
        as(ADMIN, REGISTER, Map.of("input", Map.of("namespace", "growth", "model", "churn", "version", "1", "runId", growthRun,
                "artifact", Map.of("namespace", "growth", "uri", "s3://growth/model.pkl")))).ok();
        as(ADMIN, DEPLOY, Map.of("input", Map.of("namespace", "growth", "environment", "prod", "target", "churn-api",
                "model", "churn", "version", "1", "startedAt", "2026-11-02T00:00:00Z"))).ok();

        // risk scores with growth's model file: the graph crosses namespaces
        JsonNode score = as(ADMIN, RUN, Map.of("input", Map.of("namespace", "risk", "name", "score-1", "status", "SUCCEEDED",
                "startedAt", "2026-11-03T10:00:00Z", "endedAt", "2026-11-03T11:00:00Z", "repository", REPO, "commit", COMMIT,
                "inputs", List.of(Map.of("namespace", "growth", "uri", "s3://growth/model.pkl")),
                "outputs", List.of(Map.of("namespace", "risk", "uri", "s3://risk/scores.parquet"))))).ok();
        riskRun = score.path("upsertRun").path("id").asText();
        as(ADMIN, REGISTER, Map.of("input", Map.of("namespace", "risk", "model", "fraud", "version", "1", "runId", riskRun))).ok();
        riskDeployment = as(ADMIN, DEPLOY, Map.of("input", Map.of("namespace", "risk", "environment", "prod", "target", "fraud-api",
                "model", "fraud", "version", "1", "startedAt", "2026-11-04T00:00:00Z"))).ok().path("startDeployment").path("id").asText();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    static final String REPO = "https://github.com/acme/shared-features.git";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String RUN = """
            mutation($input: RunInput!) { upsertRun(input: $input) { id namespace assertedBy { source }
              inputs { id } outputs { id } } }""";
    static final String REGISTER = "mutation($input: ModelVersionInput!) { registerModelVersion(input: $input) { id version } }";
    static final String DEPLOY = "mutation($input: DeploymentInput!) { startDeployment(input: $input) { id } }";
    static final String SET_ALIAS = """
            mutation($ns: String!, $m: String!, $a: String!, $v: String!) { setAlias(namespace: $ns, model: $m, alias: $a, version: $v) {
              name setBy protected modelVersion { version } } }""";
    static final String ALIASES = """
            query($ns: String!, $m: String!) { model(namespace: $ns, name: $m) { protectedAliases aliases { name protected setBy
              modelVersion { version } } } }""";

    static Result as(String token, String query, Map<String, ?> variables) {
        return catalog.graphql(token, query, variables);
    }

    static Result as(String token, String query) {
        return catalog.graphql(token, query, Map.of());
    }

    static String createToken(String name, String role, List<String> namespaces, List<String> promote) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", name);
        input.put("role", role);
        input.put("namespaces", namespaces);
        input.put("promote", promote);
        JsonNode created = as(ADMIN, "mutation($i: CreateTokenInput!) { createToken(input: $i) { token apiToken { name prefix } } }",
                Map.of("i", input)).ok().path("createToken");
        String token = created.path("token").asText();
        assertThat(token).startsWith("mlc_").hasSizeGreaterThan(40);
        assertThat(token).startsWith(created.path("apiToken").path("prefix").asText());
        return token;
    }

    // ------------------------------------------------------------------ authentication

    @Test
    void aRequestWithoutAValidTokenIsRefusedWith401AndWritesNothing() {
        Map<String, Long> before = catalog.rowCounts();
        String write = "{\"query\": \"mutation { upsertRun(input: {namespace: \\\"growth\\\", name: \\\"sneak\\\", status: RUNNING}) { id } }\"}";
        Map<String, String> json = Map.of("Content-Type", "application/json", "Accept", "application/graphql-response+json");

        Result none = catalog.post(write, json);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(none.errorMessage()).contains("Authorization: Bearer <token>");

        assertThat(refusal(write, "Authorization", "Basic dXNlcjpwYXNz")).contains("'Bearer <token>'").contains("not 'Basic");
        assertThat(refusal(write, "Authorization", "Bearer")).contains("no token after 'Bearer'");
        assertThat(refusal(write, "Authorization", "Bearer mlc_abc\"def")).contains("characters no token has");
        String unknown = "mlc_" + "x".repeat(43);
        String unknownMessage = refusal(write, "Authorization", "Bearer " + unknown);
        assertThat(unknownMessage).contains("not known").doesNotContain(unknown);
        // a token sent where another service would take it is pointed at the right header, and not echoed
        String wrongHeader = refusal(write, "X-Api-Key", writerG);
        assertThat(wrongHeader).contains("Authorization: Bearer <token>").contains("X-Api-Key").doesNotContain(writerG);

        HttpResponse<String> raw = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/graphql")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(write)).build());
        assertThat(raw.statusCode()).isEqualTo(401);
        assertThat(raw.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"mlcatalog\"");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    private static String refusal(String body, String header, String value) {
        Result r = catalog.post(body, Map.of("Content-Type", "application/json", "Accept", "application/graphql-response+json",
                header, value));
        assertThat(r.status()).as(header + ": " + value).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("UNAUTHENTICATED");
        return r.errorMessage();
    }

    @Test
    void theViewerIsTheTokenAndWhatItMayDo() {
        JsonNode reader = as(readerG, "{ viewer { name role authEnabled grants { namespace privilege } } }").ok().path("viewer");
        assertThat(reader.path("name").asText()).isEqualTo("reader-g");
        assertThat(reader.path("role").asText()).isEqualTo("READER");
        assertThat(reader.path("authEnabled").asBoolean()).isTrue();
        assertThat(reader.path("grants").toString()).isEqualTo("[{\"namespace\":\"growth\",\"privilege\":\"READ\"}]");
        JsonNode promoter = as(promoterG, "{ viewer { role grants { namespace privilege } } }").ok().path("viewer");
        assertThat(promoter.path("grants").toString()).isEqualTo("[{\"namespace\":\"growth\",\"privilege\":\"PROMOTE\"}]");
        assertThat(as(ADMIN, "{ viewer { name role } }").ok().path("viewer").toString())
                .isEqualTo("{\"name\":\"admin\",\"role\":\"ADMIN\"}");
    }

    @Test
    void tenThousandWrongTokensAreAllRefusedAndTheRightOneStillWorks() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"query\": \"{ viewer { name } }\"}";
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            // well-formed tokens of the right shape, each differing from a real one
            String guess = "mlc_" + String.format("%043d", i);
            inFlight.acquire();
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(catalog.url("/graphql"))).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json").header("Authorization", "Bearer " + guess)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .thenApply(HttpResponse::statusCode).whenComplete((s, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
        assertThat(answers.stream().map(CompletableFuture::join).distinct().toList()).containsExactly(401);
        assertThat(as(readerG, "{ viewer { name } }").ok().path("viewer").path("name").asText()).isEqualTo("reader-g");
    }

    // ------------------------------------------------------------------ roles

    @Test
    void aReaderReadsItsNamespaceAndEveryMutationIsForbidden() {
        assertThat(as(readerG, "{ run(namespace: \"growth\", name: \"train-1\") { id } }").ok().path("run").path("id").asText())
                .isEqualTo(growthRun);
        Map<String, Long> before = catalog.rowCounts();
        Map<String, Map<String, Object>> mutations = new LinkedHashMap<>();
        mutations.put("mutation { upsertRun(input: {namespace: \"growth\", name: \"r\", status: RUNNING}) { id } }", Map.of());
        mutations.put("mutation { logArtifact(input: {namespace: \"growth\", uri: \"s3://growth/x\"}) { id } }", Map.of());
        mutations.put("mutation { registerModelVersion(input: {namespace: \"growth\", model: \"churn\", version: \"9\"}) { id } }", Map.of());
        mutations.put("mutation { setAlias(namespace: \"growth\", model: \"churn\", alias: \"a\", version: \"1\") { name } }", Map.of());
        mutations.put("mutation { removeAlias(namespace: \"growth\", model: \"churn\", alias: \"a\") }", Map.of());
        mutations.put("mutation { startDeployment(input: {namespace: \"growth\", environment: \"dev\", target: \"t\", model: \"churn\", "
                + "version: \"1\"}) { id } }", Map.of());
        mutations.put("mutation($id: ID!) { endDeployment(id: $id) { id } }", Map.of("id", deploymentOf("churn-api")));
        mutations.put("mutation($id: ID!) { setTags(entity: $id, tags: [{key: \"k\"}]) { id } }", Map.of("id", growthRun));
        mutations.put("mutation { protectAlias(namespace: \"growth\", model: \"churn\", alias: \"production\") }", Map.of());
        mutations.put("mutation { unprotectAlias(namespace: \"growth\", model: \"churn\", alias: \"production\") }", Map.of());
        mutations.put("mutation { createToken(input: {name: \"mine\", role: ADMIN}) { token } }", Map.of());
        mutations.put("mutation { revokeToken(name: \"writer-g\") { name } }", Map.of());
        mutations.put("mutation { grant(token: \"reader-g\", namespace: \"risk\", privilege: READ) { name } }", Map.of());
        mutations.put("mutation { revokeGrant(token: \"writer-g\", namespace: \"growth\") { name } }", Map.of());
        mutations.forEach((m, vars) -> {
            Result r = as(readerG, m, vars);
            assertThat(r.errorCode()).as(m).isEqualTo("FORBIDDEN");
        });
        assertThat(as(readerG, "{ tokens { name } }").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ plugins { instance } }").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aWriterWritesInItsNamespacesAndIsRecordedByName() {
        JsonNode run = as(writerG, RUN, Map.of("input", Map.of("namespace", "growth", "name", "writer-run", "status", "RUNNING"))).ok()
                .path("upsertRun");
        assertThat(run.path("assertedBy").path(0).path("source").asText()).isEqualTo("token:writer-g");
        String id = run.path("id").asText();
        JsonNode history = as(writerG, "query($id: ID!) { history(entity: $id) { edges { node { actor action } } } }", Map.of("id", id))
                .ok().path("history").path("edges");
        assertThat(history.path(0).path("node").path("actor").asText()).isEqualTo("token:writer-g");

        Map<String, Long> before = catalog.rowCounts();
        // another team's namespace: refused before anything is written, whichever way in
        assertThat(as(writerG, RUN, Map.of("input", Map.of("namespace", "risk", "name", "x", "status", "RUNNING"))).errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(as(writerG, RUN, Map.of("input", Map.of("namespace", "growth", "name", "x", "status", "RUNNING",
                "outputs", List.of(Map.of("namespace", "risk", "uri", "s3://risk/planted")))))
                .errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(writerG, REGISTER, Map.of("input", Map.of("namespace", "risk", "model", "fraud", "version", "9"))).errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(as(writerG, SET_ALIAS, Map.of("ns", "risk", "m", "fraud", "a", "production", "v", "1")).errorCode())
                .isEqualTo("NOT_FOUND"); // a model it may not read is not there for it
        assertThat(as(writerG, DEPLOY, Map.of("input", Map.of("namespace", "risk", "environment", "prod", "target", "fraud-api",
                "model", "fraud", "version", "1"))).errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(writerG, "mutation($id: ID!) { endDeployment(id: $id) { id } }", Map.of("id", riskDeployment)).errorCode())
                .isEqualTo("NOT_FOUND");
        assertThat(as(writerG, "mutation($id: ID!) { setTags(entity: $id, tags: []) { id } }", Map.of("id", riskRun)).errorCode())
                .isEqualTo("NOT_FOUND");
        assertThat(as(writerG, RUN, Map.of("input", Map.of("namespace", "growth", "name", "child", "status", "RUNNING",
                "parentRunId", riskRun))).errorCode()).isEqualTo("NOT_FOUND");
        assertThat(as(writerG, "mutation { createToken(input: {name: \"w2\", role: WRITER, namespaces: [\"risk\"]}) { token } }")
                .errorCode()).isEqualTo("FORBIDDEN");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ protected aliases

    @Test
    void aProtectedAliasMovesOnlyWithAPromoteGrant() {
        for (String v : List.of("1", "2")) {
            as(ADMIN, REGISTER, Map.of("input", Map.of("namespace", "growth", "model", "churn-p", "version", v))).ok();
        }
        as(ADMIN, SET_ALIAS, Map.of("ns", "growth", "m", "churn-p", "a", "production", "v", "1")).ok();
        assertThat(as(writerG, "mutation { protectAlias(namespace: \"growth\", model: \"churn-p\", alias: \"production\") }").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(as(promoterG, "mutation { protectAlias(namespace: \"growth\", model: \"churn-p\", alias: \"production\") }").ok()
                .path("protectAlias").asBoolean()).isTrue();

        Map<String, Long> before = catalog.rowCounts();
        Result move = as(writerG, SET_ALIAS, Map.of("ns", "growth", "m", "churn-p", "a", "production", "v", "2"));
        assertThat(move.errorCode()).isEqualTo("FORBIDDEN");
        assertThat(move.errorMessage()).contains("protected").contains("promote");
        assertThat(as(writerG, "mutation { removeAlias(namespace: \"growth\", model: \"churn-p\", alias: \"production\") }").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(catalog.rowCounts()).isEqualTo(before);
        JsonNode model = as(readerG, ALIASES, Map.of("ns", "growth", "m", "churn-p")).ok().path("model");
        assertThat(model.path("protectedAliases").toString()).isEqualTo("[\"production\"]");
        assertThat(model.path("aliases").path(0).path("modelVersion").path("version").asText()).isEqualTo("1");
        assertThat(model.path("aliases").path(0).path("protected").asBoolean()).isTrue();

        // an alias nobody protected moves with a plain write grant
        assertThat(as(writerG, SET_ALIAS, Map.of("ns", "growth", "m", "churn-p", "a", "staging", "v", "2")).ok().path("setAlias")
                .path("setBy").asText()).isEqualTo("token:writer-g");
        JsonNode moved = as(promoterG, SET_ALIAS, Map.of("ns", "growth", "m", "churn-p", "a", "production", "v", "2")).ok().path("setAlias");
        assertThat(moved.path("modelVersion").path("version").asText()).isEqualTo("2");
        assertThat(moved.path("setBy").asText()).isEqualTo("token:promoter-g");
        assertThat(moved.path("protected").asBoolean()).isTrue();
    }

    // ------------------------------------------------------------------ no door into another namespace

    @Test
    void noDoorShowsOrCountsAnotherNamespacesObjects() {
        // by id: absent, as if there were none
        for (String id : List.of(riskRun, riskDeployment)) {
            assertThat(as(readerG, "query($id: ID!) { node(id: $id) { id } }", Map.of("id", id)).ok().path("node").isNull()).isTrue();
            assertThat(as(ADMIN, "query($id: ID!) { node(id: $id) { id } }", Map.of("id", id)).ok().path("node").path("id").asText())
                    .isEqualTo(id);
            assertThat(as(readerG, "query($id: ID!) { history(entity: $id) { edges { node { action } } } }", Map.of("id", id)).errorCode())
                    .isEqualTo("NOT_FOUND");
            assertThat(as(readerG, "query($id: ID!) { lineage(from: $id) { nodes { __typename } } }", Map.of("id", id)).errorCode())
                    .isEqualTo("NOT_FOUND");
            assertThat(as(readerG, "query($id: ID!) { blastRadius(from: $id) { hidden } }", Map.of("id", id)).errorCode())
                    .isEqualTo("NOT_FOUND");
        }
        // by name or namespace: refused when asked for, left out when not
        assertThat(as(readerG, "{ run(namespace: \"risk\", name: \"score-1\") { id } }").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ runs(filter: {namespace: \"risk\"}) { totalCount } }").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ model(namespace: \"risk\", name: \"fraud\") { id } }").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ model(name: \"fraud\") { id } }").ok().path("model").isNull()).isTrue();
        // the same with its versions and aliases, which are read with the model by one statement
        String withChildren = "{ model(name: \"fraud\") { id versions { edges { node { version } } } aliases { name modelVersion { id } } } }";
        assertThat(as(readerG, withChildren).ok().path("model").isNull()).isTrue();
        assertThat(as(ADMIN, withChildren).ok().path("model").path("versions").path("edges").findValuesAsText("version")).containsExactly("1");
        assertThat(as(readerG, withChildren.replace("model(name:", "model(namespace: \"risk\", name:")).errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ modelVersion(namespace: \"risk\", model: \"fraud\", version: \"1\") { id } }").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ modelVersion(model: \"fraud\", version: \"1\") { id } }").ok().path("modelVersion").isNull()).isTrue();
        assertThat(as(readerG, "query($id: ID!) { run(id: $id) { id } }", Map.of("id", riskRun)).ok().path("run").isNull()).isTrue();
        assertThat(as(readerG, "{ artifact(uri: \"s3://risk/scores.parquet\") { id } }").ok().path("artifact").isNull()).isTrue();
        assertThat(as(ADMIN, "{ artifact(uri: \"s3://risk/scores.parquet\") { id } }").ok().path("artifact").path("id").isTextual()).isTrue();
        assertThat(as(readerG, "{ artifacts(filter: {namespace: \"risk\"}) { totalCount } }").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ deployments(filter: {namespace: \"risk\"}) { totalCount } }").errorCode()).isEqualTo("FORBIDDEN");
        // a commit belongs to no namespace; the runs made from it are counted and listed as their namespaces allow
        String commitRuns = "query($c: String!) { codeVersion(commit: $c) { runs { totalCount edges { node { namespace } } } } }";
        assertThat(as(ADMIN, commitRuns, Map.of("c", COMMIT)).ok().path("codeVersion").path("runs").path("totalCount").asInt()).isEqualTo(2);
        JsonNode growthOnly = as(readerG, commitRuns, Map.of("c", COMMIT)).ok().path("codeVersion").path("runs");
        assertThat(growthOnly.path("totalCount").asInt()).isEqualTo(1);
        assertThat(growthOnly.findValuesAsText("namespace")).containsExactly("growth");
        assertThat(as(readerG, "{ namespaces }").ok().path("namespaces").toString()).isEqualTo("[\"growth\"]");
        assertThat(as(ADMIN, "{ namespaces }").ok().path("namespaces").toString()).isEqualTo("[\"growth\",\"risk\"]");
        String everyList = "{ runs(first: 100) { totalCount edges { node { namespace } } } models(first: 100) { totalCount edges { node { namespace } } }"
                + " deployments(first: 100) { totalCount edges { node { namespace } } } artifacts(first: 100) { totalCount edges { node { namespace } } } }";
        JsonNode lists = as(readerG, everyList).ok();
        for (String list : List.of("runs", "models", "deployments", "artifacts")) {
            assertThat(lists.path(list).findValuesAsText("namespace")).as(list).isNotEmpty().containsOnly("growth");
            assertThat(lists.path(list).path("totalCount").asInt()).as(list).isEqualTo(lists.path(list).path("edges").size());
        }
        assertThat(as(readerG, "{ models(filter: {nameContains: \"fraud\"}) { totalCount } }").ok().path("models").path("totalCount").asInt())
                .isZero();
        // connections from a visible object: the risk run that read growth's model file is neither listed nor counted
        String consumers = "query($id: ID!) { node(id: $id) { ... on Artifact { consumedBy { totalCount edges { node { id } } } } } }";
        assertThat(as(ADMIN, consumers, Map.of("id", modelPkl)).ok().path("node").path("consumedBy").path("totalCount").asInt()).isEqualTo(1);
        JsonNode seen = as(readerG, consumers, Map.of("id", modelPkl)).ok().path("node").path("consumedBy");
        assertThat(seen.path("totalCount").asInt()).isZero();
        assertThat(seen.path("edges").size()).isZero();

        // lineage: the nodes of risk it reaches are absent, and counted as hidden
        String lineage = "query($id: ID!) { lineage(from: $id, direction: DOWNSTREAM, depth: 5) { hidden nodes { ... on Run { id namespace } "
                + "... on ModelVersion { id } ... on Deployment { id } ... on Artifact { id } } edges { from to } } }";
        JsonNode full = as(ADMIN, lineage, Map.of("id", modelPkl)).ok().path("lineage");
        assertThat(full.path("nodes").findValuesAsText("id")).contains(riskRun);
        assertThat(full.path("hidden").asInt()).isZero();
        JsonNode partial = as(readerG, lineage, Map.of("id", modelPkl)).ok().path("lineage");
        assertThat(partial.path("nodes").findValuesAsText("id")).doesNotContain(riskRun, riskDeployment).contains(modelPkl);
        assertThat(partial.path("nodes").findValuesAsText("namespace")).doesNotContain("risk");
        assertThat(partial.toString()).doesNotContain(riskRun);
        assertThat(partial.path("hidden").asInt()).isEqualTo(1); // the scoring run, beyond which nothing is seen

        // blast radius: growth's dataset reaches risk's fraud model; a growth reader sees that something is hidden, not what
        String blast = "query($id: ID!) { blastRadius(from: $id) { hidden modelVersions { ... on ModelVersion { version model { name } } }"
                + " deployments { target } } }";
        JsonNode all = as(ADMIN, blast, Map.of("id", dataCsv)).ok().path("blastRadius");
        assertThat(all.path("modelVersions").findValuesAsText("name")).containsExactlyInAnyOrder("churn", "fraud");
        JsonNode mine = as(readerG, blast, Map.of("id", dataCsv)).ok().path("blastRadius");
        assertThat(mine.path("modelVersions").findValuesAsText("name")).containsExactly("churn");
        assertThat(mine.path("deployments").findValuesAsText("target")).containsExactly("churn-api");
        assertThat(mine.path("hidden").asInt()).isEqualTo(2); // fraud version 1 and its deployment

        // explain: another team's target is not there; naming its namespace is refused
        String explain = "{ explain(environment: \"prod\", target: \"fraud-api\") { modelVersion { version } } }";
        assertThat(as(ADMIN, explain).ok().path("explain").path("modelVersion").path("version").asText()).isEqualTo("1");
        assertThat(as(readerG, explain).ok().path("explain").isNull()).isTrue();
        assertThat(as(readerG, "{ explain(namespace: \"risk\", environment: \"prod\", target: \"fraud-api\") { at } }").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(as(readerG, "{ explain(environment: \"prod\", target: \"churn-api\") { modelVersion { version } } }").ok()
                .path("explain").path("modelVersion").path("version").asText()).isEqualTo("1");
    }

    // ------------------------------------------------------------------ tokens

    @Test
    void expiredAndRevokedTokensAreRefusedAndNamesAreNeverReused() {
        String soon = createToken("soon", "READER", List.of("growth"), List.of());
        String gone = createToken("gone", "READER", List.of("growth"), List.of());
        assertThat(as(soon, "{ viewer { name } }").ok().path("viewer").path("name").asText()).isEqualTo("soon");

        // as if its expiry had come: set in the database, honoured once the tokens are reloaded (a change to any token does it)
        catalog.count("with e as (update api_token set expires_at = now() - interval '1 second' where name = 'soon' returning 1) "
                + "select count(*) from e");
        JsonNode revoked = as(ADMIN, "mutation { revokeToken(name: \"gone\") { name state revokedBy } }").ok().path("revokeToken");
        assertThat(revoked.path("state").asText()).isEqualTo("REVOKED");
        assertThat(revoked.path("revokedBy").asText()).isEqualTo("token:admin");

        Result expired = as(soon, "{ viewer { name } }");
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.errorMessage()).contains("'soon' expired at");
        Result refused = as(gone, "{ viewer { name } }");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.errorMessage()).contains("'gone' was revoked");

        JsonNode listed = as(ADMIN, "{ tokens(includeRevoked: true) { name state } }").ok().path("tokens");
        assertThat(listed.toString()).contains("{\"name\":\"soon\",\"state\":\"EXPIRED\"}").contains("{\"name\":\"gone\",\"state\":\"REVOKED\"}");
        assertThat(as(ADMIN, "{ tokens { name } }").ok().path("tokens").findValuesAsText("name")).doesNotContain("gone");
        assertThat(as(ADMIN, "mutation { createToken(input: {name: \"gone\", role: READER, namespaces: [\"growth\"]}) { token } }")
                .errorCode()).isEqualTo("CONFLICT");
        assertThat(as(ADMIN, "mutation { revokeToken(name: \"admin\") { name } }").errorCode()).isEqualTo("CONFLICT");
    }

    @Test
    void aGrantChangesWhatATokenMayDoAtOnce() {
        String t = createToken("growing", "WRITER", List.of("growth"), List.of());
        assertThat(as(t, "{ runs(filter: {namespace: \"risk\"}) { totalCount } }").errorCode()).isEqualTo("FORBIDDEN");
        as(ADMIN, "mutation { grant(token: \"growing\", namespace: \"risk\", privilege: READ) { name } }").ok();
        assertThat(as(t, "{ runs(filter: {namespace: \"risk\"}) { totalCount } }").ok().path("runs").path("totalCount").asInt()).isEqualTo(1);
        assertThat(as(t, RUN, Map.of("input", Map.of("namespace", "risk", "name", "y", "status", "RUNNING"))).errorCode())
                .isEqualTo("FORBIDDEN");
        as(ADMIN, "mutation { revokeGrant(token: \"growing\", namespace: \"risk\") { name } }").ok();
        assertThat(as(t, "{ runs(filter: {namespace: \"risk\"}) { totalCount } }").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(as(ADMIN, "mutation { grant(token: \"reader-g\", namespace: \"risk\", privilege: WRITE) { name } }").errorCode())
                .isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void noTokenValueIsStoredOrLogged() {
        for (String token : List.of(ADMIN, readerG, writerG, promoterG, writerR)) {
            String literal = token.replace("'", "''");
            assertThat(catalog.count("select count(*) from api_token where prefix = '" + literal + "' or created_by like '%" + literal
                    + "%'")).isZero();
            assertThat(catalog.count("select count(*) from change_log where actor like '%" + literal + "%' or coalesce(before::text, '') like '%"
                    + literal + "%' or coalesce(after::text, '') like '%" + literal + "%'")).isZero();
            assertThat(catalog.count("select count(*) from assertion where source like '%" + literal + "%'")).isZero();
        }
    }

    private static String deploymentOf(String target) {
        return as(ADMIN, "query($t: String!) { explain(environment: \"prod\", target: $t) { deployment { id } } }", Map.of("t", target))
                .ok().path("explain").path("deployment").path("id").asText();
    }
}
