package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Subscriptions as a dashboard makes them: npm's graphql-ws client on Node.js (src/test/js, installed by .ci/run with
 * {@code npm ci}), against a secured catalog. Skipped, saying how to install it, where it is not installed.
 */
class NpmGraphQLWsIT {
    static final String ADMIN = "admin-token-for-the-npm-graphql-ws-test-0001";
    static final ObjectMapper JSON = new ObjectMapper();
    static TestCatalog catalog;
    static Path js;

    @BeforeAll
    static void start() {
        js = Path.of("src/test/js").toAbsolutePath();
        Assumptions.assumeTrue(Files.isDirectory(js.resolve("node_modules/graphql-ws")),
                "skipped: npm's graphql-ws is not installed in " + js + " (run: npm ci --prefix core/server/src/test/js; .ci/run does)");
        catalog = TestCatalog.startSecured(ADMIN);
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    static String token(String name, String namespace) {
        return catalog.graphql(ADMIN, "mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }",
                Map.of("i", Map.of("name", name, "role", "READER", "namespaces", List.of(namespace)))).ok().path("createToken").path("token").asText();
    }

    static void run(String namespace, String name, String status) {
        catalog.graphql(ADMIN, "mutation($i: RunInput!) { upsertRun(input: $i) { id } }",
                Map.of("i", Map.of("namespace", namespace, "name", name, "status", status))).ok();
    }

    /** Runs the client until it printed {@code count} lines; returns them. */
    static List<JsonNode> subscribe(String token, String namespace, long since, int count, Runnable meanwhile) throws Exception {
        Process node = new ProcessBuilder("node", "subscribe.mjs", catalog.url("/graphql").replaceFirst("^http", "ws"), token, namespace,
                Long.toString(since), Integer.toString(count)).directory(js.toFile()).redirectErrorStream(true).start();
        // a client that hangs is ended, so that the read below ends and the test fails instead of the build waiting
        java.util.concurrent.CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS).execute(node::destroyForcibly);
        try {
            meanwhile.run();
            List<JsonNode> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (lines.size() < count && (line = out.readLine()) != null) {
                    lines.add(JSON.readTree(line));
                    if (lines.get(lines.size() - 1).has("failed")) {
                        break;
                    }
                }
            }
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("the client ended").isTrue();
            return lines;
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void aReaderGetsItsNamespacesEventsInOrderFromSince() throws Exception {
        String reader = token("npm-reader", "npm-growth");
        long since = catalog.server().feed().cursor();
        List<JsonNode> results = subscribe(reader, "npm-growth", since, 3, () -> {
            run("npm-risk", "not-for-it", "RUNNING");
            run("npm-growth", "train-a", "RUNNING");
            run("npm-growth", "train-a", "SUCCEEDED");
            run("npm-growth", "train-b", "RUNNING");
        });
        assertThat(results).hasSize(3).noneMatch(r -> r.has("failed") || r.has("errors"));
        assertThat(results.stream().map(r -> r.path("data").path("events").path("kind").asText() + " "
                + r.path("data").path("events").path("run").path("name").asText()).toList())
                .containsExactly("RUN_CREATED train-a", "RUN_STATUS_CHANGED train-a", "RUN_CREATED train-b");
        assertThat(results.get(1).path("data").path("events").path("run").path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aNamespaceTheTokenMayNotReadIsRefusedAndABadTokenIsClosedOut() throws Exception {
        String reader = token("npm-reader-2", "npm-growth");
        List<JsonNode> refused = subscribe(reader, "npm-risk", 0, 1, () -> {
        });
        assertThat(refused.get(0).toString()).contains("FORBIDDEN").contains("npm-risk");
        List<JsonNode> closed = subscribe("mlc_not-a-token-0000000000000000000000000000", "npm-growth", 0, 1, () -> {
        });
        assertThat(closed.get(0).path("failed").asText()).startsWith("4403").contains("not known");
    }
}
