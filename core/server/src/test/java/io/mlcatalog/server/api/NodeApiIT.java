package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Global ids, namespaces, tags, and the change log as a client (and an auditor) sees them. */
class NodeApiIT {
    private static final String NODE = "query($id: ID!) { node(id: $id) { __typename id } }";
    private static final String SET_TAGS = """
            mutation($id: ID!, $tags: [TagInput!]!) { setTags(entity: $id, tags: $tags) { __typename id
              ... on Run { tags { key value } } ... on Model { tags { key value } } } }""";

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void nodeFindsEveryTypeByItsGlobalId() {
        JsonNode run = catalog.graphql("""
                mutation { upsertRun(input: {namespace: "node-types", name: "train", status: RUNNING,
                  repository: "https://git.example/node", commit: "0123456789abcdef0123456789abcdef01234567",
                  outputs: [{namespace: "node-types", uri: "s3://node/model.pkl", kind: MODEL}]}) {
                  id codeVersion { id } outputs { id } } }""").ok().path("upsertRun");
        JsonNode version = catalog.graphql("""
                mutation($run: ID!) { registerModelVersion(input: {namespace: "node-types", model: "m", runId: $run,
                  artifact: {namespace: "node-types", uri: "s3://node/model.pkl", kind: MODEL}}) { id model { id } } }""",
                Map.of("run", run.path("id").asText())).ok().path("registerModelVersion");
        JsonNode deployment = catalog.graphql("""
                mutation { startDeployment(input: {namespace: "node-types", environment: "prod", target: "svc", model: "m",
                  version: "1"}) { id } }""").ok().path("startDeployment");

        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("Run", run.path("id").asText());
        ids.put("CodeVersion", run.path("codeVersion").path("id").asText());
        ids.put("Artifact", run.path("outputs").path(0).path("id").asText());
        ids.put("Model", version.path("model").path("id").asText());
        ids.put("ModelVersion", version.path("id").asText());
        ids.put("Deployment", deployment.path("id").asText());

        ids.forEach((type, id) -> {
            assertThat(id).startsWith(type + ":");
            JsonNode node = catalog.graphql(NODE, Map.of("id", id)).ok().path("node");
            assertThat(node.path("__typename").asText()).isEqualTo(type);
            assertThat(node.path("id").asText()).isEqualTo(id);
        });
    }

    @Test
    void anUnknownIdIsNull() {
        for (String type : List.of("Run", "CodeVersion", "Artifact", "Model", "ModelVersion", "Deployment")) {
            JsonNode data = catalog.graphql(NODE, Map.of("id", type + ":" + UUID.randomUUID())).ok();
            assertThat(data.path("node").isNull()).as(type).isTrue();
        }
    }

    @Test
    void aMalformedIdIsRefused() {
        for (String id : List.of("garbage", "", "Run:", "Run:not-a-uuid", "Pipeline:" + UUID.randomUUID(), UUID.randomUUID().toString(),
                "run:" + UUID.randomUUID(), "Run:" + UUID.randomUUID() + "x")) {
            Result r = catalog.graphql(NODE, Map.of("id", id));
            assertThat(r.errorCode()).as(id).isEqualTo("BAD_USER_INPUT");
            assertThat(r.errorField()).as(id).isEqualTo("id");
        }
    }

    @Test
    void namespacesAreListedOnceEachAndSorted() {
        for (String ns : List.of("ns-list-c", "ns-list-a", "ns-list-b")) {
            catalog.graphql("mutation($ns: String!) { logArtifact(input: {namespace: $ns, uri: \"s3://ns/x\"}) { id } }",
                    Map.of("ns", ns)).ok();
        }
        catalog.graphql("mutation { upsertRun(input: {namespace: \"ns-list-a\", name: \"r\", status: RUNNING}) { id } }").ok();

        List<String> namespaces = new ArrayList<>();
        catalog.graphql("{ namespaces }").ok().path("namespaces").forEach(n -> namespaces.add(n.asText()));

        assertThat(namespaces).doesNotHaveDuplicates().containsSubsequence("ns-list-a", "ns-list-b", "ns-list-c");
        assertThat(namespaces).isSorted();
    }

    @Test
    void setTagsOnAnArtifactIsRefused() {
        String id = catalog.graphql("mutation { logArtifact(input: {namespace: \"tags-artifact\", uri: \"s3://tags/a\"}) { id } }")
                .ok().path("logArtifact").path("id").asText();
        Map<String, Long> before = catalog.rowCounts();

        Result r = catalog.graphql(SET_TAGS, Map.of("id", id, "tags", List.of(Map.of("key", "k"))));

        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(r.errorField()).isEqualTo("entity");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void setTagsOnAMissingRunIsNotFound() {
        Result r = catalog.graphql(SET_TAGS, Map.of("id", "Run:" + UUID.randomUUID(), "tags", List.of(Map.of("key", "k"))));

        assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(r.errorField()).isEqualTo("entity");
    }

    @Test
    void setTagsMakesTheTagsExactlyTheGivenOnes() {
        String id = runId("tags-exact", List.of(Map.of("key", "a", "value", "1"), Map.of("key", "b", "value", "2")));

        JsonNode set = catalog.graphql(SET_TAGS, Map.of("id", id, "tags", List.of(Map.of("key", "b", "value", "3"), Map.of("key", "c"))))
                .ok().path("setTags");

        assertThat(set.path("__typename").asText()).isEqualTo("Run");
        assertThat(set.path("tags").findValuesAsText("key")).containsExactly("b", "c");
        assertThat(set.path("tags").path(0).path("value").asText()).isEqualTo("3");
        assertThat(set.path("tags").path(1).path("value").isNull()).isTrue();
        JsonNode cleared = catalog.graphql(SET_TAGS, Map.of("id", id, "tags", List.of())).ok().path("setTags");
        assertThat(cleared.path("tags")).isEmpty();
    }

    @Test
    void tagsSentAgainInAnyOrderAndScriptChangeNothing() {
        // keys whose order differs between Java's String order, the database's, and the order they are sent in
        List<Map<String, String>> tags = List.of(Map.of("key", "\uD83D\uDE00", "value", "emoji"), Map.of("key", "Beta", "value", "b"),
                Map.of("key", "\uFF21", "value", "fullwidth"), Map.of("key", "alpha", "value", "a"), Map.of("key", "_under", "value", "u"));
        String id = runId("tags-order", tags);
        Map<String, Long> before = catalog.rowCounts();

        catalog.graphql(SET_TAGS, Map.of("id", id, "tags", tags)).ok();
        catalog.graphql("""
                mutation($tags: [TagInput!]) { upsertRun(input: {namespace: "tags-order", name: "r", status: RUNNING, tags: $tags}) { id } }""",
                Map.of("tags", tags)).ok();

        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void theChangeLogRecordsWhatChangedAndNothingForRepeats() {
        String run = catalog.graphql("mutation { upsertRun(input: {namespace: \"changes\", name: \"train\", status: RUNNING}) { id } }")
                .ok().path("upsertRun").path("id").asText();
        assertThat(actions(run)).containsExactly("CREATED");
        catalog.graphql("mutation { upsertRun(input: {namespace: \"changes\", name: \"train\", status: RUNNING}) { id } }").ok();
        catalog.graphql("""
                mutation { upsertRun(input: {namespace: "changes", name: "train", status: SUCCEEDED, endedAt: "2030-01-01T00:00:00Z"}) { id } }""")
                .ok();
        assertThat(actions(run)).containsExactly("CREATED", "UPDATED");

        String model = null;
        for (String v : List.of("1", "2")) {
            model = catalog.graphql("""
                    mutation($v: String!) { registerModelVersion(input: {namespace: "changes", model: "m", version: $v}) { model { id } } }""",
                    Map.of("v", v)).ok().path("registerModelVersion").path("model").path("id").asText();
        }
        assertThat(actions(model)).containsExactly("CREATED");
        String setAlias = """
                mutation($v: String!, $at: DateTime) { setAlias(namespace: "changes", model: "m", alias: "production", version: $v, at: $at) { since } }""";
        catalog.graphql(setAlias, Map.of("v", "1", "at", "2026-01-01T00:00:00Z")).ok();
        catalog.graphql(setAlias, Map.of("v", "2", "at", "2026-01-02T00:00:00Z")).ok();
        catalog.graphql(setAlias, Map.of("v", "2", "at", "2026-01-02T00:00:00Z")).ok();
        catalog.graphql(setAlias, Map.of("v", "2")).ok();
        assertThat(actions(model)).containsExactly("CREATED", "ALIAS_SET", "ALIAS_SET");

        String start = """
                mutation { startDeployment(input: {namespace: "changes", environment: "prod", target: "svc", model: "m", version: "1",
                  startedAt: "2026-02-01T00:00:00Z"}) { id } }""";
        String deployment = catalog.graphql(start).ok().path("startDeployment").path("id").asText();
        catalog.graphql(start).ok();
        String end = "mutation($id: ID!) { endDeployment(id: $id, at: \"2026-02-02T00:00:00Z\") { id } }";
        catalog.graphql(end, Map.of("id", deployment)).ok();
        catalog.graphql(end, Map.of("id", deployment)).ok();
        assertThat(actions(deployment)).containsExactly("DEPLOYMENT_STARTED", "DEPLOYMENT_ENDED");

        assertThat(catalog.strings("select distinct actor from change_log where entity_id = '" + uuid(run) + "'")).containsExactly("api");
    }

    // ------------------------------------------------------------------ helpers

    private static String runId(String namespace, List<Map<String, String>> tags) {
        return catalog.graphql("""
                mutation($ns: String!, $tags: [TagInput!]) { upsertRun(input: {namespace: $ns, name: "r", status: RUNNING, tags: $tags}) { id } }""",
                Map.of("ns", namespace, "tags", tags)).ok().path("upsertRun").path("id").asText();
    }

    /** The actions the change log holds for the entity, oldest first. */
    private static List<String> actions(String globalId) {
        return catalog.strings("select action from change_log where entity_id = '" + uuid(globalId) + "' order by id");
    }

    private static String uuid(String globalId) {
        return globalId.substring(globalId.indexOf(':') + 1);
    }
}
