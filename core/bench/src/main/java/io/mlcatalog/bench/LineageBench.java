package io.mlcatalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code lineage}: lineage walks, {@code explain} and {@code blastRadius} over HTTP on a generated
 * catalog of about a million lineage edges, against their goals and against the floor of the same walks
 * done in memory; and the plans of every statement a walk sends, checked for index use.
 */
final class LineageBench {
    static final double GOAL_LINEAGE_P99_MS = 100;
    static final double GOAL_EXPLAIN_P99_MS = 50;
    static final double GOAL_BLAST_P99_MS = 200;
    static final String SAMPLE = "lineage-sample.json";
    /** The most read datasets whose blast radius is measured; the next ones in the sample warm the server up. */
    static final int BLAST_DATASETS = 20;
    static final String GENERATE_LOG = "lineage-generate.log";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private static final String LINEAGE = """
            query($id: ID!, $dir: LineageDirection!, $depth: Int!) {
              lineage(from: $id, direction: $dir, depth: $depth) {
                nodes { ... on Node { id } } edges { from to kind } truncated depthReached } }""";
    private static final String EXPLAIN = """
            query($ns: String, $env: String!, $target: String!, $at: DateTime) {
              explain(namespace: $ns, environment: $env, target: $target, at: $at) {
                deployment { id environment target startedAt endedAt } modelVersion { id version } aliasesAtTime
                run { id name params metrics } codeVersion { repository commit } inputs { id uri digest }
                upstream { nodes { ... on Node { id } } edges { from to kind } truncated depthReached } } }""";
    private static final String BLAST = """
            query($id: ID!) { blastRadius(from: $id) { modelVersions { id } deployments { id } truncated } }""";

    /** The command line of {@code lineage}. */
    static final class Options {
        Path jar;
        Path dataDir;
        boolean keepDataDir;
        long seed = 42;
        double scale = 1.0;
        int roots = 300;
        int blastRepeats = 3;
        int connections = 2;
        List<String> jvmOptions = List.of();
        double waitQuietSeconds = 60;
        int attempts = 3;
    }

    private final Options o;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private volatile ServerProcess current;

    LineageBench(Options options) {
        this.o = options;
    }

    /** One measured query kind: the HTTP figures, the floor's, and the CPU others took meanwhile. */
    record Measured(String name, double goal, RequestList.Result http, Floor floor, double others, double serverCpuMs, double postgresCpuMs) {
    }

    /** The in-memory walks of the same roots: latencies and what they found. */
    record Floor(Histogram latency, List<EdgeGraph.Walk> walks) {
        double p(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    int run() throws Exception {
        boolean temporary = o.dataDir == null;
        Path dataDir = temporary ? Files.createTempDirectory("mlcatalog-lineage-bench-") : o.dataDir;
        ZonedDateTime started = ZonedDateTime.now();
        say("mlcatalog benchmark: lineage   (" + started.format(DateTimeFormatter.RFC_1123_DATE_TIME) + ")");
        say("  jar       " + o.jar);
        say("  data dir  " + dataDir + (temporary && !o.keepDataDir ? " (removed at the end)" : " (kept)"));
        say("  machine   " + Proc.machine());
        say("  load avg  " + Proc.loadAverage());
        Thread hook = new Thread(() -> {
            ServerProcess s = current;
            if (s != null) {
                s.close();
            }
        }, "stop-server");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Generated generated = generateOrReuse(dataDir);
            JsonNode sample = new ObjectMapper().readTree(dataDir.resolve(SAMPLE).toFile());
            EngineSql sql = EngineSql.of(o.jar);
            say("");
            say(String.format(Locale.ROOT, "engine limits (from the jar): lineage perHopLimit default %d, at most %,d nodes, %.0f s; "
                            + "blastRadius %s, at most %,d nodes, %.0f s", sql.lineage().perHopLimit(),
                    sql.lineage().maxNodes(), sql.lineage().budgetSeconds(), sql.blast().perHopLimit() == Integer.MAX_VALUE ? "every edge of every node"
                            : String.format(Locale.ROOT, "%,d edges per node per hop", sql.blast().perHopLimit()), sql.blast().maxNodes(),
                    sql.blast().budgetSeconds()));
            Quiet.waitQuiet(o.waitQuietSeconds);
            ServerProcess server = ServerProcess.launch(java, o.jvmOptions, o.jar, List.of("serve", "--data-dir", dataDir.toString()));
            current = server;
            double ready = server.awaitReady(START_TIMEOUT, 50) / 1e9;
            say(String.format(Locale.ROOT, "server ready in %.1f s (pid %d, JVM options: %s)", ready, server.pid(),
                    o.jvmOptions.isEmpty() ? "none" : String.join(" ", o.jvmOptions)));
            int pgPort = postgresPort(dataDir);
            String jdbc = "jdbc:postgresql://localhost:" + pgPort + "/postgres";
            List<PlanCheck.Walk> plans;
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", "")) {
                plans = explainWalks(c, sql, sample);
            }
            List<Job> jobs = jobs(sample, sql);
            List<HttpFigures> http = measureHttp(server, dataDir, jobs);
            // the floor comes last: loading a million edges into this JVM must not disturb the client's timings
            say("");
            say("floor: reading every lineage edge into memory ...");
            EdgeGraph graph;
            double loadSeconds;
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", "")) {
                long t = System.nanoTime();
                graph = EdgeGraph.load(c);
                loadSeconds = (System.nanoTime() - t) / 1e9;
            }
            say(String.format(Locale.ROOT, "  %,d edges between %,d nodes read in %.1f s", graph.edges(), graph.nodes(), loadSeconds));
            List<Measured> measured = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                HttpFigures h = http.get(i);
                measured.add(new Measured(jobs.get(i).name(), jobs.get(i).goal(), h.http(), floor(jobs.get(i), graph), h.others(), h.serverCpuMs(),
                        h.postgresCpuMs()));
            }
            List<String> blastRows = blastBreakdown(measured.get(measured.size() - 1), sample, graph, sql);
            server.stop();
            current = null;
            boolean seqScan = plans.stream().anyMatch(PlanCheck.Walk::seqScan);
            long failed = measured.stream().mapToLong(m -> m.http().failed).sum();
            print(started, generated, graph, loadSeconds, measured, blastRows, plans, seqScan, failed);
            if (seqScan) {
                say("");
                say("FAILED: a plan reads the whole edge table (Seq Scan on lineage_edge); see the plans above");
            }
            return seqScan || failed > 0 ? 1 : 0;
        } finally {
            ServerProcess s = current;
            if (s != null) {
                s.close();
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            if (temporary && !o.keepDataDir) {
                Proc.deleteTree(dataDir);
            }
        }
    }

    // ------------------------------------------------------------------ the catalog

    /** How the catalog came to be: generated now (with the time it took) or found. */
    record Generated(boolean now, double seconds, List<String> output) {
    }

    private Generated generateOrReuse(Path dataDir) throws IOException, InterruptedException {
        return generateOrReuse(java, o.jar, dataDir, o.seed, o.scale, 2 * o.roots, o.waitQuietSeconds);
    }

    /**
     * The generated catalog in {@code dataDir}: reused when an earlier run left it there (its sample file
     * is the mark), else generated by the jar's {@code generate} command, with a sample of {@code sampleSize}
     * roots of each kind. Shared with the dashboard benchmark, which queries the same catalog.
     */
    static Generated generateOrReuse(Path java, Path jar, Path dataDir, long seed, double scale, int sampleSize, double waitQuietSeconds)
            throws IOException, InterruptedException {
        if (Files.isRegularFile(dataDir.resolve(SAMPLE))) {
            List<String> log = Files.isRegularFile(dataDir.resolve(GENERATE_LOG)) ? Files.readAllLines(dataDir.resolve(GENERATE_LOG)) : List.of();
            say("");
            say("reusing the catalog generated in " + dataDir + (log.isEmpty() ? "" : "; its generation said:"));
            log.forEach(l -> say("  | " + l));
            return new Generated(false, Double.NaN, log);
        }
        if (Files.isDirectory(dataDir)) {
            try (var entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new BenchException("--data-dir " + dataDir + " holds no " + SAMPLE + " (not a catalog this benchmark generated) "
                            + "and is not empty: give a new or empty directory, or one a previous run kept");
                }
            }
        }
        say("");
        say(String.format(Locale.ROOT, "generating the catalog: java -jar %s generate --seed %d --scale %s (this takes a few minutes)",
                jar.getFileName(), seed, scale));
        Quiet.waitQuiet(waitQuietSeconds);
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString(), "generate", "--data-dir", dataDir.toString(),
                "--seed", Long.toString(seed), "--scale", Double.toString(scale), "--sample", dataDir.resolve(SAMPLE).toString(),
                "--sample-size", Integer.toString(sampleSize)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("MLCATALOG_"));
        long start = System.nanoTime();
        Process p = builder.start();
        List<String> output = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                say("  | " + line);
                output.add(line);
            }
        }
        int code = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (code != 0) {
            throw new BenchException("mlcatalog generate failed (exit " + code + ")");
        }
        output.add(String.format(Locale.ROOT, "(the generate command took %.1f s from launch to exit)", seconds));
        Files.write(dataDir.resolve(GENERATE_LOG), output);
        return new Generated(true, seconds, output);
    }

    /** The embedded PostgreSQL's port: the fourth line of its postmaster.pid. */
    static int postgresPort(Path dataDir) throws IOException {
        List<String> lines = Files.readAllLines(dataDir.resolve("pg-data").resolve("postmaster.pid"));
        return Integer.parseInt(lines.get(3).strip());
    }

    // ------------------------------------------------------------------ EXPLAIN

    private List<PlanCheck.Walk> explainWalks(Connection c, EngineSql sql, JsonNode sample) throws SQLException {
        say("");
        say("EXPLAIN (ANALYZE, BUFFERS) of every statement of a walk, with the engine's own SQL (custom and generic plans):");
        PlanCheck check = new PlanCheck(c, sql);
        JsonNode triple = sample.path("explain").get(0);
        String popular = sample.path("popularDatasets").get(0).path("id").asText();
        List<PlanCheck.Walk> walks = List.of(
                check.walk("lineage UPSTREAM depth 10 from " + root(sample, "ModelVersion", 0), uuid(root(sample, "ModelVersion", 0)), true, null,
                        10, sql.lineage().perHopLimit(), sql.lineage().maxNodes()),
                check.walk("lineage DOWNSTREAM depth 10 from " + root(sample, "Run", 0), uuid(root(sample, "Run", 0)), false, null, 10,
                        sql.lineage().perHopLimit(), sql.lineage().maxNodes()),
                check.walk("explain's upstream walk (depth 3, as of " + triple.path("at").asText() + ") from " + triple.path("run").asText(),
                        uuid(triple.path("run").asText()), true, triple.path("at").asText(), 3, sql.lineage().perHopLimit(),
                        sql.lineage().maxNodes()),
                sql.downstreamReach() != null
                        ? check.reach("blastRadius's reachability walk (DOWNSTREAM depth 10, every edge) from the most read dataset " + popular,
                        uuid(popular), 10, sql.blast().maxNodes())
                        : check.walk("blastRadius's walk (DOWNSTREAM depth 10, " + sql.blast().perHopLimit() + " per hop) from the most read dataset "
                        + popular, uuid(popular), false, null, 10, sql.blast().perHopLimit(), sql.blast().maxNodes()));
        for (PlanCheck.Walk w : walks) {
            say("");
            PlanCheck.summary(w).forEach(LineageBench::say);
        }
        say("");
        say("the plans in full (custom plan of each statement; the generic plan where it differs in shape):");
        for (PlanCheck.Walk w : walks) {
            say("");
            say("-- " + w.label());
            for (PlanCheck.Step s : w.steps()) {
                say("-- hop " + s.hop() + ", " + s.statement() + ", frontier of " + s.frontier() + ":");
                s.custom().text().lines().forEach(l -> say("   " + l));
                if (!shape(s.custom().text()).equals(shape(s.generic().text()))) {
                    say("-- generic plan:");
                    s.generic().text().lines().forEach(l -> say("   " + l));
                }
            }
        }
        return walks;
    }

    /** A plan without its figures: which nodes, in which order. */
    private static String shape(String plan) {
        return plan.lines().filter(l -> !l.contains("Time:") && !l.contains("Buffers:") && !l.contains("Heap Fetches") && !l.contains("Planning"))
                .map(l -> l.replaceAll("\\(.*", "")).reduce("", (a, b) -> a + b + "\n");
    }

    // ------------------------------------------------------------------ measurements

    /** One query kind to measure: its warm-up and measured requests, and the same walks for the floor. */
    private record Job(String name, double goal, List<RequestList.Request> warmup, List<RequestList.Request> requests,
                       List<Function<EdgeGraph, EdgeGraph.Walk>> floorWalks) {
    }

    /** What every query kind asks: lineage in both directions at two depths, explain, blastRadius. */
    private List<Job> jobs(JsonNode sample, EngineSql sql) {
        int perKind = Math.max(1, o.roots / 3);
        List<Job> jobs = new ArrayList<>();
        for (String direction : List.of("UPSTREAM", "DOWNSTREAM")) {
            List<String> kinds = direction.equals("UPSTREAM") ? List.of("ModelVersion", "Run", "Artifact") : List.of("Artifact", "Run", "CodeVersion");
            List<String> roots = interleave(sample, kinds, 0, perKind);
            List<String> warm = interleave(sample, kinds, perKind, perKind);
            for (int depth : List.of(5, 10)) {
                Function<String, RequestList.Request> request = id -> RequestList.Request.of(id, LINEAGE,
                        "{\"id\":" + RequestList.quote(id) + ",\"dir\":\"" + direction + "\",\"depth\":" + depth + "}",
                        a -> id.equals(a.value("data.lineage.nodes[0].id")) ? null : "the first node is not the root " + id);
                boolean up = direction.equals("UPSTREAM");
                jobs.add(new Job("lineage " + direction + " depth " + depth, GOAL_LINEAGE_P99_MS, warm.stream().map(request).toList(),
                        roots.stream().map(request).toList(), roots.stream().map(id -> (Function<EdgeGraph, EdgeGraph.Walk>) g -> g.walk(uuid(id),
                        up, EdgeGraph.noTime(), depth, sql.lineage().perHopLimit(), sql.lineage().maxNodes())).toList()));
            }
        }
        List<JsonNode> triples = new ArrayList<>();
        sample.path("explain").forEach(triples::add);
        int n = Math.min(o.roots, triples.size());
        List<JsonNode> measuredTriples = triples.subList(0, n);
        List<JsonNode> warmTriples = triples.size() > n ? triples.subList(n, Math.min(triples.size(), 2 * n)) : measuredTriples;
        Function<JsonNode, RequestList.Request> explain = t -> RequestList.Request.of(t.path("deployment").asText(), EXPLAIN,
                "{\"ns\":" + RequestList.quote(t.path("namespace").asText()) + ",\"env\":" + RequestList.quote(t.path("environment").asText())
                        + ",\"target\":" + RequestList.quote(t.path("target").asText()) + ",\"at\":" + RequestList.quote(t.path("at").asText()) + "}",
                a -> !t.path("deployment").asText().equals(a.value("data.explain.deployment.id")) ? "deployment " + a.value("data.explain.deployment.id")
                        + " instead of " + t.path("deployment").asText()
                        : !t.path("modelVersion").asText().equals(a.value("data.explain.modelVersion.id")) ? "another model version"
                        : !t.path("run").asText().equals(a.value("data.explain.run.id")) ? "another run" : null);
        jobs.add(new Job("explain at a past instant", GOAL_EXPLAIN_P99_MS, warmTriples.stream().map(explain).toList(),
                measuredTriples.stream().map(explain).toList(), measuredTriples.stream().map(t -> (Function<EdgeGraph, EdgeGraph.Walk>) g ->
                g.walk(uuid(t.path("run").asText()), true, EdgeGraph.micros(Instant.parse(t.path("at").asText())), 3,
                        sql.lineage().perHopLimit(), sql.lineage().maxNodes())).toList()));

        List<String> popular = new ArrayList<>();
        List<String> warmBlast = new ArrayList<>();
        sample.path("popularDatasets").forEach(d -> (popular.size() < BLAST_DATASETS ? popular : warmBlast).add(d.path("id").asText()));
        if (warmBlast.isEmpty()) {
            warmBlast.addAll(interleave(sample, List.of("Artifact"), 0, Math.min(20, perKind)));
        }
        List<String> blastRoots = new ArrayList<>();
        for (int r = 0; r < o.blastRepeats; r++) {
            blastRoots.addAll(popular);
        }
        Function<String, RequestList.Request> blast = id -> RequestList.Request.of(id, BLAST, "{\"id\":" + RequestList.quote(id) + "}",
                a -> a.length("data.blastRadius.modelVersions") < 0 ? "no modelVersions" : null);
        jobs.add(new Job("blastRadius from a popular dataset", GOAL_BLAST_P99_MS, warmBlast.stream().map(blast).toList(),
                blastRoots.stream().map(blast).toList(), blastRoots.stream().map(id -> (Function<EdgeGraph, EdgeGraph.Walk>) g ->
                g.walk(uuid(id), false, EdgeGraph.noTime(), 10, sql.blast().perHopLimit(), sql.blast().maxNodes())).toList()));
        return jobs;
    }

    /**
     * Warms the server up with every kind of query first (so that no measurement pays for the JIT
     * compiling what another needs), then measures each over HTTP.
     */
    private List<HttpFigures> measureHttp(ServerProcess server, Path dataDir, List<Job> jobs) {
        say("");
        int warm = jobs.stream().mapToInt(j -> j.warmup().size()).sum();
        say("warm-up: " + warm + " requests of every kind, on other roots than the measured ones ...");
        Quiet.waitQuiet(o.waitQuietSeconds);
        long w0 = System.nanoTime();
        long warmFailed = 0;
        for (Job j : jobs) {
            RequestList.Result w = RequestList.run(server.port(), j.warmup(), o.connections);
            warmFailed += w.failed;
            w.failureSamples.forEach(f -> say("    warm-up failure: " + f));
        }
        say(String.format(Locale.ROOT, "  done in %.1f s, %d failed", (System.nanoTime() - w0) / 1e9, warmFailed));
        List<HttpFigures> figures = new ArrayList<>();
        for (Job j : jobs) {
            figures.add(measureOne(j, server, dataDir));
        }
        return figures;
    }

    /** A measurement over HTTP and the CPU used meanwhile. */
    private record HttpFigures(RequestList.Result http, double others, double serverCpuMs, double postgresCpuMs) {
    }

    /** Measures a job, again (up to --attempts in all) while other processes disturbed it; the quietest attempt counts. */
    private HttpFigures measureOne(Job job, ServerProcess server, Path dataDir) {
        say("");
        say(job.name() + ": " + job.requests().size() + " requests over " + o.connections + " connections");
        HttpFigures best = null;
        for (int attempt = 1; attempt <= o.attempts; attempt++) {
            HttpFigures f = attempt(job, server, dataDir);
            if (best == null || !(f.others() >= best.others())) {
                best = f;
            }
            if (!(f.others() > Report.NOISE) || f.http().failed > 0) {
                break;
            }
            if (attempt < o.attempts) {
                say("  other processes took more than " + Report.NOISE + " cores: measuring again");
            }
        }
        return best;
    }

    private HttpFigures attempt(Job job, ServerProcess server, Path dataDir) {
        Quiet.waitQuiet(o.waitQuietSeconds);
        List<ProcessHandle> serverProcess = List.of(ProcessHandle.of(server.pid()).orElseThrow());
        List<ProcessHandle> self = List.of(ProcessHandle.current());
        Proc.MachineCpu before = Proc.machineCpu();
        long t0 = System.nanoTime();
        long server0 = Proc.cpuNanos(serverProcess);
        long pg0 = Proc.cpuNanos(Proc.postgres(dataDir));
        long self0 = Proc.cpuNanos(self);
        RequestList.Result r = RequestList.run(server.port(), job.requests(), o.connections);
        long serverCpu = Proc.cpuNanos(serverProcess) - server0;
        long pgCpu = Proc.cpuNanos(Proc.postgres(dataDir)) - pg0;
        long ours = serverCpu + pgCpu + Proc.cpuNanos(self) - self0;
        double seconds = (System.nanoTime() - t0) / 1e9;
        Proc.MachineCpu after = Proc.machineCpu();
        double others = before == null || after == null ? Double.NaN
                : Math.max(0, after.coresBusySince(before, Runtime.getRuntime().availableProcessors()) - ours / 1e9 / seconds);
        double serverMs = serverCpu / 1e6 / job.requests().size();
        double pgMs = pgCpu / 1e6 / job.requests().size();
        say(String.format(Locale.ROOT, "  p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %d failed; %.1f s; CPU per request: server JVM %.1f ms, "
                        + "PostgreSQL %.1f ms; other processes %.2f cores%s", r.p(50), r.p(95), r.p(99), r.max(), r.failed, r.seconds, serverMs, pgMs,
                others, others > Report.NOISE ? "  (NOISY)" : ""));
        r.failureSamples.forEach(f -> say("    failure: " + f));
        return new HttpFigures(r, others, serverMs, pgMs);
    }

    /** The floor: the same walks in memory, once untimed (to compile them), then timed, one at a time. */
    private Floor floor(Job job, EdgeGraph graph) {
        job.floorWalks().forEach(f -> f.apply(graph));
        Histogram floor = new Histogram(1, 600_000_000L, 3);
        List<EdgeGraph.Walk> walks = new ArrayList<>();
        for (var walk : job.floorWalks()) {
            long f0 = System.nanoTime();
            EdgeGraph.Walk result = walk.apply(graph);
            floor.recordValue(Math.max(1, (System.nanoTime() - f0) / 1000));
            walks.add(result);
        }
        Floor fl = new Floor(floor, walks);
        say(String.format(Locale.ROOT, "  %s, in memory: p50 %.3f ms, p95 %.3f ms, p99 %.3f ms", job.name(), fl.p(50), fl.p(95), fl.p(99)));
        return fl;
    }

    /** Per popular dataset: readers, the API's median latency, what it found, and the floor's time. */
    private List<String> blastBreakdown(Measured m, JsonNode sample, EdgeGraph graph, EngineSql sql) {
        Map<String, List<RequestList.Outcome>> byRoot = new LinkedHashMap<>();
        m.http().outcomes.forEach(out -> byRoot.computeIfAbsent(out.request().label(), k -> new ArrayList<>()).add(out));
        List<String> rows = new ArrayList<>();
        rows.add("| dataset (readers) | median | versions / deployments found | truncated | floor: nodes, versions, time |");
        rows.add("|---|---:|---|---|---|");
        for (JsonNode d : sample.path("popularDatasets")) {
            String id = d.path("id").asText();
            if (rows.size() - 2 >= BLAST_DATASETS) {
                break;
            }
            List<RequestList.Outcome> outs = byRoot.getOrDefault(id, List.of());
            if (outs.isEmpty()) {
                continue;
            }
            long[] micros = outs.stream().mapToLong(RequestList.Outcome::micros).sorted().toArray();
            JsonSummary a = outs.get(0).answer();
            long f0 = System.nanoTime();
            EdgeGraph.Walk w = graph.walk(uuid(id), false, EdgeGraph.noTime(), 10, sql.blast().perHopLimit(), sql.blast().maxNodes());
            double floorMs = (System.nanoTime() - f0) / 1e6;
            rows.add(String.format(Locale.ROOT, "| `%s` (%,d) | %.0f ms | %s / %s | %s | %,d nodes, %,d versions, %.1f ms |", d.path("uri").asText(),
                    d.path("consumers").asInt(), micros[micros.length / 2] / 1000.0,
                    a == null ? "?" : String.format(Locale.ROOT, "%,d", a.length("data.blastRadius.modelVersions")),
                    a == null ? "?" : String.format(Locale.ROOT, "%,d", a.length("data.blastRadius.deployments")),
                    a == null ? "?" : a.value("data.blastRadius.truncated"), w.nodes(), w.versions(), floorMs));
        }
        return rows;
    }

    // ------------------------------------------------------------------ the report

    private void print(ZonedDateTime started, Generated generated, EdgeGraph graph, double loadSeconds, List<Measured> measured,
                       List<String> blastRows, List<PlanCheck.Walk> plans, boolean seqScan, long failed) {
        say("");
        say("== Summary: lineage ==");
        say("started " + started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceFirst("\\.\\d+", "") + " on " + Proc.machine());
        say("catalog: seed " + o.seed + ", scale " + o.scale + "; " + String.format(Locale.ROOT, "%,d lineage edges between %,d nodes", graph.edges(),
                graph.nodes()) + (generated.now() ? String.format(Locale.ROOT, "; generated in %.1f s (the generate command, launch to exit)",
                generated.seconds()) : "; reused (generated earlier)"));
        say("server: java " + (o.jvmOptions.isEmpty() ? "" : String.join(" ", o.jvmOptions) + " ") + "-jar " + o.jar.getFileName()
                + " serve; client: " + o.connections + " connections, closed loop, every answer checked");
        say(String.format(Locale.ROOT, "floor: the whole edge table read over JDBC into adjacency arrays in %.1f s, then one in-memory BFS per root, "
                + "single-threaded", loadSeconds));
        say("");
        say("| query | requests | p50 | p95 | p99 | max | goal (p99) | | floor p50 / p95 / p99 | CPU per request: server JVM / PostgreSQL "
                + "| nodes, median / max: API; floor | truncated: API / floor |");
        say("|---|---:|---:|---:|---:|---:|---|---|---|---|---|---|");
        boolean noisy = false;
        for (Measured m : measured) {
            RequestList.Result r = m.http();
            String nodesPath = m.name().startsWith("lineage") ? "data.lineage.nodes" : m.name().startsWith("explain") ? "data.explain.upstream.nodes"
                    : "data.blastRadius.modelVersions";
            String truncPath = m.name().startsWith("lineage") ? "data.lineage.truncated" : m.name().startsWith("explain")
                    ? "data.explain.upstream.truncated" : "data.blastRadius.truncated";
            int[] apiNodes = r.outcomes.stream().filter(x -> x.answer() != null).mapToInt(x -> x.answer().length(nodesPath)).sorted().toArray();
            long apiTruncated = r.outcomes.stream().filter(x -> x.answer() != null && "true".equals(x.answer().value(truncPath))).count();
            int[] floorNodes = m.floor().walks().stream().mapToInt(m.name().startsWith("blast") ? EdgeGraph.Walk::versions : EdgeGraph.Walk::nodes)
                    .sorted().toArray();
            long floorTruncated = m.floor().walks().stream().filter(EdgeGraph.Walk::truncated).count();
            boolean met = r.p(99) <= m.goal();
            noisy |= m.others() > Report.NOISE;
            say(String.format(Locale.ROOT, "| %s | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | ≤ %.0f ms | %s | %.2f / %.2f / %.2f ms | %.1f / %.1f ms "
                            + "| %s / %s%s; %s / %s | %d / %d |",
                    m.name(), r.outcomes.size(), r.p(50), r.p(95), r.p(99), r.max(), m.goal(), met ? "met" : "**MISSED**",
                    m.floor().p(50), m.floor().p(95), m.floor().p(99), m.serverCpuMs(), m.postgresCpuMs(), median(apiNodes), max(apiNodes),
                    m.name().startsWith("blast") ? " versions" : "", median(floorNodes), max(floorNodes), apiTruncated, floorTruncated));
        }
        say("");
        say("blastRadius per popular dataset (each asked " + o.blastRepeats + " times; the floor's walk is the same DOWNSTREAM walk):");
        say("");
        blastRows.forEach(LineageBench::say);
        say("");
        say("EXPLAIN: " + plans.stream().mapToInt(w -> w.steps().size()).sum() + " statements explained, custom and generic plans: "
                + (seqScan ? "SOME READ THE WHOLE EDGE TABLE (Seq Scan on lineage_edge)" : "every one follows an index of lineage_edge, no Seq Scan on lineage_edge"));
        for (PlanCheck.Walk w : plans) {
            PlanCheck.summary(w).forEach(LineageBench::say);
        }
        say("");
        say(noisy ? "NOISY: other processes took more than " + Report.NOISE + " cores during a measurement; re-run on a quiet machine"
                : "other processes took at most " + Report.NOISE + " cores during every measurement (quiet)");
        say(failed == 0 ? "all answers were checked and right" : "NOT VALID: " + failed + " answers failed (see above)");
    }

    private static String max(int[] sorted) {
        return sorted.length == 0 ? "–" : String.format(Locale.ROOT, "%,d", sorted[sorted.length - 1]);
    }

    private static String median(int[] sorted) {
        return sorted.length == 0 ? "–" : String.format(Locale.ROOT, "%,d", sorted[sorted.length / 2]);
    }

    // ------------------------------------------------------------------ helpers

    /** {@code n} roots of each kind from {@code offset}, alternating kinds. */
    private static List<String> interleave(JsonNode sample, List<String> kinds, int offset, int n) {
        List<String> roots = new ArrayList<>();
        for (int i = offset; i < offset + n; i++) {
            for (String kind : kinds) {
                JsonNode list = sample.path("roots").path(kind);
                if (list.size() > 0) {
                    roots.add(list.get(i % list.size()).asText());
                }
            }
        }
        return roots;
    }

    private static String root(JsonNode sample, String kind, int i) {
        return sample.path("roots").path(kind).get(i).asText();
    }

    private static UUID uuid(String globalId) {
        return UUID.fromString(globalId.substring(globalId.indexOf(':') + 1));
    }

    static void say(String line) {
        ServeBench.say(line);
    }

}
