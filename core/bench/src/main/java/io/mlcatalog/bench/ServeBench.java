package io.mlcatalog.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code serve}: how fast the catalog starts on its embedded PostgreSQL, how much memory it holds at
 * idle, and how many "latest 50 runs" queries it answers with two client connections.
 */
final class ServeBench {
    /** The query of interest: the latest 50 runs with code version, inputs, outputs and model versions. */
    static final String QUERY = "{ runs(first: 50) { edges { node { id name status startedAt params metrics "
            + "codeVersion { repository commit } inputs { uri digest } outputs { uri digest } "
            + "modelVersions { version model { name } } } } } }";
    static final int PAGE = 50;
    static final double GOAL_WARM_START_S = 3.0;
    static final double GOAL_RSS_MB = 300.0;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final int POLL_MILLIS = 10;

    /** The command line of {@code serve}. */
    static final class Options {
        Path jar;
        Path dataDir;
        boolean keepDataDir;
        int warmStarts = 5;
        List<String> jvmOptions = List.of();
        List<List<String>> memoryJvmOptions = new ArrayList<>(List.of(
                List.of("-Xmx256m", "-XX:+UseSerialGC"),
                List.of("-Xmx512m", "-XX:+UseSerialGC"),
                List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC")));
        boolean memoryJvmOptionsGiven;
        int burst = 2000;
        double idleSeconds = 5;
        int connections = 2;
        double warmupSeconds = 10;
        double measureSeconds = 30;
        double waitQuietSeconds = 60;
        int attempts = 3;
        /** Rounds of auth off, then on, each a fresh server measured as the main throughput is (0: skip). */
        int authRounds = 3;
        /** Only the auth rounds (after a cold start that makes the demo data). */
        boolean authOnly;
    }

    /** The admin token of the servers started with access control on (they are on loopback, for this run only). */
    static final String BENCH_TOKEN = "mlcatalog-bench-admin-token-0123456789abcdef";

    private final Options o;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final Report report = new Report();
    private volatile ServerProcess current;

    ServeBench(Options options) {
        this.o = options;
    }

    /** Runs everything and prints the summary; the exit code is 0 only when every figure is valid. */
    int run() throws IOException {
        Path dataDir = o.dataDir != null ? o.dataDir : Files.createTempDirectory("mlcatalog-bench-");
        if (Files.isDirectory(dataDir)) {
            try (var entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new BenchException("--data-dir " + dataDir + " is not empty: the first start must be a cold one. "
                            + "Give a new or empty directory.");
                }
            }
        }
        Thread hook = new Thread(() -> {
            ServerProcess s = current;
            if (s != null) {
                s.close();
            }
        }, "stop-server");
        Runtime.getRuntime().addShutdownHook(hook);
        String loadBefore = Proc.loadAverage();
        ZonedDateTime started = ZonedDateTime.now();
        say("mlcatalog benchmark: serve   (" + started.format(DateTimeFormatter.RFC_1123_DATE_TIME) + ")");
        say("  jar       " + o.jar);
        say("  data dir  " + dataDir + (o.keepDataDir ? " (kept)" : " (removed at the end)"));
        say("  java      " + java + " (" + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ")");
        say("  machine   " + Proc.machine() + "; the client shares the CPUs with the server and its PostgreSQL");
        say("  load avg  " + loadBefore);
        say("  server JVM options: " + describe(o.jvmOptions) + "  -> " + Ergonomics.of(java, o.jvmOptions));
        try {
            cold(dataDir);
            if (!o.authOnly) {
                warm(dataDir);
                memoryAndThroughput(dataDir, o.jvmOptions, true);
                for (List<String> extra : o.memoryJvmOptions) {
                    if (!extra.equals(o.jvmOptions)) {
                        memoryAndThroughput(dataDir, extra, false);
                    }
                }
            }
            // last: once a server with access control ran, the data directory holds a token, and auto would switch it on
            authOverhead(dataDir);
        } finally {
            ServerProcess s = current;
            if (s != null) {
                s.close();
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            if (!o.keepDataDir) {
                Proc.deleteTree(dataDir);
            }
        }
        report.loadBefore = loadBefore;
        report.loadAfter = Proc.loadAverage();
        report.started = started;
        report.machine = Proc.machine();
        report.print(o);
        return report.valid() ? 0 : 1;
    }

    // ------------------------------------------------------------------ 1. start

    private void cold(Path dataDir) {
        say("");
        say("cold start: serve --demo on an empty data directory (PostgreSQL binaries unpack, initdb, migrations, demo load)");
        ServerProcess s = launch(o.jvmOptions, dataDir, true);
        report.coldReady = s.awaitReady(START_TIMEOUT, POLL_MILLIS) / 1e9;
        report.coldLine = s.awaitReadyLine(START_TIMEOUT) / 1e9;
        say(String.format(Locale.ROOT, "  /ready 200 after %.2f s; 'mlcatalog is ready' (demo loaded) after %.2f s", report.coldReady, report.coldLine));
        report.seeded = seed(s.port());
        if (report.seeded > 0) {
            say("  the catalog had " + (PAGE - report.seeded) + " runs: added " + report.seeded
                    + " through upsertRun (with code version, an input and an output) so that the page is full");
        }
        String problem = checkOnce(s.port());
        report.checked++;
        if (problem != null) {
            throw new BenchException("the runs query does not answer as expected: " + problem);
        }
        report.coldStop = stop(s) / 1e9;
    }

    private void warm(Path dataDir) {
        say("");
        say("warm starts: serve on the existing data directory, launch to first 200 from /ready (polled every "
                + POLL_MILLIS + " ms), then SIGTERM");
        List<Report.WarmStart> quiet = new ArrayList<>();
        List<Report.WarmStart> noisy = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        List<ProcessHandle> self = List.of(ProcessHandle.current());
        // a start that other processes disturbed (more than NOISE cores) is repeated, up to twice as many starts in all
        for (int launches = 1; quiet.size() < o.warmStarts && launches <= 2 * o.warmStarts; launches++) {
            waitQuiet();
            Proc.MachineCpu machineBefore = Proc.machineCpu();
            long selfBefore = Proc.cpuNanos(self);
            ServerProcess s = launch(o.jvmOptions, dataDir, false);
            long readyNanos = s.awaitReady(START_TIMEOUT, POLL_MILLIS);
            Proc.MachineCpu machineAfter = Proc.machineCpu();
            long ours = Proc.cpuNanos(List.of(ProcessHandle.of(s.pid()).orElseThrow())) + Proc.cpuNanos(Proc.postgres(dataDir))
                    + Proc.cpuNanos(self) - selfBefore;
            double others = machineBefore == null || machineAfter == null ? Double.NaN
                    : Math.max(0, machineAfter.coresBusySince(machineBefore, cores) - ours / (double) readyNanos);
            double line = s.awaitReadyLine(START_TIMEOUT) / 1e9;
            double stopped = stop(s) / 1e9;
            Report.WarmStart w = new Report.WarmStart(readyNanos / 1e9, line, stopped, others);
            boolean disturbed = others > Report.NOISE;
            (disturbed ? noisy : quiet).add(w);
            say(String.format(Locale.ROOT, "  %d/%d  /ready %.2f s   ready line %.2f s   stop %.2f s   other processes %.2f cores%s",
                    quiet.size(), o.warmStarts, w.ready(), w.line(), w.stop(), others,
                    disturbed ? "  (disturbed: not counted" + (launches < 2 * o.warmStarts ? ", starting again)" : ")") : ""));
        }
        noisy.sort(Comparator.comparingDouble(Report.WarmStart::others));
        for (int i = 0; quiet.size() < o.warmStarts && i < noisy.size(); i++) {
            quiet.add(noisy.get(i)); // not enough quiet starts: the least disturbed ones, and the report says so
        }
        report.warmStarts.addAll(quiet);
        report.warmStartsDisturbed = noisy.size();
    }

    // ------------------------------------------------------------------ 2. memory, 3. throughput

    private void memoryAndThroughput(Path dataDir, List<String> jvm, boolean main) {
        say("");
        say("memory" + (main ? " and throughput" : "") + ", server JVM options: " + describe(jvm) + "  -> " + Ergonomics.of(java, jvm));
        ServerProcess s = launch(jvm, dataDir, false);
        double ready = s.awaitReady(START_TIMEOUT, POLL_MILLIS) / 1e9;
        s.awaitReadyLine(START_TIMEOUT);
        QueryLoad load = new QueryLoad(s.port(), body(QUERY), PAGE);
        QueryLoad.Result burst = load.burst(o.connections, o.burst);
        say(String.format(Locale.ROOT, "  ready in %.2f s; burst: %d queries on %d connections in %.1f s (%d failed)",
                ready, burst.ok + burst.failed, o.connections, burst.seconds, burst.failed));
        report.failures += burst.failed;
        report.checked += burst.ok + burst.failed;
        report.failureSamples.addAll(burst.failureSamples);
        double idleBusy = background((long) (o.idleSeconds * 1000));
        Proc.Rss rss = Proc.rss(s.pid());
        long pgPss = Proc.pssKb(Proc.postgres(dataDir));
        say(String.format(Locale.ROOT, "  after %.0f s idle: server JVM RSS %.0f MB (anon %s, file %s; peak %s) [%s]; PostgreSQL PSS %s",
                o.idleSeconds, rss.mb(), mb(rss.anonKb()), mb(rss.fileKb()), mb(rss.peakKb()), rss.source(), mb(pgPss)));
        say(String.format(Locale.ROOT, "  machine busy while the catalog idled: %.2f cores", idleBusy));
        if (main) {
            report.backgroundAtIdle = idleBusy;
        }
        report.memory.put(describe(jvm), new Report.Memory(jvm, Ergonomics.of(java, jvm), rss, pgPss));

        if (main) {
            for (int attempt = 1; attempt <= o.attempts; attempt++) {
                waitQuiet();
                say(String.format(Locale.ROOT, "  throughput%s: %d connections, %.0f s warm-up, %.0f s measured ...",
                        o.attempts > 1 ? " (attempt " + attempt + " of at most " + o.attempts + ")" : "",
                        o.connections, o.warmupSeconds, o.measureSeconds));
                Report.Throughput t = throughput(load, s, dataDir);
                QueryLoad.Result r = t.result();
                report.attempts.add(t);
                report.failures += r.totalFailed();
                report.checked += r.ok + r.failed + r.warmupOk + r.warmupFailed;
                report.failureSamples.addAll(r.failureSamples);
                say(String.format(Locale.ROOT, "  %.1f requests/s; p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; %d ok, %d failed "
                                + "(warm-up: %d ok, %d failed); %d sockets opened",
                        r.requestsPerSecond(), r.percentileMillis(50), r.percentileMillis(95), r.percentileMillis(99),
                        r.latency.getMaxValue() / 1000.0, r.ok, r.failed, r.warmupOk, r.warmupFailed, r.connectionsOpened));
                say(String.format(Locale.ROOT, "  CPU, cores: server JVM %.2f, PostgreSQL %.2f, client %.2f, other processes %.2f",
                        t.cpuServer(), t.cpuPostgres(), t.cpuClient(), t.others()));
                if (!(t.others() > Report.NOISE) || r.totalFailed() > 0) {
                    break;
                }
                if (attempt < o.attempts) {
                    say("  other processes took more than " + Report.NOISE + " cores: measuring again");
                }
            }
            report.rssAfterLoad = Proc.rss(s.pid());
            say(String.format(Locale.ROOT, "  server JVM RSS right after the load: %.0f MB (peak %s)", report.rssAfterLoad.mb(),
                    mb(report.rssAfterLoad.peakKb())));
            if (Proc.postgres(dataDir).isEmpty()) {
                say("  (PostgreSQL processes not found: its CPU time is not counted)");
            }
        }
        stop(s);
    }

    // ------------------------------------------------------------------ 4. access control off vs on

    /**
     * The main throughput's load, on servers with access control off ({@code --auth off}) and on (every request with a
     * bearer token, authenticated, its cost charged to the token's budget and its answer filtered by the token's access),
     * alternately, so that a drift of the machine touches both alike. The budgets are set too large to refuse anything:
     * their bookkeeping is measured, not a throttle.
     */
    private void authOverhead(Path dataDir) {
        if (o.authRounds == 0) {
            return;
        }
        say("");
        say("access control off vs on: " + o.authRounds + " round(s) of off then on, each a fresh server, " + o.connections
                + " connections, " + fmt(o.warmupSeconds) + " s warm-up, " + fmt(o.measureSeconds) + " s measured");
        for (int round = 1; round <= o.authRounds; round++) {
            for (boolean on : List.of(false, true)) {
                List<String> args = new ArrayList<>(List.of("serve", "--data-dir", dataDir.toString()));
                args.addAll(on ? List.of("--auth", "on", "--points-per-minute", "1000000000000", "--requests-per-minute", "1000000000")
                        : List.of("--auth", "off"));
                ServerProcess s = ServerProcess.launch(java, o.jvmOptions, o.jar, args,
                        on ? Map.of("MLCATALOG_ADMIN_TOKEN", BENCH_TOKEN) : Map.of());
                current = s;
                s.awaitReady(START_TIMEOUT, POLL_MILLIS);
                s.awaitReadyLine(START_TIMEOUT);
                waitQuiet();
                QueryLoad load = new QueryLoad(s.port(), body(QUERY), PAGE, on ? "Bearer " + BENCH_TOKEN : null);
                Report.Throughput t = throughput(load, s, dataDir);
                QueryLoad.Result r = t.result();
                report.authRuns.add(new Report.AuthRun(on, t));
                report.failures += r.totalFailed();
                report.checked += r.ok + r.failed + r.warmupOk + r.warmupFailed;
                report.failureSamples.addAll(r.failureSamples);
                say(String.format(Locale.ROOT, "  round %d, auth %-3s: %.1f requests/s; p50 %.2f ms, p99 %.2f ms; server JVM %.2f ms CPU a "
                                + "request; other processes %.2f cores; %d ok, %d failed", round, on ? "on" : "off", r.requestsPerSecond(),
                        r.percentileMillis(50), r.percentileMillis(99), t.cpuServer() * 1000 / r.requestsPerSecond(), t.others(), r.ok,
                        r.totalFailed()));
                stop(s);
            }
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** One measured load, with the CPU that the server, its PostgreSQL, this client and the rest of the machine used meanwhile. */
    private Report.Throughput throughput(QueryLoad load, ServerProcess s, Path dataDir) {
        List<ProcessHandle> server = List.of(ProcessHandle.of(s.pid()).orElseThrow());
        List<ProcessHandle> self = List.of(ProcessHandle.current());
        int cores = Runtime.getRuntime().availableProcessors();
        long[] cpu = new long[4];
        Proc.MachineCpu[] machine = new Proc.MachineCpu[1];
        double[] used = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        QueryLoad.Result r = load.timed(o.connections, o.warmupSeconds, o.measureSeconds, () -> {
            cpu[0] = System.nanoTime();
            machine[0] = Proc.machineCpu();
            cpu[1] = Proc.cpuNanos(server);
            cpu[2] = Proc.cpuNanos(Proc.postgres(dataDir));
            cpu[3] = Proc.cpuNanos(self);
        }, () -> {
            double seconds = (System.nanoTime() - cpu[0]) / 1e9;
            used[0] = (Proc.cpuNanos(server) - cpu[1]) / 1e9 / seconds;
            used[1] = (Proc.cpuNanos(Proc.postgres(dataDir)) - cpu[2]) / 1e9 / seconds;
            used[2] = (Proc.cpuNanos(self) - cpu[3]) / 1e9 / seconds;
            Proc.MachineCpu now = Proc.machineCpu();
            used[3] = machine[0] == null || now == null ? Double.NaN : now.coresBusySince(machine[0], cores);
        });
        return new Report.Throughput(r, used[0], used[1], used[2], used[3]);
    }

    // ------------------------------------------------------------------ helpers

    private void waitQuiet() {
        Quiet.waitQuiet(o.waitQuietSeconds);
    }

    private static double background(long millis) {
        return Quiet.background(millis);
    }

    private ServerProcess launch(List<String> jvm, Path dataDir, boolean demo) {
        List<String> args = new ArrayList<>(List.of("serve", "--data-dir", dataDir.toString()));
        if (demo) {
            args.add("--demo");
        }
        ServerProcess s = ServerProcess.launch(java, jvm, o.jar, args);
        current = s;
        return s;
    }

    private long stop(ServerProcess s) {
        long took = s.stop();
        current = null;
        return took;
    }

    /** Makes sure the catalog holds at least a page of runs; returns how many runs were added. */
    private static int seed(int port) {
        String answer = post(port, body("{ runs(first: 1) { totalCount } }"));
        Matcher m = Pattern.compile("\"totalCount\"\\s*:\\s*(\\d+)").matcher(answer);
        if (!m.find()) {
            throw new BenchException("cannot count the runs: " + answer);
        }
        int missing = PAGE - Integer.parseInt(m.group(1));
        for (int i = 1; i <= missing; i++) {
            String name = "bench-seed-" + i;
            String run = "{\"namespace\":\"bench\",\"name\":\"" + name + "\",\"pipeline\":\"bench\",\"status\":\"SUCCEEDED\","
                    + "\"startedAt\":\"2026-08-01T0" + (i % 10) + ":00:00Z\",\"endedAt\":\"2026-08-01T0" + (i % 10) + ":30:00Z\","
                    + "\"params\":{\"learning_rate\":0.001,\"epochs\":10},\"metrics\":{\"auc\":0.91},"
                    + "\"repository\":\"https://github.com/acme/bench\",\"commit\":\"" + hex("SHA-1", name) + "\","
                    + "\"inputs\":[" + artifact("s3://acme-bench/" + name + "/train.parquet", "DATASET") + "],"
                    + "\"outputs\":[" + artifact("s3://acme-bench/" + name + "/model.pt", "MODEL") + "]}";
            String mutation = "{\"query\":\"mutation($input: RunInput!) { upsertRun(input: $input) { id } }\","
                    + "\"variables\":{\"input\":" + run + "}}";
            String reply = post(port, mutation.getBytes(StandardCharsets.UTF_8));
            if (reply.contains("\"errors\"") || !reply.contains("\"upsertRun\"")) {
                throw new BenchException("cannot add a run: " + reply);
            }
        }
        return Math.max(0, missing);
    }

    private static String artifact(String uri, String kind) {
        return "{\"namespace\":\"bench\",\"uri\":\"" + uri + "\",\"digest\":\"sha256:" + hex("SHA-256", uri) + "\",\"kind\":\"" + kind + "\"}";
    }

    private static String hex(String algorithm, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String checkOnce(int port) {
        try (HttpConnection c = new HttpConnection(ServerProcess.HOST, port, 30_000)) {
            int status = c.exchange(HttpConnection.request("POST", ServerProcess.HOST, port, "/graphql", "application/json", body(QUERY), false));
            return status != 200 ? "HTTP " + status + ": " + c.bodyText() : RunsPage.problem(c.body(), c.bodyLength(), PAGE);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String post(int port, byte[] body) {
        try (HttpConnection c = new HttpConnection(ServerProcess.HOST, port, 30_000)) {
            int status = c.exchange(HttpConnection.request("POST", ServerProcess.HOST, port, "/graphql", "application/json", body, false));
            if (status != 200) {
                throw new BenchException("POST /graphql answered " + status + ": " + c.bodyText());
            }
            return c.bodyText();
        } catch (IOException e) {
            throw new BenchException("POST /graphql failed: " + e);
        }
    }

    static byte[] body(String query) {
        return ("{\"query\":\"" + query.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static String describe(List<String> jvm) {
        return jvm.isEmpty() ? "(none: plain java -jar)" : String.join(" ", jvm);
    }

    static String mb(long kb) {
        return kb < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** What the JVM picks with some options: its garbage collector and maximum heap. */
    static final class Ergonomics {
        private static final Map<List<String>, String> CACHE = new LinkedHashMap<>();

        static synchronized String of(Path java, List<String> jvm) {
            return CACHE.computeIfAbsent(jvm, k -> {
                List<String> command = new ArrayList<>();
                command.add(java.toString());
                command.addAll(k);
                command.addAll(Arrays.asList("-XX:+PrintFlagsFinal", "-version"));
                String gc = "?";
                long maxHeap = -1;
                for (String line : Proc.run(command).split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 4 && f[2].equals("=")) {
                        if (f[1].equals("MaxHeapSize")) {
                            maxHeap = Long.parseLong(f[3]);
                        } else if (f[1].matches("Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC") && f[3].equals("true")) {
                            gc = f[1].substring(3, f[1].length() - 2);
                        }
                    }
                }
                return gc + " GC, max heap " + (maxHeap < 0 ? "?" : String.format(Locale.ROOT, "%.0f MB", maxHeap / 1024.0 / 1024.0));
            });
        }
    }
}
