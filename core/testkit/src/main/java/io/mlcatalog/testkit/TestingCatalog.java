package io.mlcatalog.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlcatalog.server.CatalogServer;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.config.Security;
import io.mlcatalog.server.config.ServerConfig;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.plugin.PollOutcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A real catalog for a plugin's tests: the embedded PostgreSQL (one per test JVM, a fresh database per
 * catalog), the real server, and the plugin instances you configure, found on your test classpath
 * through {@code META-INF/services} exactly as in production. Sources are not polled on a schedule
 * unless {@link Builder#scheduled()} says so: {@link #poll} runs one poll, as
 * {@code mlcatalog ingest <instance> --once} does. {@link #status} is what {@code mlcatalog plugins} shows.
 *
 * <pre>{@code
 * try (TestingCatalog catalog = TestingCatalog.builder()
 *         .instance("acme-git", "git", Map.of("repository", repo.toString()))
 *         .start()) {
 *     PollOutcome first = catalog.poll("acme-git");
 *     JsonNode data = catalog.query("{ codeVersion(commit: \"" + sha + "\") { message } }");
 *     Map<String, Long> rows = catalog.rowCounts();
 *     catalog.poll("acme-git");                     // nothing new: nothing changes
 *     assertEquals(rows, catalog.rowCounts());
 * }
 * }</pre>
 */
public final class TestingCatalog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATUS = """
            { plugins { instance type status lastSuccessAt lastError recordsWritten recordsRejected queued oldestQueuedAt checkpoint { partition offset } } }""";
    /** The tables that hold catalog data. */
    public static final List<String> DATA_TABLES = List.of("namespace", "code_version", "run", "artifact", "model", "model_version",
            "alias_event", "alias", "deployment", "tag", "lineage_edge", "assertion", "change_log", "plugin_checkpoint", "run_facet",
            "job_facet", "artifact_facet", "facet_document", "pending_run_link", "job_io");

    private final CatalogServer server;
    private final DatabaseUrl database;
    private final ServerConfig config;
    private final Function<String, String> env;
    private final String adminToken;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestingCatalog(CatalogServer server, DatabaseUrl database, ServerConfig config, Function<String, String> env, String adminToken) {
        this.adminToken = adminToken;
        this.server = server;
        this.database = database;
        this.config = config;
        this.env = env;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures the instances of the catalog, as {@code mlcatalog.yaml} would. */
    public static final class Builder {
        private final List<Map<String, Object>> instances = new ArrayList<>();
        private Path pluginsDir;
        private Function<String, String> env = System::getenv;
        private boolean scheduled;
        private String adminToken;

        /** An instance with these settings (values: strings, or lists of strings). */
        public Builder instance(String name, String type, Map<String, ?> settings) {
            return instance(name, type, settings, Map.of());
        }

        /** An instance with these settings and instance keys ({@code schedule}, {@code timeout}, {@code token}, …). */
        public Builder instance(String name, String type, Map<String, ?> settings, Map<String, ?> keys) {
            Map<String, Object> instance = new LinkedHashMap<>();
            instance.put("name", name);
            instance.put("type", type);
            instance.putAll(keys);
            instance.put("settings", settings);
            instances.add(instance);
            return this;
        }

        /** Also loads the plugin jars of this folder, each in its own class loader. */
        public Builder pluginsDir(Path dir) {
            this.pluginsDir = dir;
            return this;
        }

        /**
         * Resolves {@code ${env:NAME}} in settings, and the {@code MLCATALOG_PLUGIN_<NAME>_…} overrides, from
         * these variables instead of the process environment.
         */
        public Builder env(Map<String, String> variables) {
            this.env = Map.copyOf(variables)::get;
            return this;
        }

        /**
         * Polls sources on their {@code schedule}s from the start, with retries and timeouts, as
         * {@code mlcatalog serve} does. Wait for what that does with {@link #awaitStatus}.
         */
        public Builder scheduled() {
            this.scheduled = true;
            return this;
        }

        /**
         * Access control on, with {@code adminToken} (at least 32 characters) as the first admin token, as
         * {@code MLCATALOG_ADMIN_TOKEN} gives it. {@link #query} and {@link #status} then send it; {@link #graphql(String, String, Map)}
         * sends another.
         */
        public Builder secured(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        public TestingCatalog start() {
            try {
                Path dir = Files.createTempDirectory("mlcatalog-testkit");
                Path config = dir.resolve("mlcatalog.yaml");
                new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), Map.of("plugins", instances));
                DatabaseUrl db = TestingPostgres.newDatabase();
                ServerConfig serverConfig = new ServerConfig("127.0.0.1", 0, dir, db.jdbcUrl(), 4, Limits.DEFAULT,
                        new ServerConfig.Plugins(config, pluginsDir, scheduled));
                Function<String, String> environment = env;
                if (adminToken != null) {
                    serverConfig = serverConfig.withSecurity(Security.DEFAULT.withAuth(Security.AuthMode.ON));
                    Function<String, String> outer = env;
                    String token = adminToken;
                    environment = name -> CatalogServer.ADMIN_TOKEN_ENV.equals(name) ? token : outer.apply(name);
                }
                return new TestingCatalog(CatalogServer.start(serverConfig, environment), db, serverConfig, environment, adminToken);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Stops this catalog and starts it again on the same database and configuration, as a restart of
     * {@code mlcatalog serve} does: every plugin instance is created anew (what a source kept in memory is
     * gone), its committed checkpoints are what it resumes from. Use the returned catalog; this one is closed.
     */
    public TestingCatalog restart() {
        server.close();
        return new TestingCatalog(CatalogServer.start(config, env), database, config, env, adminToken);
    }

    /** Polls a source instance once and writes what it emitted, as the host does on its schedule. */
    public PollOutcome poll(String instance) {
        return server.plugins().pollNow(instance);
    }

    /** Forgets an instance's checkpoints: the next poll starts from the beginning (a replay). */
    public void resetCheckpoints(String instance) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("delete from plugin_checkpoint where instance = ?")) {
            s.setString(1, instance);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not reset the checkpoints of " + instance, e);
        }
    }

    /**
     * An instance's status as {@code mlcatalog plugins} shows it, over GraphQL: {@code instance type status
     * lastSuccessAt lastError recordsWritten recordsRejected queued oldestQueuedAt checkpoint { partition offset }}.
     *
     * @throws AssertionError when no such instance is configured
     */
    public JsonNode status(String instance) {
        for (JsonNode p : query(STATUS).path("plugins")) {
            if (p.path("instance").asText().equals(instance)) {
                return p;
            }
        }
        throw new AssertionError("no plugin instance named '" + instance + "' in " + query(STATUS));
    }

    /** Runs a GraphQL query over HTTP and returns its {@code data}; fails on errors. */
    public JsonNode query(String query) {
        return query(query, Map.of());
    }

    public JsonNode query(String query, Map<String, ?> variables) {
        JsonNode body = graphql(query, variables);
        if (body.has("errors")) {
            throw new AssertionError("GraphQL errors: " + body.get("errors"));
        }
        return body.path("data");
    }

    /** Runs a GraphQL query over HTTP and returns the whole response ({@code data} and {@code errors}). */
    public JsonNode graphql(String query, Map<String, ?> variables) {
        return graphql(adminToken, query, variables);
    }

    /** As {@link #graphql(String, Map)}, sent with {@code Authorization: Bearer <token>} (none when null). */
    public JsonNode graphql(String token, String query, Map<String, ?> variables) {
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("query", query);
            body.put("variables", variables);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/graphql"))).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes a token with the admin token of a {@link Builder#secured secured} catalog and returns it: {@code role} reader or
     * writer, with {@code namespaces} (and, for a writer, {@code promote}).
     */
    public String createToken(String name, String role, List<String> namespaces, List<String> promote) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", name);
        input.put("role", role.toUpperCase(java.util.Locale.ROOT));
        input.put("namespaces", namespaces);
        input.put("promote", promote);
        return query("mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }", Map.of("i", input))
                .path("createToken").path("token").asText();
    }

    /** The catalog's base URL plus {@code path}, e.g. {@code url("/ingest/my-receiver/")}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    /** Row counts of every data table: equal before and after means nothing changed. */
    public Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        StringBuilder sql = new StringBuilder("select ");
        for (int i = 0; i < DATA_TABLES.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(select count(*) from ").append(DATA_TABLES.get(i)).append(")");
        }
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            rs.next();
            for (int i = 0; i < DATA_TABLES.size(); i++) {
                counts.put(DATA_TABLES.get(i), rs.getLong(i + 1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }

    /** The number a {@code select count(*) …} returns: for checks GraphQL does not cover. */
    public long count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of every row {@code sql} returns, as text. */
    public List<String> strings(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> result = new ArrayList<>();
            while (rs.next()) {
                result.add(rs.getString(1));
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /**
     * Waits until an instance's {@link #status} satisfies {@code condition}, checking it every 50 ms, for
     * what a {@link Builder#scheduled() scheduled} catalog does on its own.
     *
     * @return the status that satisfied it
     * @throws AssertionError with the last status seen, when {@code timeout} passes first
     */
    public JsonNode awaitStatus(String instance, Predicate<JsonNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = status(instance);
            if (condition.test(status)) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the status of " + instance + " did not get there within " + timeout + "; last: " + status);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A JDBC connection to the catalog's database (close it), for checks GraphQL does not cover and for
     * making the database misbehave: lock a table, end the catalog's connections.
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }

    public CatalogServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
