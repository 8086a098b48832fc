package io.mlcatalog.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.server.CatalogServer;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.config.Security;
import io.mlcatalog.server.config.ServerConfig;
import io.mlcatalog.server.db.DatabaseUrl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running catalog for a test class: the real server, on its own fresh database, spoken to over
 * real HTTP. Use one per class ({@code static} field, closed in {@code @AfterAll}).
 */
public final class TestCatalog implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Tables that hold catalog data, to check that a refused request wrote nothing. */
    public static final List<String> DATA_TABLES = List.of("namespace", "code_version", "run", "artifact", "model", "model_version",
            "alias_event", "alias", "deployment", "tag", "lineage_edge", "assertion", "change_log", "protected_alias", "api_token",
            "api_grant");

    private final DatabaseUrl database;
    private final CatalogServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestCatalog(DatabaseUrl database, CatalogServer server) {
        this.database = database;
        this.server = server;
    }

    public static TestCatalog start() {
        return start(Limits.DEFAULT);
    }

    public static TestCatalog start(Limits limits) {
        return start(limits, TestPostgres.newDatabase());
    }

    /** Another server on an existing catalog's database: the same data, served under other limits. */
    public static TestCatalog start(Limits limits, DatabaseUrl database) {
        CatalogServer server = CatalogServer.start(new ServerConfig("127.0.0.1", 0, null, database.jdbcUrl(), 4, limits));
        return new TestCatalog(database, server);
    }

    /**
     * A catalog with access control on, its first admin token {@code adminToken} (given as {@code MLCATALOG_ADMIN_TOKEN}
     * would be), on a fresh database.
     */
    public static TestCatalog startSecured(String adminToken) {
        return startSecured(adminToken, Security.DEFAULT.withAuth(Security.AuthMode.ON));
    }

    /** As {@link #startSecured(String)}, with these security settings (budgets, introspection, GraphiQL). */
    public static TestCatalog startSecured(String adminToken, Security security) {
        DatabaseUrl database = TestPostgres.newDatabase();
        CatalogServer server = CatalogServer.start(new ServerConfig("127.0.0.1", 0, null, database.jdbcUrl(), 4, Limits.DEFAULT)
                        .withSecurity(security),
                name -> CatalogServer.ADMIN_TOKEN_ENV.equals(name) ? adminToken : null);
        return new TestCatalog(database, server);
    }

    /** A GraphQL request with {@code Authorization: Bearer <token>}. */
    public Result graphql(String token, String query, Map<String, ?> variables) {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", query);
        body.set("variables", JSON.valueToTree(variables));
        return post(body.toString(), Map.of("Content-Type", "application/json", "Accept", "application/graphql-response+json",
                "Authorization", "Bearer " + token));
    }

    public Result graphql(String token, String query) {
        return graphql(token, query, Map.of());
    }

    public CatalogServer server() {
        return server;
    }

    public DatabaseUrl database() {
        return database;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    /** A GraphQL result a client would see. */
    public record Result(int status, JsonNode body) {
        public JsonNode data() {
            return body.path("data");
        }

        public JsonNode errors() {
            return body.path("errors");
        }

        /** The {@code extensions.code} of the first error, or null. */
        public String errorCode() {
            return body.path("errors").path(0).path("extensions").path("code").asText(null);
        }

        public String errorMessage() {
            return body.path("errors").path(0).path("message").asText(null);
        }

        public String errorField() {
            return body.path("errors").path(0).path("extensions").path("field").asText(null);
        }

        /** The data, failing with the errors when there are any. */
        public JsonNode ok() {
            if (body.has("errors")) {
                throw new AssertionError("expected no errors, got " + body.get("errors"));
            }
            return data();
        }
    }

    public Result graphql(String query) {
        return graphql(query, Map.of());
    }

    public Result graphql(String query, Map<String, ?> variables) {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", query);
        body.set("variables", JSON.valueToTree(variables));
        return post(body.toString(), Map.of("Content-Type", "application/json", "Accept", "application/graphql-response+json"));
    }

    /** Sends {@code body} as a POST to /graphql with exactly these headers. */
    public Result post(String body, Map<String, String> headers) {
        return post(HttpRequest.BodyPublishers.ofString(body), headers);
    }

    public Result post(HttpRequest.BodyPublisher body, Map<String, String> headers) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url("/graphql"))).timeout(Duration.ofSeconds(60)).POST(body);
        headers.forEach(req::header);
        return send(req.build());
    }

    /** A GET to /graphql with these query parameters. */
    public Result get(Map<String, String> params, Map<String, String> headers) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url("/graphql" + q))).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(req::header);
        return send(req.build());
    }

    public HttpResponse<String> raw(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Result send(HttpRequest request) {
        HttpResponse<String> response = raw(request);
        JsonNode body;
        try {
            body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("the response is not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
        return new Result(response.statusCode(), body);
    }

    /** Row counts of every data table, to compare before and after a request. */
    public Map<String, Long> rowCounts() {
        // one statement on one connection: tests take these before and after most writes
        String sql = String.join(" union all ", DATA_TABLES.stream()
                .map(table -> "select '" + table + "=' || count(*) from " + table).toList());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String row : TestPostgres.strings(database, sql)) {
            int eq = row.indexOf('=');
            counts.put(row.substring(0, eq), Long.parseLong(row.substring(eq + 1)));
        }
        return counts;
    }

    /**
     * Waits until this node holds {@code n} open subscriptions, as /metrics counts them (with {@code token} where access
     * control is on). graphql-transport-ws does not acknowledge a subscribe: a test that writes right after sending one,
     * without {@code since:}, could write before the subscription began.
     */
    public void awaitOpenSubscriptions(String token, int n) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        java.util.regex.Pattern open = java.util.regex.Pattern.compile("(?m)^mlcatalog_subscriptions (\\S+)$");
        String last = null;
        do {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url("/metrics"))).GET();
            if (token != null) {
                req.header("Authorization", "Bearer " + token);
            }
            java.util.regex.Matcher m = open.matcher(raw(req.build()).body());
            last = m.find() ? m.group(1) : null;
            if (last != null && Double.parseDouble(last) == n) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(10).toNanos());
        } while (System.nanoTime() < deadline);
        throw new AssertionError("this node did not hold " + n + " subscriptions within 20 s (last: " + last + ")");
    }

    public long count(String sql) {
        return TestPostgres.count(database, sql);
    }

    /** The first column of every row {@code sql} returns, as text. */
    public List<String> strings(String sql) {
        return TestPostgres.strings(database, sql);
    }

    @Override
    public void close() {
        server.close();
    }
}
