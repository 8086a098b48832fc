package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.GraphQLWs;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a token sees of the catalog's events: its namespaces' only, as long as the token is valid. */
class SubscriptionAccessIT {
    static final String ADMIN = "admin-token-for-the-subscription-access-test-01";
    static TestCatalog catalog;
    static final String EVENTS = """
            subscription($since: Long) { events(since: $since) { sequence kind namespace run { name } } }""";

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    static String token(String name, String namespace) {
        return catalog.graphql(ADMIN, "mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }",
                Map.of("i", Map.of("name", name, "role", "READER", "namespaces", List.of(namespace)))).ok().path("createToken").path("token").asText();
    }

    static void run(String namespace, String name) {
        catalog.graphql(ADMIN, "mutation($i: RunInput!) { upsertRun(input: $i) { id } }",
                Map.of("i", Map.of("namespace", namespace, "name", name, "status", "RUNNING"))).ok();
    }

    @Test
    void aReaderSeesOnlyItsNamespacesLiveAndInReplayAndNothingOnceRevoked() {
        String reader = token("events-reader", "acl-growth");
        long since = catalog.server().feed().cursor();
        run("acl-risk", "secret-1");
        run("acl-growth", "visible-1");
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), reader)) {
            // replayed from the change log: the other namespace's event is not among them, nor counted
            ws.subscribe("1", EVENTS, Map.of("since", since));
            JsonNode replayed = ws.nextEvent("1");
            assertThat(replayed.path("run").path("name").asText()).isEqualTo("visible-1");
            run("acl-risk", "secret-2");
            run("acl-growth", "visible-2");
            JsonNode live = ws.nextEvent("1");
            assertThat(live.path("run").path("name").asText()).isEqualTo("visible-2");
            assertThat(live.path("namespace").asText()).isEqualTo("acl-growth");

            catalog.graphql(ADMIN, "mutation { revokeToken(name: \"events-reader\") { name } }").ok();
            run("acl-growth", "after-revocation");
            JsonNode end = ws.next();
            assertThat(end.path("type").asText()).isEqualTo("error");
            assertThat(end.path("payload").path(0).path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");
            assertThat(end.path("payload").path(0).path("message").asText()).contains("revoked");
            assertThat(end.toString()).doesNotContain("after-revocation");
        }
    }

    @Test
    void aFilterOnANamespaceTheTokenMayNotReadIsForbiddenAndAConnectionWithoutATokenIsClosed() {
        String reader = token("events-reader-2", "acl-growth");
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), reader)) {
            ws.subscribe("1", "subscription { events(filter: {namespace: \"acl-risk\"}) { sequence } }", Map.of());
            JsonNode refused = ws.next();
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("payload").path(0).path("extensions").path("code").asText()).isEqualTo("FORBIDDEN");
        }
        try (GraphQLWs ws = GraphQLWs.connect(catalog.url("/graphql"), Map.of())) {
            ws.send(Map.of("type", "connection_init"));
            Map.Entry<Integer, String> closed = ws.awaitClose();
            assertThat(closed.getKey()).isEqualTo(4403);
            assertThat(closed.getValue()).contains("needs a token");
        }
        // the token in the upgrade request's header does as well as in connection_init
        try (GraphQLWs ws = GraphQLWs.connect(catalog.url("/graphql"), Map.of("Authorization", "Bearer " + reader))) {
            ws.send(Map.of("type", "connection_init"));
            assertThat(ws.next().path("type").asText()).isEqualTo("connection_ack");
        }
    }
}
