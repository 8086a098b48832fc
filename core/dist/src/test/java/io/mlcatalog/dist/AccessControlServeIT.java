package io.mlcatalog.dist;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.testing.CatalogProcess;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access control as an operator meets it: {@code serve} on a shared address is closed from the first start, with an admin
 * token printed once; {@code mlcatalog token} makes, lists and revokes tokens; on loopback the newcomer's catalog stays open.
 */
class AccessControlServeIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Pattern ADMIN_TOKEN = Pattern.compile("^\\s+(mlc_[A-Za-z0-9_-]{43})$");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void onASharedAddressTheCatalogIsClosedAndTokensAreManagedFromTheCommandLine() throws Exception {
        DatabaseUrl db = TestPostgres.newDatabase();
        String admin;
        String writer;
        try (CatalogProcess serve = CatalogProcess.start("serve", "--host", "0.0.0.0", "--database-url", db.jdbcUrl(), "--port", "0")) {
            admin = serve.awaitLine(ADMIN_TOKEN, START).group(1);
            String url = serve.awaitReady(START);
            serve.awaitLine(Pattern.compile("Access control is on: every request needs"), START);
            assertThat(serve.output()).contains("An admin token 'admin' was made; it is shown this once");
            // printed for the operator, never logged: the line is there once, in the block that shows it
            assertThat(serve.output().split(Pattern.quote(admin), -1)).hasSize(2);

            assertThat(status(url, null)).isEqualTo(401);
            assertThat(status(url, admin)).isEqualTo(200);

            try (CatalogProcess refused = CatalogProcess.start("token", "list", "--url", url)) {
                assertThat(refused.awaitExit(START)).isEqualTo(1);
                assertThat(refused.output()).contains("needs a token").contains("--token or MLCATALOG_TOKEN");
            }
            try (CatalogProcess create = CatalogProcess.start("token", "create", "--name", "ci-growth", "--role", "writer",
                    "--namespace", "growth", "--expires-in", "90d", "--url", url, "--token", admin)) {
                assertThat(create.awaitExit(START)).as(create.output()).isZero();
                writer = create.output().lines().findFirst().orElseThrow();
                assertThat(writer).startsWith("mlc_");
                assertThat(create.output()).contains("Token 'ci-growth' (writer, growth:write, expires ").contains("shown this once");
            }
            JsonNode run = graphql(url, writer, "mutation { upsertRun(input: {namespace: \"growth\", name: \"r\", status: RUNNING}) { id } }");
            assertThat(run.has("errors")).as(run.toString()).isFalse();
            assertThat(graphql(url, writer, "mutation { upsertRun(input: {namespace: \"risk\", name: \"r\", status: RUNNING}) { id } }")
                    .path("errors").path(0).path("extensions").path("code").asText()).isEqualTo("FORBIDDEN");

            try (CatalogProcess list = CatalogProcess.start("token", "list", "--url", url, "--token", admin)) {
                assertThat(list.awaitExit(START)).isZero();
                assertThat(list.output()).contains("ci-growth").contains("growth:write").contains("admin").contains("everything")
                        .doesNotContain(writer).doesNotContain(admin);
            }
            try (CatalogProcess revoke = CatalogProcess.start("token", "revoke", "ci-growth", "--url", url, "--token", admin)) {
                assertThat(revoke.awaitExit(START)).isZero();
                assertThat(revoke.output()).contains("revoked 'ci-growth'");
            }
            assertThat(status(url, writer)).isEqualTo(401);
            serve.stop();
        }
        // the next start keeps the admin token and shows none
        try (CatalogProcess again = CatalogProcess.start("serve", "--host", "0.0.0.0", "--database-url", db.jdbcUrl(), "--port", "0")) {
            String url = again.awaitReady(START);
            assertThat(again.output()).doesNotContain("shown this once").doesNotContain("mlc_");
            assertThat(status(url, admin)).isEqualTo(200);
            again.stop();
        }
    }

    @Test
    void onLoopbackWithoutTokensTheCatalogIsOpenAndSaysSo() throws Exception {
        DatabaseUrl db = TestPostgres.newDatabase();
        try (CatalogProcess serve = CatalogProcess.start("serve", "--database-url", db.jdbcUrl(), "--port", "0")) {
            String url = serve.awaitReady(START);
            serve.awaitLine(Pattern.compile("Access control is off: this catalog is open"), START);
            assertThat(serve.output()).doesNotContain("mlc_");
            assertThat(status(url, null)).isEqualTo(200);
            serve.stop();
        }
        try (CatalogProcess open = CatalogProcess.start("serve", "--host", "0.0.0.0", "--auth", "off", "--database-url", db.jdbcUrl(),
                "--port", "0")) {
            String url = open.awaitReady(START);
            assertThat(open.output()).contains("access control is OFF (--auth off)");
            assertThat(status(url, null)).isEqualTo(200);
            open.stop();
        }
    }

    private int status(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/graphql")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ namespaces }\"}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private JsonNode graphql(String url, String token, String query) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/graphql")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(TestCatalog.JSON.writeValueAsString(Map.of("query", query)))).build(),
                HttpResponse.BodyHandlers.ofString());
        return TestCatalog.JSON.readTree(r.body());
    }
}
