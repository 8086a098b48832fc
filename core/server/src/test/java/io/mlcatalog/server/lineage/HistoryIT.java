package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** history(entity): the append-only change log of one entity, newest first, paged with cursors. */
class HistoryIT {
    private static final String NS = "hist";
    private static final String HISTORY = """
            query($entity: ID!, $first: Int, $after: String) { history(entity: $entity, first: $first, after: $after) {
              totalCount pageInfo { hasNextPage endCursor }
              edges { cursor node { at actor entity action before after } } } }""";
    private static final Instant H1 = Instant.parse("2026-04-01T10:00:00Z");
    private static final Instant H2 = Instant.parse("2026-04-02T10:00:00Z");
    private static final Instant H3 = Instant.parse("2026-04-03T10:00:00Z");
    private static final Instant H4 = Instant.parse("2026-04-04T10:00:00Z");
    private static final Instant H5 = Instant.parse("2026-04-05T10:00:00Z");

    static TestCatalog catalog;
    static GraphWrites writes;
    static String model, deployment, job;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        writes = new GraphWrites(catalog);
        for (String v : List.of("1", "2", "3")) {
            writes.version(NS, "hist-m", v, null, null, H1.minusSeconds(86_400));
        }
        model = GlobalId.of(NodeType.MODEL, Ids.model(NS, "hist-m"));
        // production moved three times: 1, 2, 3, back to 1
        writes.alias(NS, "hist-m", "production", "1", H1);
        writes.alias(NS, "hist-m", "production", "2", H2);
        writes.alias(NS, "hist-m", "production", "3", H3);
        writes.alias(NS, "hist-m", "production", "1", H4);

        deployment = writes.deploy(NS, "prod", "hist-api", "hist-m", "2", H2, null);
        writes.endDeployment(deployment, H5);

        job = writes.run(NS, "job", H1, null, List.of(), List.of(), null);
        writes.run(NS, "job", H1, H2, List.of(), List.of(), null);
        // the tags are set by a client that names itself
        ObjectNode body = TestCatalog.JSON.createObjectNode();
        body.put("query", "mutation($id: ID!) { setTags(entity: $id, tags: [{key: \"team\", value: \"search\"}]) { id } }");
        body.set("variables", TestCatalog.JSON.valueToTree(Map.of("id", job)));
        catalog.post(body.toString(), Map.of("Content-Type", "application/json", "X-MLCatalog-Client", "ci")).ok();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static JsonNode history(String entity, Integer first, String after) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("entity", entity);
        if (first != null) {
            vars.put("first", first);
        }
        if (after != null) {
            vars.put("after", after);
        }
        return catalog.graphql(HISTORY, vars).ok().path("history");
    }

    private static List<JsonNode> changes(JsonNode connection) {
        List<JsonNode> list = new ArrayList<>();
        connection.path("edges").forEach(e -> list.add(e.path("node")));
        return list;
    }

    @Test
    void anAliasMovedThreeTimesLeavesFourEntriesNewestFirst() {
        JsonNode h = history(model, null, null);
        List<JsonNode> changes = changes(h);

        assertThat(changes).extracting(c -> c.path("action").asText())
                .containsExactly("ALIAS_SET", "ALIAS_SET", "ALIAS_SET", "ALIAS_SET", "CREATED");
        assertThat(h.path("totalCount").asInt()).isEqualTo(5);
        assertThat(h.path("pageInfo").path("hasNextPage").asBoolean()).isFalse();
        assertThat(changes).allSatisfy(c -> {
            assertThat(c.path("entity").asText()).isEqualTo(model);
            assertThat(c.path("actor").asText()).isEqualTo("api");
        });

        // before/after of each move: 3 → 1, 2 → 3, 1 → 2, nothing → 1
        assertThat(changes.get(0).path("before").toString()).isEqualTo("{\"alias\":\"production\",\"version\":\"3\"}");
        assertThat(changes.get(0).path("after").path("version").asText()).isEqualTo("1");
        assertThat(Instant.parse(changes.get(0).path("after").path("at").asText())).isEqualTo(H4);
        assertThat(changes.get(1).path("before").path("version").asText()).isEqualTo("2");
        assertThat(changes.get(1).path("after").path("version").asText()).isEqualTo("3");
        assertThat(changes.get(2).path("before").path("version").asText()).isEqualTo("1");
        assertThat(changes.get(2).path("after").path("version").asText()).isEqualTo("2");
        assertThat(changes.get(3).path("before").path("version").isNull()).isTrue();
        assertThat(changes.get(3).path("after").path("version").asText()).isEqualTo("1");
        assertThat(Instant.parse(changes.get(3).path("after").path("at").asText())).isEqualTo(H1);
        assertThat(changes.get(4).path("before").isNull()).isTrue();
        assertThat(changes.get(4).path("after").path("name").asText()).isEqualTo("hist-m");

        for (int i = 1; i < changes.size(); i++) {
            assertThat(Instant.parse(changes.get(i).path("at").asText())).isBeforeOrEqualTo(Instant.parse(changes.get(i - 1).path("at").asText()));
        }
    }

    @Test
    void theMovedAliasAnswersForEveryInstantOfItsHistory() {
        Map<Instant, String> expected = new LinkedHashMap<>();
        expected.put(H1.minusSeconds(1), null);
        expected.put(H1, "1");
        expected.put(H2.minusSeconds(1), "1");
        expected.put(H2, "2");
        expected.put(H3.plusSeconds(3600), "3");
        expected.put(H4, "1");
        expected.put(Instant.now(), "1");
        expected.forEach((at, version) -> {
            JsonNode m = catalog.graphql("""
                    query($at: DateTime) { model(namespace: "hist", name: "hist-m") {
                      version(alias: "production", asOf: $at) { version aliases(asOf: $at) }
                      aliases(asOf: $at) { name since until modelVersion { version } } } }""", Map.of("at", at.toString())).ok().path("model");
            if (version == null) {
                assertThat(m.path("version").isNull()).as(at.toString()).isTrue();
                assertThat(m.path("aliases")).as(at.toString()).isEmpty();
            } else {
                assertThat(m.path("version").path("version").asText()).as(at.toString()).isEqualTo(version);
                assertThat(m.path("version").path("aliases").toString()).as(at.toString()).isEqualTo("[\"production\"]");
                assertThat(m.path("aliases").path(0).path("modelVersion").path("version").asText()).as(at.toString()).isEqualTo(version);
            }
        });
        JsonNode third = catalog.graphql("""
                query($at: DateTime) { model(namespace: "hist", name: "hist-m") { aliases(asOf: $at) { since until } } }""",
                Map.of("at", H3.toString())).ok().path("model").path("aliases").path(0);
        assertThat(Instant.parse(third.path("since").asText())).isEqualTo(H3);
        assertThat(Instant.parse(third.path("until").asText())).isEqualTo(H4);
    }

    @Test
    void pagesFollowEachOtherWithoutGapsOrRepeats() {
        List<JsonNode> all = changes(history(model, 20, null));
        List<JsonNode> paged = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            JsonNode page = history(model, 2, after);
            pages++;
            assertThat(page.path("totalCount").asInt()).isEqualTo(5);
            assertThat(page.path("edges").size()).isBetween(1, 2);
            paged.addAll(changes(page));
            JsonNode info = page.path("pageInfo");
            assertThat(info.path("endCursor").asText()).isEqualTo(page.path("edges").path(page.path("edges").size() - 1).path("cursor").asText());
            if (!info.path("hasNextPage").asBoolean()) {
                break;
            }
            after = info.path("endCursor").asText();
        }
        assertThat(pages).isEqualTo(3);
        assertThat(paged).isEqualTo(all);

        // an edge's cursor continues right after that edge
        JsonNode first = history(model, 20, null);
        String second = first.path("edges").path(1).path("cursor").asText();
        assertThat(changes(history(model, 20, second))).isEqualTo(all.subList(2, all.size()));
    }

    @Test
    void aDeploymentsHistoryHasItsStartAndItsEnd() {
        List<JsonNode> changes = changes(history(deployment, null, null));

        assertThat(changes).extracting(c -> c.path("action").asText()).containsExactly("DEPLOYMENT_ENDED", "DEPLOYMENT_STARTED");
        JsonNode ended = changes.get(0);
        assertThat(ended.path("before").path("status").asText()).isEqualTo("ACTIVE");
        assertThat(ended.path("before").path("endedAt").isNull()).isTrue();
        assertThat(ended.path("after").path("status").asText()).isEqualTo("ENDED");
        assertThat(Instant.parse(ended.path("after").path("endedAt").asText())).isEqualTo(H5);
        JsonNode started = changes.get(1);
        assertThat(started.path("before").isNull()).isTrue();
        assertThat(started.path("after").path("status").asText()).isEqualTo("ACTIVE");
        assertThat(Instant.parse(started.path("after").path("startedAt").asText())).isEqualTo(H2);
        assertThat(started.path("after").path("deployedBy").asText()).isEqualTo("deploy-bot");
    }

    @Test
    void aRunsHistoryHasItsStatusChangeAndItsTags() {
        List<JsonNode> changes = changes(history(job, null, null));

        assertThat(changes).extracting(c -> c.path("action").asText()).containsExactly("TAGS_SET", "UPDATED", "CREATED");
        JsonNode tags = changes.get(0);
        assertThat(tags.path("actor").asText()).isEqualTo("api:ci");
        assertThat(tags.path("before").toString()).isEqualTo("{\"tags\":{}}");
        assertThat(tags.path("after").toString()).isEqualTo("{\"tags\":{\"team\":\"search\"}}");
        JsonNode status = changes.get(1);
        assertThat(status.path("actor").asText()).isEqualTo("api");
        assertThat(status.path("before").path("status").asText()).isEqualTo("RUNNING");
        assertThat(status.path("after").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(status.path("after").path("endedAt").asText())).isEqualTo(H2);
        assertThat(changes.get(2).path("after").path("status").asText()).isEqualTo("RUNNING");
    }

    @Test
    void aCursorThatIsNotOneIsRefused() {
        for (String bad : List.of("nope", "Y2hhbmdlL3g", TestCatalog.JSON.createObjectNode().toString())) {
            Result r = catalog.graphql(HISTORY, Map.of("entity", model, "after", bad));
            assertThat(r.errorCode()).as(bad).isEqualTo("BAD_USER_INPUT");
            assertThat(r.errorField()).as(bad).isEqualTo("after");
        }
        // a cursor of another listing is not a history cursor
        String runsCursor = catalog.graphql("{ runs(first: 1) { pageInfo { endCursor } } }").ok().path("runs").path("pageInfo")
                .path("endCursor").asText();
        Result r = catalog.graphql(HISTORY, Map.of("entity", model, "after", runsCursor));
        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(r.errorField()).isEqualTo("after");
    }

    @Test
    void pageSizesOutsideTheRangeAreRefused() {
        for (int first : new int[] {0, 101}) {
            Result r = catalog.graphql(HISTORY, Map.of("entity", model, "first", first));
            assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
            assertThat(r.errorField()).isEqualTo("first");
        }
    }

    @Test
    void anUnknownEntityIsNotFound() {
        String unknown = GlobalId.of(NodeType.RUN, UUID.randomUUID());
        Result r = catalog.graphql(HISTORY, Map.of("entity", unknown));
        assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(r.errorField()).isEqualTo("entity");

        Result malformed = catalog.graphql(HISTORY, Map.of("entity", "hist-m"));
        assertThat(malformed.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(malformed.errorField()).isEqualTo("entity");
    }
}
