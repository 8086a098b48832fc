package io.mlcatalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.bench.DashboardAnswers.Query;
import io.mlcatalog.bench.DashboardAnswers.Shape;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code dashboard}: the same three dashboard queries against mlcatalog's GraphQL, PostGraphile 5's
 * GraphQL over the same database, and hand-written SQL through JDBC, with the same number of
 * connections, every answer checked against the answer all three agreed on first.
 */
final class DashboardBench {
    static final double GOAL_VS_POSTGRAPHILE = 1.0;
    static final double GOAL_MAX_OVERHEAD = 0.40;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final int TIMEOUT_MILLIS = 30_000;
    /** The sample size the lineage benchmark asks for, so that either benchmark can reuse the other's catalog. */
    private static final int SAMPLE_SIZE = 600;

    // ------------------------------------------------------------------ the queries, three ways each

    static final String OURS_RUNS = """
            { runs(first: 50) { edges { node { id name status startedAt params metrics
                codeVersion { repository commit } inputs { uri digest } outputs { uri digest }
                modelVersions { version model { name } } } } } }""";
    static final String PG_RUNS = """
            { allRuns(first: 50, orderBy: [SORT_AT_DESC, ROW_ID_DESC]) { nodes { rowId name status startedAt params metrics
                codeVersionByCodeVersionId { repository commitSha }
                lineageEdgesByToId(condition: {kind: "CONSUMED"}) { nodes { artifactByFromId { uri digest } } }
                lineageEdgesByFromId(condition: {kind: "PRODUCED"}) { nodes { artifactByToId { uri digest } } }
                modelVersionsByRunId { nodes { version modelByModelId { name } } } } } }""";
    static final String SQL_RUNS = """
            select coalesce(json_agg(json_build_object(
                'id', r.id, 'name', r.name, 'status', r.status, 'startedAt', r.started_at, 'params', r.params, 'metrics', r.metrics,
                'codeVersion', case when cv.id is null then null else json_build_object('repository', cv.repository, 'commit', cv.commit_sha) end,
                'inputs', (select coalesce(json_agg(json_build_object('uri', a.uri, 'digest', a.digest) order by a.uri, a.created_at), '[]'::json)
                           from lineage_edge e join artifact a on a.id = e.from_id where e.to_id = r.id and e.kind = 'CONSUMED'),
                'outputs', (select coalesce(json_agg(json_build_object('uri', a.uri, 'digest', a.digest) order by a.uri, a.created_at), '[]'::json)
                            from lineage_edge e join artifact a on a.id = e.to_id where e.from_id = r.id and e.kind = 'PRODUCED'),
                'modelVersions', (select coalesce(json_agg(json_build_object('version', v.version, 'model', json_build_object('name', m.name))
                                                           order by v.created_at desc, v.id desc), '[]'::json)
                                  from model_version v join model m on m.id = v.model_id where v.run_id = r.id)
              ) order by r.sort_at desc, r.id desc), '[]'::json)
            from (select * from run order by sort_at desc, id desc limit 50) r
            left join code_version cv on cv.id = r.code_version_id""";

    static final String OURS_MODEL = """
            query($ns: String, $name: String!) { model(namespace: $ns, name: $name) { id namespace name
                versions(first: 20) { edges { node { id version createdAt } } }
                aliases { name since modelVersion { version } } } }""";
    static final String PG_MODEL = """
            query($ns: String!, $name: String!) { modelByNamespaceAndName(namespace: $ns, name: $name) { rowId namespace name
                modelVersionsByModelId(first: 20, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes { rowId version createdAt } }
                aliasesByModelId(condition: {until: null}, orderBy: NAME_ASC) { nodes { name since modelVersionByModelVersionId { version } } } } }""";
    static final String SQL_MODEL = """
            select json_build_object('id', m.id, 'namespace', m.namespace, 'name', m.name,
                'versions', (select coalesce(json_agg(json_build_object('id', v.id, 'version', v.version, 'createdAt', v.created_at)
                                                      order by v.created_at desc, v.id desc), '[]'::json)
                             from (select * from model_version v where v.model_id = m.id order by v.created_at desc, v.id desc limit 20) v),
                'aliases', (select coalesce(json_agg(json_build_object('name', a.name, 'version', v.version, 'since', a.since) order by a.name), '[]'::json)
                            from alias a join model_version v on v.id = a.model_version_id
                            where a.model_id = m.id and a.since <= now() and (a.until is null or a.until > now())))
            from model m where m.namespace = ? and m.name = ?""";

    static final String OURS_DEPLOYMENTS = """
            query($at: DateTime) { deployments(filter: {activeAt: $at}, first: 50) { edges { node { id environment target status startedAt endedAt
                modelVersion { version model { name } } } } } }""";
    static final String PG_DEPLOYMENTS = """
            query($at: Datetime!) { allDeployments(first: 50, orderBy: [STARTED_AT_DESC, ROW_ID_DESC],
                filter: {startedAt: {lessThanOrEqualTo: $at}, or: [{endedAt: {isNull: true}}, {endedAt: {greaterThan: $at}}]}) {
                nodes { rowId environment target status startedAt endedAt modelVersionByModelVersionId { version modelByModelId { name } } } } }""";
    static final String SQL_DEPLOYMENTS = """
            select coalesce(json_agg(json_build_object('id', d.id, 'environment', d.environment, 'target', d.target, 'status', d.status,
                'startedAt', d.started_at, 'endedAt', d.ended_at, 'version', v.version, 'model', m.name) order by d.started_at desc, d.id desc), '[]'::json)
            from (select * from deployment d where d.started_at <= ? and (d.ended_at is null or d.ended_at > ?)
                  order by d.started_at desc, d.id desc limit 50) d
            join model_version v on v.id = d.model_version_id join model m on m.id = v.model_id""";

    /** The systems compared: the two GraphQL APIs and the SQL under them. */
    enum Api {
        MLCATALOG("mlcatalog GraphQL", Shape.MLCATALOG),
        POSTGRAPHILE("PostGraphile 5 GraphQL", Shape.POSTGRAPHILE),
        SQL("hand-written SQL (JDBC)", Shape.SQL);

        final String title;
        final Shape shape;

        Api(String title, Shape shape) {
            this.title = title;
            this.shape = shape;
        }
    }

    /** The command line of {@code dashboard}. */
    static final class Options {
        Path jar;
        Path dataDir;
        boolean keepDataDir;
        long seed = 42;
        double scale = 1.0;
        int connections = 2;
        double warmupSeconds = 10;
        double measureSeconds = 30;
        int models = 100;
        int instants = 100;
        List<String> jvmOptions = List.of();
        Path postgraphileDir;
        String node;
        boolean npmCi = true;
        double waitQuietSeconds = 60;
        int attempts = 3;
        /** What is measured (all by default; fewer to look into one, which leaves the ratios out). */
        java.util.Set<Query> queries = java.util.EnumSet.allOf(Query.class);
        java.util.Set<Api> systems = java.util.EnumSet.allOf(Api.class);
    }

    /** One request of a query: its variables for each GraphQL, its arguments for the SQL. */
    record Param(String label, String oursVariables, String pgVariables, Object[] sqlArgs) {
    }

    /** What every system answered to one param, agreed on before the load: the text and each system's exact bytes. */
    record Agreed(String normalized, Map<Api, byte[]> bytes) {
    }

    /** A measured window of one system on one query. */
    record Window(Query query, Api system, long ok, long failed, long slowChecks, double seconds, Histogram latency, double appCpuMs,
                  double postgresCpuMs, double clientCpuMs, double others, double statementsPerRequest, List<String> failures) {
        double rps() {
            return ok / seconds;
        }

        /** CPU a request took in all: the server (or, for SQL, this JVM, which is also the client), PostgreSQL and the client. */
        double totalCpuMs() {
            return appCpuMs + postgresCpuMs + (system == Api.SQL ? 0 : clientCpuMs);
        }

        double p(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private final Options o;
    private final Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    private volatile ServerProcess server;
    private volatile Process postgraphile;
    private final List<String> postgraphileOutput = Collections.synchronizedList(new ArrayList<>());

    DashboardBench(Options options) {
        this.o = options;
    }

    int run() throws Exception {
        boolean temporary = o.dataDir == null;
        Path dataDir = temporary ? Files.createTempDirectory("mlcatalog-dashboard-bench-") : o.dataDir;
        ZonedDateTime started = ZonedDateTime.now();
        say("mlcatalog benchmark: dashboard   (" + started.format(DateTimeFormatter.RFC_1123_DATE_TIME) + ")");
        say("  jar       " + o.jar);
        say("  data dir  " + dataDir + (temporary && !o.keepDataDir ? " (removed at the end)" : " (kept)"));
        say("  machine   " + Proc.machine());
        say("  load avg  " + Proc.loadAverage());
        Thread hook = new Thread(this::stopAll, "stop-servers");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Path pglDir = postgraphileDir();
            String node = prepareNode(pglDir);
            LineageBench.Generated generated = LineageBench.generateOrReuse(javaBin, o.jar, dataDir, o.seed, o.scale, SAMPLE_SIZE,
                    o.waitQuietSeconds);
            JsonNode sample = new ObjectMapper().readTree(dataDir.resolve(LineageBench.SAMPLE).toFile());

            Quiet.waitQuiet(o.waitQuietSeconds);
            server = ServerProcess.launch(javaBin, o.jvmOptions, o.jar, List.of("serve", "--data-dir", dataDir.toString()));
            double ready = server.awaitReady(START_TIMEOUT, 50) / 1e9;
            say(String.format(Locale.ROOT, "mlcatalog ready in %.1f s (pid %d, JVM options: %s, its defaults otherwise: limits on, access control "
                    + "off on loopback)", ready, server.pid(), o.jvmOptions.isEmpty() ? "none" : String.join(" ", o.jvmOptions)));
            int pgPort = LineageBench.postgresPort(dataDir);
            int pglPort = ServerProcess.freePort();
            long p0 = System.nanoTime();
            startPostGraphile(node, pglDir, pgPort, pglPort);
            say(String.format(Locale.ROOT, "PostGraphile %s ready in %.1f s (pid %d, %s, amber preset + connection filter, NODE_ENV=production)",
                    postgraphileVersion(pglDir), (System.nanoTime() - p0) / 1e9, postgraphile.pid(), Proc.run(List.of(node, "--version")).strip()));

            String jdbc = "jdbc:postgresql://localhost:" + pgPort + "/postgres";
            Map<Query, List<Param>> params = params(jdbc, sample);
            List<Connection> sqlConnections = new ArrayList<>();
            for (int i = 0; i < o.connections; i++) {
                sqlConnections.add(DriverManager.getConnection(jdbc, "postgres", ""));
            }
            try {
                Map<Query, List<Agreed>> agreed = agree(params, pglPort, sqlConnections.get(0));
                List<Window> windows = new ArrayList<>();
                for (Query q : o.queries) {
                    for (Api s : o.systems) {
                        windows.add(measure(q, s, params.get(q), agreed.get(q), pglPort, sqlConnections, dataDir));
                    }
                }
                stopAll();
                return print(started, generated, params, agreed, windows);
            } finally {
                for (Connection c : sqlConnections) {
                    c.close();
                }
            }
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(hook);
            if (temporary && !o.keepDataDir) {
                Proc.deleteTree(dataDir);
            }
        }
    }

    // ------------------------------------------------------------------ PostGraphile

    private Path postgraphileDir() {
        if (o.postgraphileDir != null) {
            return o.postgraphileDir;
        }
        // the jar is <checkout>/core/dist/target/mlcatalog.jar; PostGraphile's package is <checkout>/core/bench/postgraphile
        Path dir = o.jar.getParent().getParent().getParent().resolve("bench").resolve("postgraphile");
        if (!Files.isRegularFile(dir.resolve("package-lock.json"))) {
            throw new BenchException("no PostGraphile package at " + dir + "; pass --postgraphile-dir (core/bench/postgraphile of a checkout)");
        }
        return dir;
    }

    /** Installs PostGraphile's pinned packages (npm ci) if they are not there; returns the node to run it with. */
    private String prepareNode(Path dir) throws IOException, InterruptedException {
        if (!Files.isDirectory(dir.resolve("node_modules/postgraphile"))) {
            if (!o.npmCi) {
                throw new BenchException("PostGraphile is not installed in " + dir + ": npm ci --prefix " + dir);
            }
            say("");
            say("installing PostGraphile's pinned packages: npm ci --prefix " + dir);
            Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--prefix", dir.toString()).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (!line.contains("EBADENGINE")) {
                        say("  | " + line);
                    }
                }
            }
            if (p.waitFor() != 0) {
                throw new BenchException("npm ci failed in " + dir);
            }
        }
        if (o.node != null) {
            return o.node;
        }
        // the package pins Node 22 (PostGraphile 5 needs 22 or later); npm puts it in node_modules/.bin
        Path pinned = dir.resolve("node_modules/.bin/node");
        return Files.isExecutable(pinned) ? pinned.toString() : "node";
    }

    private static String postgraphileVersion(Path dir) {
        try {
            return new ObjectMapper().readTree(dir.resolve("node_modules/postgraphile/package.json").toFile()).path("version").asText();
        } catch (IOException e) {
            return "?";
        }
    }

    private void startPostGraphile(String node, Path dir, int pgPort, int port) throws IOException {
        ProcessBuilder b = new ProcessBuilder(node, "server.mjs", "--connection", "postgres://postgres@localhost:" + pgPort + "/postgres",
                "--host", ServerProcess.HOST, "--port", Integer.toString(port)).directory(dir.toFile()).redirectErrorStream(true);
        b.environment().put("NODE_ENV", "production");
        b.environment().put("GRAPHILE_ENV", "production");
        postgraphile = b.start();
        Process p = postgraphile;
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    postgraphileOutput.add(line);
                }
            } catch (IOException ignored) {
                // it exited
            }
        }, "postgraphile-output");
        drain.setDaemon(true);
        drain.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new BenchException("PostGraphile exited (code " + p.exitValue() + "); its output:\n" + String.join("\n", postgraphileOutput));
            }
            if (HttpConnection.probe(ServerProcess.HOST, port, "/graphql", 2000) > 0) {
                return;
            }
            ServerProcess.sleep(100);
        }
        throw new BenchException("PostGraphile did not listen within " + START_TIMEOUT.toSeconds() + " s; its output:\n"
                + String.join("\n", postgraphileOutput));
    }

    private void stopAll() {
        ServerProcess s = server;
        if (s != null) {
            server = null;
            s.close();
        }
        Process p = postgraphile;
        if (p != null) {
            postgraphile = null;
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ what is asked

    /** The runs page (one request), models picked from the catalog, instants from the sample (inside known deployments). */
    private Map<Query, List<Param>> params(String jdbc, JsonNode sample) throws SQLException {
        Map<Query, List<Param>> params = new EnumMap<>(Query.class);
        params.put(Query.RUNS, List.of(new Param("latest 50", "{}", "{}", new Object[0])));
        List<Param> models = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement st = c.prepareStatement("select namespace, name from model order by id limit ?")) {
            st.setInt(1, o.models);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String ns = rs.getString(1);
                    String name = rs.getString(2);
                    String vars = "{\"ns\":" + RequestList.quote(ns) + ",\"name\":" + RequestList.quote(name) + "}";
                    models.add(new Param(ns + "/" + name, vars, vars, new Object[]{ns, name}));
                }
            }
        }
        params.put(Query.MODEL, models);
        List<Param> instants = new ArrayList<>();
        for (JsonNode t : sample.path("explain")) {
            if (instants.size() >= o.instants) {
                break;
            }
            String at = t.path("at").asText();
            OffsetDateTime odt = OffsetDateTime.parse(at);
            String vars = "{\"at\":" + RequestList.quote(at) + "}";
            instants.add(new Param(at, vars, vars, new Object[]{odt, odt}));
        }
        params.put(Query.DEPLOYMENTS, instants);
        return params;
    }

    private static String graphql(Query q, Api s) {
        return switch (q) {
            case RUNS -> s == Api.MLCATALOG ? OURS_RUNS : PG_RUNS;
            case MODEL -> s == Api.MLCATALOG ? OURS_MODEL : PG_MODEL;
            case DEPLOYMENTS -> s == Api.MLCATALOG ? OURS_DEPLOYMENTS : PG_DEPLOYMENTS;
        };
    }

    private static String sql(Query q) {
        return switch (q) {
            case RUNS -> SQL_RUNS;
            case MODEL -> SQL_MODEL;
            case DEPLOYMENTS -> SQL_DEPLOYMENTS;
        };
    }

    /** The HTTP request of a param, ready to write. */
    private static byte[] httpRequest(Query q, Api s, Param p, int port) {
        String body = "{\"query\":" + RequestList.quote(graphql(q, s)) + ",\"variables\":"
                + (s == Api.MLCATALOG ? p.oursVariables() : p.pgVariables()) + "}";
        String path = "/graphql";
        return HttpConnection.request("POST", ServerProcess.HOST, port, path, "application/json", body.getBytes(StandardCharsets.UTF_8), true);
    }

    // ------------------------------------------------------------------ one client of one system

    /** A connection to one system: asks a param, leaves the answer's bytes in {@link #body}. */
    private abstract static class Client implements AutoCloseable {
        byte[] body = new byte[0];
        int length;

        /** Sends the request of param i and reads the whole answer; null when it came, else what went wrong. */
        abstract String ask(int i) throws Exception;

        @Override
        public void close() {
        }
    }

    private static final class HttpClient extends Client {
        private final int port;
        private final byte[][] requests;
        private HttpConnection http;

        HttpClient(int port, byte[][] requests) {
            this.port = port;
            this.requests = requests;
        }

        @Override
        String ask(int i) throws IOException {
            if (http == null) {
                http = new HttpConnection(ServerProcess.HOST, port, TIMEOUT_MILLIS);
            }
            int status;
            try {
                status = http.exchange(requests[i]);
            } catch (IOException e) {
                close();
                throw e;
            }
            body = http.body();
            length = http.bodyLength();
            if (http.closeRequested()) {
                close();
            }
            return status == 200 ? null : "HTTP " + status + ": " + RunsPage.excerpt(body, length);
        }

        @Override
        public void close() {
            if (http != null) {
                http.close();
                http = null;
            }
        }
    }

    /** Hand-written SQL: one prepared statement per query on one JDBC connection, its answer one JSON value. */
    private static final class SqlClient extends Client {
        private final PreparedStatement statement;
        private final List<Param> params;

        SqlClient(Connection c, Query q, List<Param> params) throws SQLException {
            this.statement = c.prepareStatement(sql(q));
            this.params = params;
        }

        @Override
        String ask(int i) throws SQLException {
            Object[] args = params.get(i).sqlArgs();
            for (int a = 0; a < args.length; a++) {
                statement.setObject(a + 1, args[a]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return "no row";
                }
                String json = rs.getString(1);
                body = json == null ? "null".getBytes(StandardCharsets.UTF_8) : json.getBytes(StandardCharsets.UTF_8);
                length = body.length;
                return null;
            }
        }

        @Override
        public void close() {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    private Client client(Query q, Api s, List<Param> params, int pglPort, Connection sqlConnection) throws SQLException {
        if (s == Api.SQL) {
            return new SqlClient(sqlConnection, q, params);
        }
        int port = s == Api.MLCATALOG ? server.port() : pglPort;
        byte[][] requests = new byte[params.size()][];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = httpRequest(q, s, params.get(i), port);
        }
        return new HttpClient(port, requests);
    }

    // ------------------------------------------------------------------ agreeing on the answers

    /**
     * Asks every param of every query of the three systems once and requires the same data from all three;
     * a difference ends the benchmark. What they agreed on is what every answer of the load is checked against.
     */
    private Map<Query, List<Agreed>> agree(Map<Query, List<Param>> params, int pglPort, Connection sqlConnection) throws Exception {
        say("");
        say("checking that the three systems give the same answers (every param of every query, once each) ...");
        Map<Query, List<Agreed>> agreed = new EnumMap<>(Query.class);
        for (Query q : Query.values()) {
            List<Param> ps = params.get(q);
            List<Agreed> list = new ArrayList<>();
            Map<Api, Client> clients = new EnumMap<>(Api.class);
            for (Api s : Api.values()) {
                clients.put(s, client(q, s, ps, pglPort, sqlConnection));
            }
            try {
                int lines = 0;
                int empty = 0;
                for (int i = 0; i < ps.size(); i++) {
                    String expected = null;
                    Api first = null;
                    Map<Api, byte[]> bytes = new EnumMap<>(Api.class);
                    for (Api s : Api.values()) {
                        Client c = clients.get(s);
                        String problem = c.ask(i);
                        if (problem != null) {
                            throw new BenchException(s.title + ", " + q.title + " (" + ps.get(i).label() + "): " + problem);
                        }
                        String normalized;
                        try {
                            normalized = DashboardAnswers.normalize(q, s.shape, c.body, c.length);
                        } catch (IllegalArgumentException e) {
                            throw new BenchException(s.title + ", " + q.title + " (" + ps.get(i).label() + "): " + e.getMessage());
                        }
                        bytes.put(s, Arrays.copyOf(c.body, c.length));
                        if (expected == null) {
                            expected = normalized;
                            first = s;
                        } else if (!expected.equals(normalized)) {
                            throw new BenchException("the answers differ: " + q.title + " (" + ps.get(i).label() + "), " + s.title + " against "
                                    + first.title + ", " + DashboardAnswers.firstDifference(expected, normalized));
                        }
                    }
                    long n = expected.lines().count();
                    lines += n;
                    if (q != Query.MODEL && n == 0 || q == Query.MODEL && n <= 1) {
                        empty++;
                    }
                    list.add(new Agreed(expected, bytes));
                }
                say(String.format(Locale.ROOT, "  %s: %d requests, the same data from all three (%s)", q.title, ps.size(), switch (q) {
                    case RUNS -> lines + " runs";
                    case MODEL -> String.format(Locale.ROOT, "%.1f lines a model on average: the model, its versions, its aliases", lines / (double) ps.size());
                    case DEPLOYMENTS -> String.format(Locale.ROOT, "%.1f deployments an instant on average, %d instants with none", lines / (double) ps.size(), empty);
                }));
                if (empty == ps.size()) {
                    throw new BenchException(q.title + ": every answer is empty; nothing would be measured");
                }
            } finally {
                clients.values().forEach(Client::close);
            }
            agreed.put(q, list);
        }
        return agreed;
    }

    // ------------------------------------------------------------------ the load

    /** Measures a system on a query, again (up to --attempts in all) while other processes disturbed it; the quietest counts. */
    private Window measure(Query q, Api s, List<Param> params, List<Agreed> agreed, int pglPort, List<Connection> sqlConnections,
                           Path dataDir) throws Exception {
        say("");
        say(q.title + " -- " + s.title + ": " + o.connections + " connections, " + fmt(o.warmupSeconds) + " s warm-up, " + fmt(o.measureSeconds)
                + " s measured, " + params.size() + " different request" + (params.size() == 1 ? "" : "s") + " in turn");
        Window best = null;
        for (int attempt = 1; attempt <= o.attempts; attempt++) {
            Window w = window(q, s, params, agreed, pglPort, sqlConnections, dataDir);
            say(String.format(Locale.ROOT, "  %.1f req/s; p50 %.2f ms, p99 %.2f ms; %d answers, %d failed%s; CPU per request: %s %.2f ms, PostgreSQL %.2f ms%s; "
                            + "other processes %.2f cores%s", w.rps(), w.p(50), w.p(99), w.ok() + w.failed(), w.failed(),
                    w.slowChecks() > 0 ? " (" + w.slowChecks() + " checked by their data, not their bytes)" : "",
                    appName(s), w.appCpuMs(), w.postgresCpuMs(),
                    s == Api.MLCATALOG ? String.format(Locale.ROOT, "; %.1f SQL statements per request", w.statementsPerRequest()) : "",
                    w.others(), w.others() > Report.NOISE ? "  (NOISY)" : ""));
            w.failures().forEach(f -> say("    failure: " + f));
            if (best == null || !(w.others() >= best.others())) {
                best = w;
            }
            if (!(w.others() > Report.NOISE) || w.failed() > 0) {
                break;
            }
            if (attempt < o.attempts) {
                say("  other processes took more than " + Report.NOISE + " cores: measuring again");
            }
        }
        return best;
    }

    private static String appName(Api s) {
        return switch (s) {
            case MLCATALOG -> "server JVM";
            case POSTGRAPHILE -> "node";
            case SQL -> "this JVM (client and JDBC)";
        };
    }

    private Window window(Query q, Api s, List<Param> params, List<Agreed> agreed, int pglPort, List<Connection> sqlConnections,
                          Path dataDir) throws Exception {
        Quiet.waitQuiet(o.waitQuietSeconds);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < o.connections; i++) {
            clients.add(client(q, s, params, pglPort, sqlConnections.get(i)));
        }
        List<ProcessHandle> app = switch (s) {
            case MLCATALOG -> List.of(ProcessHandle.of(server.pid()).orElseThrow());
            case POSTGRAPHILE -> List.of(ProcessHandle.of(postgraphile.pid()).orElseThrow());
            case SQL -> List.of(ProcessHandle.current());
        };
        List<ProcessHandle> self = List.of(ProcessHandle.current());
        long begin = System.nanoTime();
        long windowStart = begin + (long) (o.warmupSeconds * 1e9);
        long windowEnd = windowStart + (long) (o.measureSeconds * 1e9);
        long[] cpu = new long[8];
        Proc.MachineCpu[] machine = new Proc.MachineCpu[2];
        Thread clock = new Thread(() -> {
            sleepUntil(windowStart);
            machine[0] = Proc.machineCpu();
            cpu[0] = Proc.cpuNanos(app);
            cpu[1] = Proc.cpuNanos(Proc.postgres(dataDir));
            cpu[2] = Proc.cpuNanos(self);
            cpu[3] = s == Api.MLCATALOG ? statements() : 0;
            sleepUntil(windowEnd);
            machine[1] = Proc.machineCpu();
            cpu[4] = Proc.cpuNanos(app);
            cpu[5] = Proc.cpuNanos(Proc.postgres(dataDir));
            cpu[6] = Proc.cpuNanos(self);
            cpu[7] = s == Api.MLCATALOG ? statements() : 0;
        }, "window-clock");
        clock.start();
        Histogram latency = new Histogram(1, 600_000_000L, 3);
        long[] counts = new long[3]; // ok, failed, checked by data
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(clients.size());
        for (int t = 0; t < clients.size(); t++) {
            Client c = clients.get(t);
            int offset = t * Math.max(1, params.size() / clients.size());
            Thread thread = new Thread(() -> {
                Histogram mine = new Histogram(1, 600_000_000L, 3);
                long ok = 0, failed = 0, slow = 0;
                try {
                    for (int k = offset; ; k++) {
                        long t0 = System.nanoTime();
                        if (t0 >= windowEnd) {
                            break;
                        }
                        int i = k % params.size();
                        String problem;
                        long t1;
                        boolean bySlowCheck = false;
                        try {
                            problem = c.ask(i);
                            t1 = System.nanoTime();
                            if (problem == null) {
                                Agreed a = agreed.get(i);
                                byte[] exact = a.bytes().get(s);
                                if (!Arrays.equals(c.body, 0, c.length, exact, 0, exact.length)) {
                                    bySlowCheck = true;
                                    problem = check(q, s, a, c);
                                }
                            }
                        } catch (Exception e) {
                            t1 = System.nanoTime();
                            problem = e.toString();
                            ServerProcess.sleep(10);
                        }
                        boolean measured = t1 >= windowStart && t1 < windowEnd;
                        if (problem != null) {
                            failed++; // during the warm-up too: a wrong answer is wrong whenever it comes
                            if (failures.size() < 5) {
                                failures.add(params.get(i).label() + ": " + problem);
                            }
                        } else if (measured) {
                            ok++;
                            mine.recordValue(Math.max(1, (t1 - t0) / 1000));
                            if (bySlowCheck) {
                                slow++;
                            }
                        }
                    }
                } finally {
                    c.close();
                    synchronized (latency) {
                        latency.add(mine);
                        counts[0] += ok;
                        counts[1] += failed;
                        counts[2] += slow;
                    }
                    done.countDown();
                }
            }, "dashboard-client-" + t);
            thread.start();
        }
        done.await();
        clock.join();
        double seconds = o.measureSeconds;
        long requests = Math.max(1, counts[0]);
        long appCpu = cpu[4] - cpu[0];
        long pgCpu = cpu[5] - cpu[1];
        long selfCpu = cpu[6] - cpu[2];
        long ours = pgCpu + selfCpu + (s == Api.SQL ? 0 : appCpu);
        double others = machine[0] == null || machine[1] == null ? Double.NaN
                : Math.max(0, machine[1].coresBusySince(machine[0], Runtime.getRuntime().availableProcessors()) - ours / 1e9 / seconds);
        return new Window(q, s, counts[0], counts[1], counts[2], seconds, latency, appCpu / 1e6 / requests, pgCpu / 1e6 / requests,
                selfCpu / 1e6 / requests, others, (cpu[7] - cpu[3]) / (double) requests, new ArrayList<>(failures));
    }

    /** An answer whose bytes differ from the agreed ones: right if its data is the same. */
    private static String check(Query q, Api s, Agreed a, Client c) {
        try {
            String n = DashboardAnswers.normalize(q, s.shape, c.body, c.length);
            return n.equals(a.normalized()) ? null : "another answer than agreed: " + DashboardAnswers.firstDifference(a.normalized(), n);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** mlcatalog's count of SQL statements sent so far, from /metrics. */
    private long statements() {
        try (HttpConnection c = new HttpConnection(ServerProcess.HOST, server.port(), TIMEOUT_MILLIS)) {
            c.exchange(HttpConnection.request("GET", ServerProcess.HOST, server.port(), "/metrics", null, null, false));
            for (String line : c.bodyText().split("\n")) {
                if (line.startsWith("mlcatalog_sql_statements_seconds_count")) {
                    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (IOException | RuntimeException e) {
            // below
        }
        return 0;
    }

    // ------------------------------------------------------------------ the report

    private int print(ZonedDateTime started, LineageBench.Generated generated, Map<Query, List<Param>> params, Map<Query, List<Agreed>> agreed,
                      List<Window> windows) {
        say("");
        say("== Summary: dashboard ==");
        say("started " + started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceFirst("\\.\\d+", "") + " on " + Proc.machine());
        say("catalog: seed " + o.seed + ", scale " + o.scale + (generated.now() ? String.format(Locale.ROOT, "; generated in %.1f s", generated.seconds())
                : "; reused (generated earlier)") + "; one PostgreSQL (the embedded one of `serve`) for all three");
        say("mlcatalog: java " + (o.jvmOptions.isEmpty() ? "" : String.join(" ", o.jvmOptions) + " ") + "-jar " + o.jar.getFileName()
                + " serve (defaults: limits on, access control off on loopback); PostGraphile: node server.mjs (amber preset, connection filter, "
                + "NODE_ENV=production); SQL: one prepared statement per request over JDBC");
        say("load: " + o.connections + " connections per system, closed loop, " + fmt(o.warmupSeconds) + " s warm-up + " + fmt(o.measureSeconds)
                + " s measured per query and system; every answer checked against the one all three systems agreed on");
        say("");
        say("| query | system | req/s | p50 | p99 | CPU per request: app / PostgreSQL / client | SQL statements per request | answers checked (failed) "
                + "| others |");
        say("|---|---|---:|---:|---:|---|---:|---|---:|");
        boolean noisy = false;
        long failed = 0;
        for (Window w : windows) {
            noisy |= w.others() > Report.NOISE;
            failed += w.failed();
            say(String.format(Locale.ROOT, "| %s | %s | %.1f | %.2f ms | %.2f ms | %.2f / %.2f / %s ms | %s | %,d (%d) | %.2f |", w.query().title,
                    w.system().title, w.rps(), w.p(50), w.p(99), w.appCpuMs(), w.postgresCpuMs(),
                    w.system() == Api.SQL ? "(same JVM)" : String.format(Locale.ROOT, "%.2f", w.clientCpuMs()),
                    w.system() == Api.MLCATALOG ? String.format(Locale.ROOT, "%.1f", w.statementsPerRequest()) : (w.system() == Api.SQL ? "1" : "–"),
                    w.ok() + w.failed(), w.failed(), w.others()));
        }
        say("");
        if (!o.queries.containsAll(List.of(Query.values())) || !o.systems.containsAll(List.of(Api.values()))) {
            say("");
            say("(not every query and system was measured: no ratios)");
            say(failed == 0 ? "all answers were checked and right" : "NOT VALID: " + failed + " answers failed (see above)");
            return failed == 0 ? 0 : 1;
        }
        say("| query | mlcatalog / PostGraphile | mlcatalog / SQL | GraphQL overhead (1 − mlcatalog / SQL) | PostGraphile / SQL "
                + "| by CPU per request: mlcatalog / PostGraphile, mlcatalog / SQL |");
        say("|---|---:|---:|---:|---:|---|");
        double logVsPg = 0;
        double logVsSql = 0;
        double logPgVsSql = 0;
        double logCpuVsPg = 0;
        double logCpuVsSql = 0;
        for (Query q : Query.values()) {
            Window ours = find(windows, q, Api.MLCATALOG);
            Window pg = find(windows, q, Api.POSTGRAPHILE);
            Window sql = find(windows, q, Api.SQL);
            double vsPg = ours.rps() / pg.rps();
            double vsSql = ours.rps() / sql.rps();
            double pgVsSql = pg.rps() / sql.rps();
            logVsPg += Math.log(vsPg);
            logVsSql += Math.log(vsSql);
            logPgVsSql += Math.log(pgVsSql);
            say(String.format(Locale.ROOT, "| %s | %.2f× | %.2f× | %.0f %% | %.2f× | %.2f×, %.2f× |", q.title, vsPg, vsSql, 100 * (1 - vsSql), pgVsSql,
                    pg.totalCpuMs() / ours.totalCpuMs(), sql.totalCpuMs() / ours.totalCpuMs()));
            logCpuVsPg += Math.log(pg.totalCpuMs() / ours.totalCpuMs());
            logCpuVsSql += Math.log(sql.totalCpuMs() / ours.totalCpuMs());
        }
        int n = Query.values().length;
        double vsPg = Math.exp(logVsPg / n);
        double vsSql = Math.exp(logVsSql / n);
        say(String.format(Locale.ROOT, "| **overall** (geometric mean of the three) | **%.2f×** | **%.2f×** | **%.0f %%** | %.2f× | %.2f×, %.2f× |",
                vsPg, vsSql, 100 * (1 - vsSql), Math.exp(logPgVsSql / n), Math.exp(logCpuVsPg / n), Math.exp(logCpuVsSql / n)));
        say("(by CPU per request: the inverse ratio of the CPU a request took in all, server, PostgreSQL and client; what the throughput "
                + "ratio would be if the systems were bound by the 2 cores alone, and less disturbed by other processes than throughput)");
        say("");
        say(String.format(Locale.ROOT, "goal: mlcatalog ≥ %.1f× PostGraphile overall: %.2f×, %s", GOAL_VS_POSTGRAPHILE, vsPg,
                vsPg >= GOAL_VS_POSTGRAPHILE ? "met" : "MISSED"));
        say(String.format(Locale.ROOT, "goal: GraphQL overhead ≤ %.0f %% of raw SQL throughput overall: %.0f %%, %s", 100 * GOAL_MAX_OVERHEAD,
                100 * (1 - vsSql), 1 - vsSql <= GOAL_MAX_OVERHEAD ? "met" : "MISSED"));
        say(noisy ? "NOISY: other processes took more than " + Report.NOISE + " cores during a measurement; re-run on a quiet machine"
                : "other processes took at most " + Report.NOISE + " cores during every measurement (quiet)");
        say(failed == 0 ? "all answers were checked and right" : "NOT VALID: " + failed + " answers failed (see above)");
        return failed == 0 ? 0 : 1;
    }

    private static Window find(List<Window> windows, Query q, Api s) {
        return windows.stream().filter(w -> w.query() == q && w.system() == s).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------ helpers

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            ServerProcess.sleep(Math.max(1, left / 1_000_000));
        }
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }

    static void say(String line) {
        ServeBench.say(line);
    }
}
