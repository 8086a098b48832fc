package io.mlcatalog.dist;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.Migrations;
import io.mlcatalog.server.testing.CatalogProcess;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlcatalog serve} as a user runs it: the real jar in its own process. */
class ServeIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final String COUNTS = """
            { runs { totalCount } artifacts { totalCount } models { totalCount } deployments { totalCount }
              run(namespace: "it", name: "kept") { status params } }""";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void stoppingAndStartingAgainKeepsEveryRecord(@TempDir Path dataDir) throws Exception {
        JsonNode before;
        try (CatalogProcess first = CatalogProcess.start("serve", "--demo", "--data-dir", dataDir.toString(), "--port", "0")) {
            String url = first.awaitReady(START);
            assertThat(first.output()).contains("demo data loaded: 49 runs");
            // the embedded PostgreSQL runs with the catalog's settings: commits on disk, plans renewed soon as tables grow
            assertThat(Files.readString(dataDir.resolve("pg-data").resolve("postmaster.opts")))
                    .contains("synchronous_commit=on").contains("autovacuum_naptime=5s");
            JsonNode written = graphql(url, """
                    mutation { upsertRun(input: {namespace: "it", name: "kept", status: SUCCEEDED, params: {lr: 0.1}}) { id } }""");
            assertThat(written.path("errors").isMissingNode()).as(written.toString()).isTrue();
            before = graphql(url, COUNTS).path("data");
            assertThat(before.path("runs").path("totalCount").asInt()).isEqualTo(50);
            assertThat(get(url + "/ready").statusCode()).isEqualTo(200);
            first.stop();
        }
        try (CatalogProcess second = CatalogProcess.start("serve", "--data-dir", dataDir.toString(), "--port", "0")) {
            String url = second.awaitReady(START);
            assertThat(second.output()).doesNotContain("demo data loaded");
            assertThat(graphql(url, COUNTS).path("data")).isEqualTo(before);
            assertThat(before.path("run").path("params").path("lr").asDouble()).isEqualTo(0.1);
            second.stop();
        }
    }

    @Test
    void logsAreJsonLinesWhenAskedAndMetricsAreServed(@TempDir Path dataDir) throws Exception {
        try (CatalogProcess p = CatalogProcess.start(Map.of("MLCATALOG_LOG_FORMAT", "json"), "serve", "--data-dir", dataDir.toString(),
                "--port", "0")) {
            String url = p.awaitReady(START);
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var logged = p.output().lines().filter(l -> l.startsWith("{")).toList();
            assertThat(logged).isNotEmpty();
            for (String line : logged) {
                JsonNode entry = json.readTree(line);
                assertThat(entry.path("level").asText()).isIn("INFO", "WARN", "ERROR");
                assertThat(entry.path("loggerName").asText()).isNotEmpty();
                assertThat(entry.has("formattedMessage")).as(line).isTrue();
            }
            assertThat(logged).anyMatch(l -> l.contains("access control is off"));
            HttpResponse<String> metrics = get(url + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("mlcatalog_sql_statements_seconds_count");
            p.stop();
        }
    }

    @Test
    void aSecondCatalogOnTheSameDataDirectoryIsToldWhoHoldsIt(@TempDir Path dataDir) {
        try (CatalogProcess first = CatalogProcess.start("serve", "--data-dir", dataDir.toString(), "--port", "0")) {
            first.awaitReady(START);
            try (CatalogProcess second = CatalogProcess.start("serve", "--data-dir", dataDir.toString(), "--port", "0")) {
                assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
                assertThat(second.output()).contains("is already running on").contains("kill ");
            }
            first.stop();
        }
    }

    @Test
    void aPluginConfigurationMistakeStopsStartUpNamingTheInstance(@TempDir Path tmp) throws IOException {
        Path config = Files.writeString(tmp.resolve("mlcatalog.yaml"), """
                plugins:
                  - name: lineage
                    type: no-such-type
                """);
        try (CatalogProcess catalog = CatalogProcess.start("serve", "--config", config.toString(), "--data-dir", tmp.resolve("d").toString(),
                "--port", "0")) {
            assertThat(catalog.awaitExit(START)).isEqualTo(2);
            assertThat(catalog.output()).contains("plugin instance 'lineage': unknown type 'no-such-type'")
                    .doesNotContain("embedded PostgreSQL started");
        }
    }

    @Test
    void aDatabaseUrlUsesThatPostgresAndNoEmbeddedOne(@TempDir Path tmp) throws Exception {
        DatabaseUrl db = TestPostgres.newDatabase();
        Path unused = tmp.resolve("never-created");
        String url = "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database();
        try (CatalogProcess catalog = CatalogProcess.start("serve", "--database-url", url, "--data-dir", unused.toString(), "--port", "0")) {
            String base = catalog.awaitReady(START);
            graphql(base, "mutation { upsertRun(input: {namespace: \"ext\", name: \"r\", status: RUNNING}) { id } }");
            assertThat(TestPostgres.count(db, "select count(*) from run where namespace = 'ext'")).isEqualTo(1);
            assertThat(catalog.output()).doesNotContain("embedded PostgreSQL started");
            catalog.stop();
        }
        assertThat(unused).doesNotExist();
    }

    @Test
    void aDatabaseMigratedByANewerCatalogIsRefused() {
        DatabaseUrl db = TestPostgres.newDatabase();
        Migrations.migrate(db);
        TestPostgres.execute(db, """
                insert into flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,
                                                   execution_time, success)
                values (999, '999', 'from the future', 'SQL', 'V999__from_the_future.sql', 0, 'test', 0, true)""");
        try (CatalogProcess catalog = CatalogProcess.start("serve", "--database-url", db.jdbcUrl(), "--port", "0")) {
            assertThat(catalog.awaitExit(START)).isEqualTo(2);
            assertThat(catalog.output()).contains("schema version 999, newer than this mlcatalog knows");
        }
    }

    @Test
    void anUnreachableDatabaseIsExplainedWithoutThePassword() {
        try (CatalogProcess catalog = CatalogProcess.start("serve", "--database-url", "postgresql://alice:s3cr3t@127.0.0.1:1/nope", "--port", "0")) {
            assertThat(catalog.awaitExit(START)).isEqualTo(2);
            assertThat(catalog.output()).contains("cannot use the database postgresql://alice:***@127.0.0.1:1/nope")
                    .doesNotContain("s3cr3t");
        }
    }

    @Test
    void anUnusableDataDirectoryIsExplained(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        try (CatalogProcess catalog = CatalogProcess.start("serve", "--data-dir", file.toString(), "--port", "0")) {
            assertThat(catalog.awaitExit(START)).isEqualTo(2);
            assertThat(catalog.output()).contains("cannot create the data directory").contains("--data-dir");
        }
    }

    @Test
    void helpListsTheOptionsAndTheReadmeNamesOnlyOptionsItLists() throws IOException {
        try (CatalogProcess catalog = CatalogProcess.start("serve", "--help")) {
            assertThat(catalog.awaitExit(START)).isZero();
            assertThat(catalog.output()).contains("--data-dir", "--database-url", "--read-database-url", "--port", "--demo",
                    "--max-query-depth", "--statement-timeout");
            // README.md's table of serve's options ("Running it for real"): every option it names is one serve has
            java.util.regex.Matcher option = java.util.regex.Pattern.compile("(?m)^\\| `(--[a-z-]+)").matcher(
                    Files.readString(io.mlcatalog.server.testing.Repository.file("README.md")));
            int named = 0;
            while (option.find()) {
                assertThat(catalog.output()).as("serve --help lists README's %s", option.group(1)).contains(option.group(1));
                named++;
            }
            assertThat(named).isGreaterThan(10);
        }
    }

    private JsonNode graphql(String base, String query) throws IOException, InterruptedException {
        String body = TestCatalog.JSON.writeValueAsString(Map.of("query", query));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return TestCatalog.JSON.readTree(r.body());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
