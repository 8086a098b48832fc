package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.testing.GraphQLWs;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Subscriptions over graphql-transport-ws on /graphql, on one node and across two nodes of one database. */
class SubscriptionIT {
    static TestCatalog catalog;

    static final String EVENTS = """
            subscription($filter: EventFilter, $since: Long) { events(filter: $filter, since: $since) {
              sequence kind namespace actor status previousStatus run { name status } modelVersion { version } model { name }
              alias previousVersion deployment { environment target } edges { kind node } } }""";
    static final String RUN = "mutation($input: RunInput!) { upsertRun(input: $input) { id } }";

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    /**
     * The feed's position now: a subscription given it as since: gets every event written after this, however late the
     * server starts it (graphql-transport-ws does not acknowledge a subscribe).
     */
    static long now() {
        return catalog.server().feed().cursor();
    }

    static void run(TestCatalog on, String namespace, String name, String status) {
        on.graphql(RUN, Map.of("input", Map.of("namespace", namespace, "name", name, "status", status))).ok();
    }

    @Test
    void aSubscriberSeesRunsCreatedAndTheirStatusChangeInOrder() {
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.subscribe("1", EVENTS, Map.of("filter", Map.of("namespace", "sub-order"), "since", now()));
            run(catalog, "sub-order", "train-1", "RUNNING");
            JsonNode created = ws.nextEvent("1");
            assertThat(created.path("kind").asText()).isEqualTo("RUN_CREATED");
            assertThat(created.path("status").asText()).isEqualTo("RUNNING");
            assertThat(created.path("run").path("name").asText()).isEqualTo("train-1");
            run(catalog, "sub-order", "train-1", "SUCCEEDED");
            JsonNode changed = ws.nextEvent("1");
            assertThat(changed.path("kind").asText()).isEqualTo("RUN_STATUS_CHANGED");
            assertThat(changed.path("previousStatus").asText()).isEqualTo("RUNNING");
            assertThat(changed.path("status").asText()).isEqualTo("SUCCEEDED");
            // a field loads what the entity is now, not what an earlier event loaded
            assertThat(changed.path("run").path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(changed.path("sequence").asLong()).isGreaterThan(created.path("sequence").asLong());
            ws.complete("1");
        }
    }

    @Test
    void anEventsRunIsLoadedOnceForAllOfANodesSubscribers() {
        long one = statementsToDeliver(1, "shared-one");
        long twenty = statementsToDeliver(20, "shared-twenty");
        // a dashboard more costs the database nothing per event: the run each event names is looked up once per node
        assertThat(twenty).isEqualTo(one);
    }

    /** The statements a write and its delivery to {@code subscribers} subscriptions (on two connections) take. */
    private static long statementsToDeliver(int subscribers, String namespace) {
        try (GraphQLWs a = GraphQLWs.open(catalog.url("/graphql"), null); GraphQLWs b = GraphQLWs.open(catalog.url("/graphql"), null)) {
            // since: 0 in a namespace of its own: the first write's event comes once, live or replayed, however late the
            // subscription starts, so that every one of them is running before the counted write
            for (int i = 0; i < subscribers; i++) {
                (i % 2 == 0 ? a : b).subscribe("s" + i, EVENTS, Map.of("filter", Map.of("namespace", namespace, "kinds", List.of("RUN_CREATED")),
                        "since", 0));
            }
            run(catalog, namespace, "first", "RUNNING");
            for (int i = 0; i < subscribers; i++) {
                assertThat((i % 2 == 0 ? a : b).nextEvent("s" + i).path("run").path("name").asText()).isEqualTo("first");
            }
            long before = catalog.server().db().statementCount();
            run(catalog, namespace, "counted", "RUNNING");
            for (int i = 0; i < subscribers; i++) {
                assertThat((i % 2 == 0 ? a : b).nextEvent("s" + i).path("run").path("name").asText()).isEqualTo("counted");
            }
            return catalog.server().db().statementCount() - before;
        }
    }

    @Test
    void modelVersionsAliasesDeploymentsAndLineageAreEventsTooAndFiltersPickThem() {
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            long since = now();
            ws.subscribe("all", EVENTS, Map.of("filter", Map.of("namespace", "sub-kinds"), "since", since));
            ws.subscribe("prod", EVENTS, Map.of("filter", Map.of("namespace", "sub-kinds", "environment", "prod"), "since", since));
            String runId = catalog.graphql("""
                    mutation { upsertRun(input: {namespace: "sub-kinds", name: "t", status: SUCCEEDED,
                      outputs: [{namespace: "sub-kinds", uri: "s3://m/model.onnx", kind: MODEL}]}) { id } }""").ok()
                    .path("upsertRun").path("id").asText();
            catalog.graphql("""
                    mutation($run: ID) { registerModelVersion(input: {namespace: "sub-kinds", model: "churn", version: "1",
                      artifact: {namespace: "sub-kinds", uri: "s3://m/model.onnx"}, runId: $run}) { id } }""", Map.of("run", runId)).ok();
            catalog.graphql("mutation { setAlias(namespace: \"sub-kinds\", model: \"churn\", alias: \"production\", version: \"1\") { name } }").ok();
            catalog.graphql("""
                    mutation { startDeployment(input: {namespace: "sub-kinds", environment: "prod", target: "churn-api", model: "churn",
                      version: "1"}) { id } }""").ok();
            List<String> kinds = new ArrayList<>();
            JsonNode deployment = null;
            while (deployment == null) {
                JsonNode e = ws.nextEvent("all");
                kinds.add(e.path("kind").asText());
                if (e.path("kind").asText().equals("ALIAS_SET")) {
                    assertThat(e.path("alias").asText()).isEqualTo("production");
                    assertThat(e.path("modelVersion").path("version").asText()).isEqualTo("1");
                    assertThat(e.path("model").path("name").asText()).isEqualTo("churn");
                }
                if (e.path("kind").asText().equals("LINEAGE_ADDED") && e.path("run").path("name").asText().equals("t")) {
                    assertThat(e.path("edges").findValuesAsText("kind")).contains("PRODUCED");
                }
                if (e.path("kind").asText().equals("DEPLOYMENT_STARTED")) {
                    deployment = e;
                }
            }
            assertThat(kinds).contains("RUN_CREATED", "MODEL_VERSION_CREATED", "ALIAS_SET", "LINEAGE_ADDED", "DEPLOYMENT_STARTED");
            assertThat(kinds.indexOf("MODEL_VERSION_CREATED")).isLessThan(kinds.indexOf("ALIAS_SET"));
            assertThat(deployment.path("deployment").path("target").asText()).isEqualTo("churn-api");
            // the filtered subscription got the deployment, and nothing before it
            JsonNode prod = ws.nextEvent("prod");
            assertThat(prod.path("kind").asText()).isEqualTo("DEPLOYMENT_STARTED");
            assertThat(prod.path("sequence").asLong()).isEqualTo(deployment.path("sequence").asLong());
        }
    }

    @Test
    void aClientThatReconnectsWithSinceGetsWhatItMissedInOrderThenTheNewOnes() {
        long last;
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.subscribe("1", EVENTS, Map.of("filter", Map.of("namespace", "sub-since", "kinds", List.of("RUN_CREATED")), "since", now()));
            run(catalog, "sub-since", "r0", "RUNNING");
            last = ws.nextEvent("1").path("sequence").asLong();
        }
        for (int i = 1; i <= 30; i++) {
            run(catalog, "sub-since", "r" + i, "RUNNING");
        }
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.subscribe("again", EVENTS, Map.of("filter", Map.of("namespace", "sub-since", "kinds", List.of("RUN_CREATED")), "since", last));
            List<String> names = new ArrayList<>();
            long previous = last;
            for (int i = 1; i <= 30; i++) {
                JsonNode e = ws.nextEvent("again");
                assertThat(e.path("sequence").asLong()).isGreaterThan(previous);
                previous = e.path("sequence").asLong();
                names.add(e.path("run").path("name").asText());
            }
            assertThat(names).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 30).mapToObj(i -> "r" + i).toList());
            run(catalog, "sub-since", "r31", "RUNNING");
            JsonNode live = ws.nextEvent("again");
            assertThat(live.path("run").path("name").asText()).isEqualTo("r31");
            assertThat(live.path("sequence").asLong()).isGreaterThan(previous);
        }
        // the same events to a client that polls instead
        JsonNode page = catalog.graphql("""
                query($after: Long!) { events(after: $after, filter: {namespace: "sub-since", kinds: [RUN_CREATED]}, first: 10) {
                  events { sequence run { name } } last } }""", Map.of("after", last)).ok().path("events");
        assertThat(page.path("events").findValuesAsText("name")).containsExactly("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10");
        assertThat(page.path("last").asLong()).isEqualTo(page.path("events").path(9).path("sequence").asLong());
    }

    @Test
    void aWriteOnOneNodeReachesSubscribersOfTheOther() {
        try (TestCatalog other = TestCatalog.start(Limits.DEFAULT, catalog.database());
             GraphQLWs onOther = GraphQLWs.open(other.url("/graphql"), null);
             GraphQLWs onThis = GraphQLWs.open(catalog.url("/graphql"), null)) {
            long since = now();
            onOther.subscribe("1", EVENTS, Map.of("filter", Map.of("namespace", "sub-nodes"), "since", since));
            onThis.subscribe("1", EVENTS, Map.of("filter", Map.of("namespace", "sub-nodes"), "since", since));
            run(catalog, "sub-nodes", "written-here", "RUNNING");
            run(other, "sub-nodes", "written-there", "RUNNING");
            for (GraphQLWs ws : List.of(onOther, onThis)) {
                JsonNode first = ws.nextEvent("1");
                JsonNode second = ws.nextEvent("1");
                // both nodes give the same events, with the same numbers, in the same order
                assertThat(List.of(first.path("run").path("name").asText(), second.path("run").path("name").asText()))
                        .containsExactly("written-here", "written-there");
                assertThat(second.path("sequence").asLong()).isGreaterThan(first.path("sequence").asLong());
            }
        }
    }

    @Test
    void theProtocolIsKept() {
        // a subscribe before connection_init
        try (GraphQLWs ws = GraphQLWs.connect(catalog.url("/graphql"), Map.of())) {
            ws.subscribe("1", EVENTS, Map.of());
            assertThat(ws.awaitClose().getKey()).isEqualTo(4401);
        }
        // two connection_init
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.send(Map.of("type", "connection_init"));
            assertThat(ws.awaitClose().getKey()).isEqualTo(4429);
        }
        // the same id twice
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.subscribe("dup", EVENTS, Map.of());
            ws.subscribe("dup", EVENTS, Map.of());
            assertThat(ws.awaitClose().getKey()).isEqualTo(4409);
        }
        // not JSON
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.send(Map.of("kind", "no type"));
            assertThat(ws.awaitClose().getKey()).isEqualTo(4400);
        }
        // ping, a query, an invalid subscription
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.send(Map.of("type", "ping"));
            assertThat(ws.next().path("type").asText()).isEqualTo("pong");
            ws.subscribe("q", "{ namespaces }", Map.of());
            assertThat(ws.next().path("type").asText()).isEqualTo("next");
            assertThat(ws.next().toString()).isEqualTo("{\"id\":\"q\",\"type\":\"complete\"}");
            ws.subscribe("bad", "subscription { events { nope } }", Map.of());
            JsonNode error = ws.next();
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("payload").path(0).path("message").asText()).contains("nope");
        }
        // a subscription over HTTP is pointed at the WebSocket
        TestCatalog.Result overHttp = catalog.graphql("subscription { events { sequence } }");
        assertThat(overHttp.status()).isEqualTo(400);
        assertThat(overHttp.errorMessage()).contains("graphql-transport-ws");
    }
}
