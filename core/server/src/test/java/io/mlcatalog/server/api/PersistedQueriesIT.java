package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import io.mlcatalog.server.config.Security;
import io.mlcatalog.server.http.PersistedQueries;
import io.mlcatalog.server.testing.GraphQLWs;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Persisted queries: an allow-list by hash, which reader tokens can be held to, as a dashboard's token should be. */
class PersistedQueriesIT {
    static final String ADMIN = "persisted-queries-admin-token-0123456789";
    static final String DASHBOARD = "query Namespaces { namespaces }\n";
    static TestCatalog catalog;
    static String reader;
    static String writer;

    @BeforeAll
    static void start() throws IOException {
        Path folder = Files.createTempDirectory("persisted");
        Files.writeString(folder.resolve("namespaces.graphql"), DASHBOARD);
        Files.writeString(folder.resolve("README.txt"), "not a query: ignored");
        catalog = TestCatalog.startSecured(ADMIN, Security.DEFAULT.withAuth(Security.AuthMode.ON).withPersistedQueries(folder, true));
        reader = token("dash", "READER");
        writer = token("ci", "WRITER");
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    static String token(String name, String role) {
        return catalog.graphql(ADMIN, "mutation($n: String!, $r: Role!) { createToken(input: {name: $n, role: $r, namespaces: [\"*\"]}) { token } }",
                Map.of("n", name, "r", role)).ok().path("createToken").path("token").asText();
    }

    private static Result post(String token, String body) {
        return catalog.post(body, Map.of("Content-Type", "application/json", "Accept", "application/graphql-response+json",
                "Authorization", "Bearer " + token));
    }

    private static String byHash(String hash) {
        return "{\"extensions\": {\"persistedQuery\": {\"version\": 1, \"sha256Hash\": \"" + hash + "\"}}}";
    }

    @Test
    void aReaderRunsAPersistedQueryByItsHashOrItsTextAndNothingElse() {
        String hash = PersistedQueries.hash(DASHBOARD);
        assertThat(post(reader, byHash(hash)).ok().path("namespaces").isArray()).isTrue();
        assertThat(catalog.graphql(reader, DASHBOARD).ok().path("namespaces").isArray()).isTrue();
        assertThat(catalog.get(Map.of("extensions", "{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"" + hash + "\"}}"),
                Map.of("Authorization", "Bearer " + reader, "Accept", "application/json")).ok().path("namespaces").isArray()).isTrue();

        Result free = catalog.graphql(reader, "{ runs { totalCount } }");
        assertThat(free.status()).isEqualTo(403);
        assertThat(free.errorCode()).isEqualTo("FORBIDDEN");
        assertThat(free.errorMessage()).contains("persisted queries");
        // writers and admins are not held to the list
        assertThat(catalog.graphql(writer, "{ runs { totalCount } }").ok().path("runs").path("totalCount").asInt()).isZero();
    }

    @Test
    void overAWebSocketTheSameListHolds() {
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), reader)) {
            ws.send(Map.of("id", "hash", "type", "subscribe", "payload",
                    Map.of("extensions", Map.of("persistedQuery", Map.of("version", 1, "sha256Hash", PersistedQueries.hash(DASHBOARD))))));
            JsonNode byHash = ws.nextOf("hash");
            assertThat(byHash.path("type").asText()).isEqualTo("next");
            assertThat(byHash.path("payload").path("data").path("namespaces").isArray()).isTrue();

            ws.subscribe("free", "{ runs { totalCount } }", Map.of());
            JsonNode free = ws.nextOf("free");
            assertThat(free.path("type").asText()).isEqualTo("error");
            assertThat(free.path("payload").path(0).path("extensions").path("code").asText()).isEqualTo("FORBIDDEN");

            ws.send(Map.of("id", "unknown", "type", "subscribe", "payload",
                    Map.of("extensions", Map.of("persistedQuery", Map.of("version", 1, "sha256Hash", "0".repeat(64))))));
            JsonNode unknown = ws.nextOf("unknown");
            assertThat(unknown.path("type").asText()).isEqualTo("error");
            assertThat(unknown.path("payload").path(0).path("extensions").path("code").asText()).isEqualTo("NOT_FOUND");

            // a hash that is not the query's is refused, not run as the text
            ws.send(Map.of("id", "mismatch", "type", "subscribe", "payload", Map.of("query", "{ runs { totalCount } }",
                    "extensions", Map.of("persistedQuery", Map.of("version", 1, "sha256Hash", PersistedQueries.hash(DASHBOARD))))));
            assertThat(ws.nextOf("mismatch").path("payload").path(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        }
    }

    @Test
    void anUnknownHashOrOneThatIsNotTheQuerysIsRefused() {
        Result unknown = post(writer, byHash("0".repeat(64)));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("NOT_FOUND");
        Result mismatch = post(writer, "{\"query\": \"{ namespaces }\", \"extensions\": {\"persistedQuery\": {\"sha256Hash\": \""
                + PersistedQueries.hash(DASHBOARD) + "\"}}}");
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.errorMessage()).contains("not the SHA-256 of the query");
        assertThat(post(writer, byHash("xyz")).errorMessage()).contains("64 hex digits");
    }
}
