package io.mlcatalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code live}: how soon a subscriber sees a write, on the node written to and on another node of the same database,
 * and how much heap 1,000 open subscriptions hold (issue 15: 100 ms p99 on one node, 1 s across two, under 100 MB).
 *
 * <p>Writes are {@code upsertRun} mutations over HTTP, each naming a new run, sent open loop at a steady rate; the
 * subscriber asks for {@code RUN_CREATED} events of the benchmark's namespace, and an event's latency runs from just
 * before its mutation is written to the socket until the subscriber has read the {@code next} message naming that run.
 * Every write's event must arrive exactly once and in the order of the feed's sequence numbers: a run where one is
 * missing, twice, out of order, or where a write or a subscription failed, is invalid (exit 1).
 *
 * <p>Every subscription is made with {@code since:} the subscribed node's feed position read just before: the protocol
 * has no acknowledgement of a subscribe, and with {@code since:} an event written between the subscribe message and the
 * subscription joining the feed is replayed rather than lost, so "missing" means lost, never "subscribed too late".
 */
final class LiveBench {
    static final double GOAL_ONE_NODE_P99_MS = 100;
    static final double GOAL_TWO_NODES_P99_MS = 1000;
    static final double GOAL_HEAP_MB = 100;
    static final String NAMESPACE = "bench";
    /** What a dashboard of new runs would ask for: the event and the run it names (looked up once per event and node). */
    static final String FIELDS = "sequence kind at run { name status }";
    static final String MUTATION = "mutation($name: String!) { upsertRun(input: {namespace: \"" + NAMESPACE
            + "\", name: $name, status: RUNNING}) { name } }";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** How long after its write an event may come before it counts as missing. */
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

    /** The command line of {@code live}. */
    static final class Options {
        Path jar;
        /** The launcher's (./mlcatalog) options by default: the catalog as the README runs it. */
        List<String> jvmOptions = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");
        int writes = 1500;
        int warmupWrites = 300;
        double rate = 20;
        /** Connections the writes are sent over: a slow answer must not hold back the next write (open loop). */
        int writers = 4;
        int subscriptions = 1000;
        int perConnection = 100;
        int fanoutWrites = 5;
        double waitQuietSeconds = 60;
        int attempts = 3;
        Set<String> parts = Set.of("one-node", "two-nodes", "heap");
        /** The subscription's selection; the run's name is read from run { name } or else from after. */
        String fields = FIELDS;
    }

    private final Options o;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    private final List<ServerProcess> running = Collections.synchronizedList(new ArrayList<>());
    /** Windows of writes by the prefix of their run names; an event naming a run of none of them is unexpected. */
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final AtomicLong unexpected = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<Row> rows = new ArrayList<>();
    private final String subscription;
    private boolean invalid;
    private boolean noisy;

    LiveBench(Options options) {
        this.o = options;
        this.subscription = "subscription($since: Long) { events(since: $since, filter: {namespace: \"" + NAMESPACE
                + "\", kinds: [RUN_CREATED]}) { " + options.fields + " } }";
    }

    int run() throws Exception {
        if (o.parts.contains("heap") && !Files.isExecutable(jcmd)) {
            throw new BenchException("the heap part needs the JDK's jcmd next to java (" + jcmd + "); run the bench with a JDK");
        }
        Path root = Files.createTempDirectory("mlcatalog-live-bench-");
        Path dataA = root.resolve("a");
        ZonedDateTime started = ZonedDateTime.now();
        say("mlcatalog benchmark: live   (" + started.format(DateTimeFormatter.RFC_1123_DATE_TIME) + ")");
        say("  jar       " + o.jar);
        say("  data dir  " + root + " (removed at the end)");
        say("  machine   " + Proc.machine() + "; the client shares the CPUs with the servers and their PostgreSQL");
        say("  load avg  " + Proc.loadAverage());
        say("  server JVM options: " + ServeBench.describe(o.jvmOptions) + "  -> " + ServeBench.Ergonomics.of(java, o.jvmOptions));
        Thread hook = new Thread(this::stopAll, "stop-servers");
        Runtime.getRuntime().addShutdownHook(hook);
        ExecutorService callbacks = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "websocket-callbacks");
            t.setDaemon(true);
            return t;
        });
        // one client for every WebSocket: one selector thread, and a few threads for the listeners' callbacks
        HttpClient client = HttpClient.newBuilder().executor(callbacks).connectTimeout(Duration.ofSeconds(30)).build();
        try {
            if (o.parts.contains("one-node") || o.parts.contains("two-nodes")) {
                ServerProcess a = start("node A", List.of("serve", "--data-dir", dataA.toString()));
                if (o.parts.contains("one-node")) {
                    latency(client, "one node", "one", a, a, List.of(a), GOAL_ONE_NODE_P99_MS, dataA);
                }
                if (o.parts.contains("two-nodes")) {
                    // node B has no PostgreSQL of its own: it is pointed at node A's embedded one, as a second node of a
                    // deployment is pointed at the shared database (its --data-dir is only where it would look for plugins)
                    int pgPort = postgresPort(dataA);
                    ServerProcess b = start("node B (on node A's PostgreSQL, port " + pgPort + ")", List.of("serve", "--data-dir",
                            root.resolve("b").toString(), "--database-url", "postgresql://postgres@localhost:" + pgPort + "/postgres"));
                    latency(client, "two nodes (subscriber on B, writes to A)", "two", a, b, List.of(a, b), GOAL_TWO_NODES_P99_MS, dataA);
                    stop(b);
                }
                stop(a);
            }
            if (o.parts.contains("heap")) {
                heapPart(client, dataA);
            }
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(hook);
            callbacks.shutdownNow();
            Proc.deleteTree(root);
        }
        print(started);
        return invalid ? 1 : 0;
    }

    // ------------------------------------------------------------------ write → event latency

    /** One window of writes: their run names, when each was sent, and when each subscriber got its event. */
    private static final class Window {
        final String prefix;
        final int writes;
        final int subscribers;
        /** System.nanoTime() just before each mutation was written; 0 if it was not sent. */
        final long[] sentAt;
        /** The first receipt of write w by subscriber s, at [s * writes + w]. */
        final long[] receivedAt;
        final AtomicIntegerArray received;
        /** Per write, counted down at each subscriber's first receipt of it. */
        final CountDownLatch[] arrived;

        Window(String prefix, int writes, int subscribers) {
            this.prefix = prefix;
            this.writes = writes;
            this.subscribers = subscribers;
            sentAt = new long[writes];
            receivedAt = new long[writes * subscribers];
            received = new AtomicIntegerArray(writes * subscribers);
            arrived = new CountDownLatch[writes];
            for (int w = 0; w < writes; w++) {
                arrived[w] = new CountDownLatch(subscribers);
            }
        }

        String name(int write) {
            return prefix + "-" + write;
        }

        void arrived(int subscriber, int write, long at) {
            int k = subscriber * writes + write;
            if (received.getAndIncrement(k) == 0) {
                receivedAt[k] = at;
                arrived[write].countDown();
            }
        }

        /** Waits for every subscriber's event of every write sent, each until EVENT_TIMEOUT after its write; whether all came. */
        boolean await() throws InterruptedException {
            boolean all = true;
            for (int w = 0; w < writes; w++) {
                if (sentAt[w] == 0) {
                    continue;
                }
                long left = sentAt[w] + EVENT_TIMEOUT.toNanos() - System.nanoTime();
                all &= arrived[w].await(Math.max(0, left), TimeUnit.NANOSECONDS);
            }
            return all;
        }

        /** Latencies of the events that came, in microseconds. */
        Histogram latencies() {
            Histogram h = new Histogram(1, 3_600_000_000L, 3);
            for (int s = 0; s < subscribers; s++) {
                for (int w = 0; w < writes; w++) {
                    long r = receivedAt[s * writes + w];
                    if (received.get(s * writes + w) > 0 && sentAt[w] != 0) {
                        h.recordValue(Math.max(1, (r - sentAt[w]) / 1000));
                    }
                }
            }
            return h;
        }

        long missing() {
            long n = 0;
            for (int k = 0; k < received.length(); k++) {
                n += received.get(k) == 0 && sentAt[k % writes] != 0 ? 1 : 0;
            }
            return n;
        }

        long duplicates() {
            long n = 0;
            for (int k = 0; k < received.length(); k++) {
                n += Math.max(0, received.get(k) - 1);
            }
            return n;
        }
    }

    private Window window(String prefix, int writes, int subscribers) {
        Window w = new Window(prefix, writes, subscribers);
        windows.put(prefix, w);
        return w;
    }

    /** One subscription: its place among the window's subscribers, and the sequence number it got last. */
    private final class Sub {
        final int index;
        volatile long lastSequence = -1;

        Sub(int index) {
            this.index = index;
        }

        void next(JsonNode payload, long at) {
            JsonNode e = payload.path("data").path("events");
            if (payload.has("errors") || !e.isObject()) {
                problem("an event with errors: " + payload);
                return;
            }
            long sequence = e.path("sequence").asLong(-1);
            if (sequence <= lastSequence) {
                outOfOrder.incrementAndGet();
            }
            lastSequence = sequence;
            String name = e.path("run").path("name").asText(e.path("after").path("name").asText(""));
            int dash = name.lastIndexOf('-');
            Window w = dash < 0 ? null : windows.get(name.substring(0, dash));
            if (w == null || !"RUN_CREATED".equals(e.path("kind").asText())) {
                unexpected.incrementAndGet();
                return;
            }
            try {
                w.arrived(index, Integer.parseInt(name.substring(dash + 1)), at);
            } catch (RuntimeException x) {
                unexpected.incrementAndGet();
            }
        }
    }

    /** A socket's handler: its subscriptions by id. */
    private GraphQLSocket.Handler handler(Map<String, Sub> byId) {
        return new GraphQLSocket.Handler() {
            @Override
            public void next(String id, JsonNode payload, long receivedNanos) {
                Sub s = byId.get(id);
                if (s == null) {
                    problem("an event for subscription '" + id + "', which was not made");
                } else {
                    s.next(payload, receivedNanos);
                }
            }

            @Override
            public void problem(String what) {
                LiveBench.this.problem(what);
            }
        };
    }

    private void problem(String what) {
        if (problems.size() < 1000) {
            problems.add(what);
        }
        if (problems.size() <= 5) {
            say("  PROBLEM: " + what);
        }
    }

    /** What the writes of a window did: failures, the mutations' own latency, and how late the open loop sent. */
    private record Writes(long failed, Histogram answers, double maxLateMs) {
    }

    /** A measured window of the latency parts. */
    private record Latency(Window window, Writes writes, Histogram events, double others, double seconds) {
    }

    /**
     * Warm-up, then the measured writes to {@code writeTo} with one subscription on {@code subscribeTo}; measured again
     * (up to --attempts) while other processes took the CPUs. Adds its rows to the summary.
     */
    private void latency(HttpClient client, String label, String key, ServerProcess writeTo, ServerProcess subscribeTo,
                         List<ServerProcess> servers, double goalMs, Path dataDir) throws Exception {
        say("");
        say(label + ": one subscription on port " + subscribeTo.port() + ", writes to port " + writeTo.port() + " at "
                + fmt(o.rate) + "/s over " + o.writers + " connections");
        Sub sub = new Sub(0);
        long since = feedPosition(subscribeTo.port());
        GraphQLSocket socket = GraphQLSocket.open(client, ServerProcess.HOST, subscribeTo.port(), handler(Map.of("1", sub)))
                .get(60, TimeUnit.SECONDS);
        socket.subscribe("1", subscription, Map.of("since", since));
        long problemsBefore = problems.size();
        long outOfOrderBefore = outOfOrder.get();
        long unexpectedBefore = unexpected.get();

        Window warm = window(key + "-warmup", o.warmupWrites, 1);
        say("  warm-up: " + o.warmupWrites + " writes");
        Writes ww = write(warm, writeTo.port());
        warm.await();
        Histogram wh = warm.latencies();
        say(String.format(Locale.ROOT, "    events p50 %.1f ms, p99 %.1f ms, max %.1f ms; missing %d, twice %d, failed writes %d", ms(wh, 50), ms(wh, 99),
                wh.getMaxValue() / 1000.0, warm.missing(), warm.duplicates(), ww.failed()));
        long failed = ww.failed() + warm.missing() + warm.duplicates();

        Latency best = null;
        for (int attempt = 1; attempt <= o.attempts; attempt++) {
            Quiet.waitQuiet(o.waitQuietSeconds);
            Window w = window(key + "-" + attempt, o.writes, 1);
            say("  measuring: " + o.writes + " writes" + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
            CpuWindow cpu = CpuWindow.start(servers, dataDir);
            Writes r = write(w, writeTo.port());
            w.await();
            double others = cpu.others();
            Histogram h = w.latencies();
            Latency l = new Latency(w, r, h, others, cpu.seconds());
            say(String.format(Locale.ROOT, "    events: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (%d); missing %d, twice %d; "
                            + "failed writes %d; mutation answers p50 %.1f ms, p99 %.1f ms; sent at most %.1f ms late; other processes %.2f cores%s",
                    ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0, h.getTotalCount(), w.missing(), w.duplicates(), r.failed(),
                    ms(r.answers(), 50), ms(r.answers(), 99), r.maxLateMs(), others, others > Report.NOISE ? "  (NOISY)" : ""));
            failed += r.failed() + w.missing() + w.duplicates();
            if (best == null || !(others >= best.others())) {
                best = l;
            }
            if (!(others > Report.NOISE) || failed > 0) {
                break;
            }
            if (attempt < o.attempts) {
                say("  other processes took more than " + Report.NOISE + " cores: measuring again");
            }
        }
        socket.close().get(30, TimeUnit.SECONDS);
        long problemsNow = problems.size() - problemsBefore;
        long disordered = outOfOrder.get() - outOfOrderBefore;
        long strays = unexpected.get() - unexpectedBefore;
        boolean ok = failed == 0 && problemsNow == 0 && disordered == 0 && strays == 0;
        invalid |= !ok;
        noisy |= best.others() > Report.NOISE;

        Histogram h = best.events();
        double p99 = ms(h, 99);
        rows.add(new Row("**" + label + "**: write → event, " + String.format(Locale.ROOT, "%,d", best.window().writes) + " writes at " + fmt(o.rate)
                + "/s: p50 / p90 / **p99** / p99.9 (max)", String.format(Locale.ROOT, "%.1f / %.1f / **%.1f** / %.1f ms (%.1f ms)", ms(h, 50), ms(h, 90),
                p99, ms(h, 99.9), h.getMaxValue() / 1000.0), "p99 ≤ " + fmt(goalMs) + " ms", p99 <= goalMs ? "met" : "**MISSED**"));
        rows.add(new Row("  the mutation's own answer: p50 / p99; sent at most ... late (open loop)", String.format(Locale.ROOT,
                "%.1f / %.1f ms; %.1f ms", ms(best.writes().answers(), 50), ms(best.writes().answers(), 99), best.writes().maxLateMs()), "", ""));
        rows.add(new Row("  events received / missing / twice / out of order / unexpected; failed writes; subscription problems",
                String.format(Locale.ROOT, "%,d / %d / %d / %d / %d; %d; %d", h.getTotalCount(), best.window().missing(), best.window().duplicates(),
                        disordered, strays, best.writes().failed(), problemsNow),
                "all exactly once, in order", ok ? "valid" : "**INVALID**"));
        rows.add(new Row(String.format(Locale.ROOT, "  other processes' CPU during the measured %.0f s", best.seconds()), String.format(Locale.ROOT,
                "%.2f cores", best.others()), "≤ " + Report.NOISE, best.others() > Report.NOISE ? "NOISY" : "quiet"));
    }

    /**
     * Sends the window's writes at {@code o.rate} a second, open loop: write i is due at start + i / rate whatever became of
     * the earlier ones, on the first of {@code o.writers} connections free. Every answer is checked.
     */
    private Writes write(Window w, int port) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        AtomicLong maxLate = new AtomicLong();
        Histogram answers = new Histogram(1, 3_600_000_000L, 3);
        long start = System.nanoTime() + 10_000_000;
        long interval = (long) (1e9 / o.rate);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(o.writers, w.writes));
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < Math.min(o.writers, w.writes); t++) {
            writers.add(CompletableFuture.runAsync(() -> {
                HttpConnection conn = null;
                try {
                    for (int i = next.getAndIncrement(); i < w.writes; i = next.getAndIncrement()) {
                        long due = start + i * interval;
                        // pacing the load, not waiting for anything: park until the write is due
                        for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                            LockSupport.parkNanos(left);
                        }
                        if (conn == null) {
                            conn = new HttpConnection(ServerProcess.HOST, port, 60_000);
                        }
                        long sent = System.nanoTime();
                        maxLate.accumulateAndGet(sent - due, Math::max);
                        String problem;
                        try {
                            problem = mutate(conn, port, w, i, sent);
                        } catch (IOException e) {
                            problem = e.toString();
                            conn.close();
                            conn = null;
                        }
                        long answered = System.nanoTime();
                        synchronized (answers) {
                            answers.recordValue(Math.max(1, (answered - sent) / 1000));
                        }
                        if (problem != null) {
                            failed.incrementAndGet();
                            problem("write " + w.name(i) + ": " + problem);
                        }
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                    problem("cannot connect to write: " + e);
                } finally {
                    if (conn != null) {
                        conn.close();
                    }
                }
            }, pool));
        }
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();
        pool.shutdown();
        return new Writes(failed.get(), answers, maxLate.get() / 1e6);
    }

    /** Sends write {@code i} of the window (noting {@code sentAt} first); null when its answer is right, else what is wrong. */
    private static String mutate(HttpConnection conn, int port, Window w, int i, long sentAt) throws IOException {
        String name = w.name(i);
        byte[] body = ("{\"query\":" + RequestList.quote(MUTATION) + ",\"variables\":{\"name\":" + RequestList.quote(name) + "}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] request = HttpConnection.request("POST", ServerProcess.HOST, port, "/graphql", "application/json", body, true);
        w.sentAt[i] = sentAt;
        int status = conn.exchange(request);
        JsonSummary answer = JsonSummary.of(conn.body(), conn.bodyLength());
        if (status != 200 || answer.problem != null || answer.hasErrors() || !name.equals(answer.value("data.upsertRun.name"))) {
            return "HTTP " + status + " " + conn.bodyText();
        }
        return null;
    }

    // ------------------------------------------------------------------ 1,000 subscriptions: heap

    /** Heap after a full GC, in bytes, and the live objects by class (bytes) from the class histogram. */
    private record Heap(long used, long live, Map<String, Long> byClass, Proc.Rss rss) {
        double mb() {
            return used / 1024.0 / 1024.0;
        }
    }

    /** One shape of 1,000 subscriptions and what it cost. */
    private record Shape(int connections, int perConnection, Heap before, Heap open, Heap afterEvents, double openSeconds, Histogram fanout,
                         long missing, long duplicates, double others) {
        int subscriptions() {
            return connections * perConnection;
        }
    }

    private void heapPart(HttpClient client, Path dataDir) throws Exception {
        // a fresh server, with nothing but /ready and /metrics asked of it yet
        ServerProcess node = start("a fresh node for the heap (same data directory)", List.of("serve", "--data-dir", dataDir.toString()));
        // attaching starts the JVM's attach listener once: let that happen before any reading
        Proc.run(List.of(jcmd.toString(), Long.toString(node.pid()), "VM.version"));
        say("");
        say("heap: warming up the subscription path (10 connections x 1 and 1 x 10 subscriptions, an event, closed) so that "
                + "classes loaded once are not counted as the subscriptions' cost");
        int total = o.subscriptions;
        subscriptions(client, node, dataDir, 10, 1, 1, "warmup-a", false);
        subscriptions(client, node, dataDir, 1, 10, 1, "warmup-b", false);
        List<Shape> shapes = new ArrayList<>();
        shapes.add(subscriptions(client, node, dataDir, total, 1, o.fanoutWrites, "fan1", true));
        if (o.perConnection > 1 && total % o.perConnection == 0) {
            shapes.add(subscriptions(client, node, dataDir, total / o.perConnection, o.perConnection, o.fanoutWrites, "fan" + o.perConnection, true));
        }
        Heap end = heap(node);
        say(String.format(Locale.ROOT, "  heap after everything closed: %.1f MB", end.mb()));
        stop(node);

        for (Shape s : shapes) {
            // the node's heap without subscriptions: the lower of the readings before the first shape and before this one.
            // After 1,000 connections closed, a reading has now and then held about 4 MB more (int[], gone a second later,
            // while the heap after everything closed is back where the first shape began): that would hide part of the cost
            long base = Math.min(s.before().used(), shapes.get(0).before().used());
            double deltaOpen = (s.open().used() - base) / 1024.0 / 1024.0;
            double deltaEvents = (s.afterEvents().used() - base) / 1024.0 / 1024.0;
            double worst = Math.max(deltaOpen, deltaEvents);
            String shape = String.format(Locale.ROOT, "%,d connections × %d", s.connections(), s.perConnection());
            rows.add(new Row("**" + String.format(Locale.ROOT, "%,d", s.subscriptions()) + " subscriptions, " + shape
                    + "**: heap after a full GC, none open → open → after " + o.fanoutWrites + " events (growth, per subscription)",
                    String.format(Locale.ROOT, "%.1f → %.1f → %.1f MB (**+%.1f MB**, %.0f KB each)", base / 1048576.0, s.open().mb(), s.afterEvents().mb(),
                            worst, worst * 1024 / s.subscriptions()), "< " + fmt(GOAL_HEAP_MB) + " MB", worst < GOAL_HEAP_MB ? "met" : "**MISSED**"));
            rows.add(new Row("  server JVM RSS before → open (for reference); time to open them all", String.format(Locale.ROOT,
                    "%.0f → %.0f MB; %.1f s", s.before().rss().mb(), s.open().rss().mb(), s.openSeconds()), "", ""));
            Histogram f = s.fanout();
            boolean ok = s.missing() == 0 && s.duplicates() == 0;
            rows.add(new Row(String.format(Locale.ROOT, "  fan-out of %d writes to every subscriber, write → event: p50 / p99 / max; other processes",
                    o.fanoutWrites), String.format(Locale.ROOT, "%.0f / %.0f / %.0f ms; %.2f cores", ms(f, 50), ms(f, 99), f.getMaxValue() / 1000.0,
                    s.others()), "", ""));
            rows.add(new Row("  events received / missing / twice", String.format(Locale.ROOT, "%,d / %d / %d", f.getTotalCount(), s.missing(),
                    s.duplicates()), "every subscriber, once", ok ? "valid" : "**INVALID**"));
        }
        rows.add(new Row("  heap after all were closed (the first shape began at " + String.format(Locale.ROOT, "%.1f MB", shapes.get(0).before().mb())
                + ")", String.format(Locale.ROOT, "%.1f MB", end.mb()), "", ""));
        boolean problemsFree = problems.isEmpty() && outOfOrder.get() == 0 && unexpected.get() == 0;
        invalid |= !problemsFree;
    }

    /**
     * Opens {@code connections} WebSockets with {@code perConnection} subscriptions each, waits until the node counts them
     * all, reads the heap, fans {@code events} writes out to them, reads the heap again, and closes them.
     */
    private Shape subscriptions(HttpClient client, ServerProcess node, Path dataDir, int connections, int perConnection, int events,
                                String key, boolean measure) throws Exception {
        int total = connections * perConnection;
        if (measure) {
            say("");
            say(String.format(Locale.ROOT, "%,d subscriptions as %,d connections x %d:", total, connections, perConnection));
        }
        Heap before = measure ? heap(node) : null;
        if (measure) {
            say(String.format(Locale.ROOT, "  heap after a full GC: %.1f MB (live objects %.1f MB); RSS %.0f MB", before.mb(), before.live() / 1048576.0,
                    before.rss().mb()));
        }
        long since = feedPosition(node.port());
        List<Sub> subs = new ArrayList<>();
        List<GraphQLSocket> sockets = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        // at most 32 handshakes at a time: what matters is the open connections, not a storm of them
        Semaphore handshakes = new Semaphore(32);
        List<CompletableFuture<?>> opened = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Map<String, Sub> byId = new HashMap<>();
            for (int j = 0; j < perConnection; j++) {
                Sub s = new Sub(subs.size());
                subs.add(s);
                byId.put("s" + j, s);
            }
            handshakes.acquire();
            opened.add(GraphQLSocket.open(client, ServerProcess.HOST, node.port(), handler(byId)).whenComplete((socket, e) -> {
                handshakes.release();
                if (e != null) {
                    problem("could not open a WebSocket: " + e);
                    return;
                }
                sockets.add(socket);
                for (String id : byId.keySet()) {
                    socket.subscribe(id, subscription, Map.of("since", since));
                }
            }));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(5, TimeUnit.MINUTES);
        awaitSubscriptions(node.port(), total);
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        Heap open = null;
        if (measure) {
            say(String.format(Locale.ROOT, "  all %,d open after %.1f s (the node's mlcatalog_subscriptions says so)", total, openSeconds));
            open = heap(node);
            say(String.format(Locale.ROOT, "  heap after a full GC: %.1f MB (+%.1f MB, %.1f KB a subscription); RSS %.0f MB", open.mb(),
                    open.mb() - before.mb(), (open.used() - before.used()) / 1024.0 / total, open.rss().mb()));
            growth(before, open);
        }

        // fan-out: one write at a time, each awaited at every subscriber
        Window w = window(key, events, total);
        CpuWindow cpu = measure ? CpuWindow.start(List.of(node), dataDir) : null;
        try (HttpConnection conn = new HttpConnection(ServerProcess.HOST, node.port(), 60_000)) {
            for (int i = 0; i < events; i++) {
                String problem = mutate(conn, node.port(), w, i, System.nanoTime());
                if (problem != null) {
                    problem("write " + w.name(i) + ": " + problem);
                }
                w.arrived[i].await(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        double others = cpu == null ? Double.NaN : cpu.others();
        Histogram fanout = w.latencies();
        Heap afterEvents = null;
        if (measure) {
            say(String.format(Locale.ROOT, "  %d writes fanned out: write → event p50 %.0f ms, p99 %.0f ms, max %.0f ms; %,d received, %d missing, %d twice",
                    events, ms(fanout, 50), ms(fanout, 99), fanout.getMaxValue() / 1000.0, fanout.getTotalCount(), w.missing(), w.duplicates()));
            afterEvents = heap(node);
            say(String.format(Locale.ROOT, "  heap after a full GC: %.1f MB (+%.1f MB over before)", afterEvents.mb(), afterEvents.mb() - before.mb()));
        } else if (w.missing() > 0 || w.duplicates() > 0) {
            problem("warm-up: " + w.missing() + " events missing, " + w.duplicates() + " twice");
        }
        List<CompletableFuture<?>> closed = new ArrayList<>();
        for (GraphQLSocket s : sockets) {
            closed.add(s.close());
        }
        CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(2, TimeUnit.MINUTES);
        awaitSubscriptions(node.port(), 0);
        // and until the node has let go of the connections themselves (the one left is the scrape's own), so that the next
        // shape's heap is not read while the last one's are still being torn down
        awaitMetric(node.port(), "vertx_http_server_active_connections", 1);
        if (!measure) {
            return null;
        }
        invalid |= w.missing() > 0 || w.duplicates() > 0;
        return new Shape(connections, perConnection, before, open, afterEvents, openSeconds, fanout, w.missing(), w.duplicates(), others);
    }

    /** Polls the node's /metrics until {@code mlcatalog_subscriptions} is {@code expected} (2 minutes at most). */
    private static void awaitSubscriptions(int port, int expected) throws IOException, InterruptedException {
        awaitMetric(port, "mlcatalog_subscriptions", expected);
    }

    /** Polls the node's /metrics until the metric (without labels) is {@code expected} (2 minutes at most). */
    private static void awaitMetric(int port, String name, long expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            last = metric(port, name);
            if (last == expected) {
                return;
            }
            Thread.sleep(50);
        }
        throw new BenchException("the node's " + name + " was " + last + ", not " + expected + ", after 2 minutes");
    }

    /** Forces a full GC in the server and reads its heap: used after it (GC.heap_info) and the live objects by class. */
    private Heap heap(ServerProcess node) {
        String pid = Long.toString(node.pid());
        // GC.class_histogram collects first (a full GC) and counts what survived
        String histogram = Proc.run(List.of(jcmd.toString(), pid, "GC.class_histogram"));
        Proc.run(List.of(jcmd.toString(), pid, "GC.run"));
        String info = Proc.run(List.of(jcmd.toString(), pid, "GC.heap_info"));
        long usedKb = 0;
        Matcher m = HEAP_USED.matcher(info);
        boolean found = false;
        while (m.find()) {
            usedKb += Long.parseLong(m.group(1));
            found = true;
        }
        if (!found) {
            throw new BenchException("cannot read the heap from jcmd " + pid + " GC.heap_info:\n" + info);
        }
        Map<String, Long> byClass = new HashMap<>();
        long live = -1;
        for (String line : histogram.split("\n")) {
            Matcher row = HISTOGRAM_ROW.matcher(line);
            if (row.find()) {
                byClass.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
            }
            Matcher t = HISTOGRAM_TOTAL.matcher(line);
            if (t.find()) {
                live = Long.parseLong(t.group(2));
            }
        }
        return new Heap(usedKb * 1024, live, byClass, Proc.rss(node.pid()));
    }

    /** Prints the classes whose live objects grew most: where a subscription's heap goes. */
    private static void growth(Heap before, Heap after) {
        Map<String, Long> grew = new HashMap<>();
        after.byClass().forEach((k, v) -> grew.put(k, v - before.byClass().getOrDefault(k, 0L)));
        say("  live objects that grew most (jcmd GC.class_histogram):");
        grew.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12).forEach(e ->
                say(String.format(Locale.ROOT, "    %+9.1f KB  %s", e.getValue() / 1024.0, e.getKey())));
    }

    // ------------------------------------------------------------------ servers and the machine

    private ServerProcess start(String what, List<String> args) {
        Quiet.waitQuiet(o.waitQuietSeconds);
        ServerProcess s = ServerProcess.launch(java, o.jvmOptions, o.jar, args);
        running.add(s);
        double ready = s.awaitReady(START_TIMEOUT, 50) / 1e9;
        say(String.format(Locale.ROOT, "%s: ready in %.1f s (pid %d, port %d)", what, ready, s.pid(), s.port()));
        return s;
    }

    private void stop(ServerProcess s) {
        s.stop();
        running.remove(s);
    }

    /** Stops the servers still running, the last started first (node B before the node whose PostgreSQL it uses). */
    private void stopAll() {
        List<ServerProcess> left;
        synchronized (running) {
            left = new ArrayList<>(running);
            running.clear();
        }
        Collections.reverse(left);
        left.forEach(ServerProcess::close);
    }

    /**
     * The change feed's position on a node: a subscription made with it as since: misses nothing written after. The gauge
     * is registered just after the HTTP server starts listening, so right after /ready it may not be there yet: polled.
     */
    private static long feedPosition(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        double position = metric(port, "mlcatalog_change_feed_position");
        while (Double.isNaN(position) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            position = metric(port, "mlcatalog_change_feed_position");
        }
        if (Double.isNaN(position)) {
            throw new BenchException("the node's /metrics has no mlcatalog_change_feed_position");
        }
        return (long) position;
    }

    /** A metric without labels from the node's /metrics; NaN when it is not there. */
    private static double metric(int port, String name) throws IOException {
        try (HttpConnection c = new HttpConnection(ServerProcess.HOST, port, 30_000)) {
            int status = c.exchange(HttpConnection.request("GET", ServerProcess.HOST, port, "/metrics", null, null, true));
            if (status != 200) {
                throw new BenchException("/metrics answered " + status + ": " + c.bodyText());
            }
            for (String line : c.bodyText().split("\n")) {
                if (line.startsWith(name + " ")) {
                    return Double.parseDouble(line.substring(name.length() + 1).trim());
                }
            }
            return Double.NaN;
        }
    }

    private static int postgresPort(Path dataDir) throws IOException {
        // postmaster.pid: pid, data directory, start time, port, ...
        return Integer.parseInt(Files.readAllLines(dataDir.resolve("pg-data").resolve("postmaster.pid")).get(3).strip());
    }

    /** CPU over a window: what the whole machine used less what the servers, their PostgreSQL and this client used. */
    private static final class CpuWindow {
        private final List<ProcessHandle> ours;
        private final Path dataDir;
        private final Proc.MachineCpu machine;
        private final long oursNanos;
        private final long start;

        private CpuWindow(List<ProcessHandle> ours, Path dataDir) {
            this.ours = ours;
            this.dataDir = dataDir;
            this.machine = Proc.machineCpu();
            this.oursNanos = cpu();
            this.start = System.nanoTime();
        }

        static CpuWindow start(List<ServerProcess> servers, Path dataDir) {
            List<ProcessHandle> ours = new ArrayList<>();
            servers.forEach(s -> ProcessHandle.of(s.pid()).ifPresent(ours::add));
            ours.add(ProcessHandle.current());
            return new CpuWindow(ours, dataDir);
        }

        private long cpu() {
            // PostgreSQL's backends come and go: read them anew each time
            return Proc.cpuNanos(ours) + (dataDir == null ? 0 : Proc.cpuNanos(Proc.postgres(dataDir)));
        }

        double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        /** Cores other processes kept busy since the start. */
        double others() {
            Proc.MachineCpu now = Proc.machineCpu();
            double seconds = seconds();
            long used = cpu() - oursNanos;
            return machine == null || now == null ? Double.NaN
                    : Math.max(0, now.coresBusySince(machine, Runtime.getRuntime().availableProcessors()) - used / 1e9 / seconds);
        }
    }

    // ------------------------------------------------------------------ the report

    private record Row(String what, String result, String goal, String verdict) {
    }

    private void print(ZonedDateTime started) {
        say("");
        say("== Summary: live ==");
        say("started " + started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceFirst("\\.\\d+", "") + " on " + Proc.machine());
        say("server: java " + (o.jvmOptions.isEmpty() ? "" : String.join(" ", o.jvmOptions) + " ") + "-jar " + o.jar.getFileName()
                + " serve (" + ServeBench.Ergonomics.of(java, o.jvmOptions) + ")"
                + (o.parts.contains("two-nodes") ? "; node B with --database-url to node A's embedded PostgreSQL" : ""));
        say("subscription: " + subscription);
        say("write: " + MUTATION + " (a new run name each)");
        say("");
        int a = "measure".length(), b = "result".length(), c = "goal".length(), d = 1;
        for (Row r : rows) {
            a = Math.max(a, r.what().length());
            b = Math.max(b, r.result().length());
            c = Math.max(c, r.goal().length());
            d = Math.max(d, r.verdict().length());
        }
        String format = "| %-" + a + "s | %-" + b + "s | %-" + c + "s | %-" + d + "s |";
        say(String.format(format, "measure", "result", "goal", ""));
        say("|" + "-".repeat(a + 2) + "|" + "-".repeat(b + 2) + "|" + "-".repeat(c + 2) + "|" + "-".repeat(d + 2) + "|");
        rows.forEach(r -> say(String.format(format, r.what(), r.result(), r.goal(), r.verdict())));
        if (!problems.isEmpty() || outOfOrder.get() > 0 || unexpected.get() > 0) {
            say("");
            say("problems: " + problems.size() + " (first few below); events out of order: " + outOfOrder.get() + "; unexpected events: " + unexpected.get());
            problems.stream().limit(10).forEach(p -> say("  " + p));
        }
        say("");
        say(noisy ? "NOISY: other processes took more than " + Report.NOISE + " cores during a latency measurement; re-run on a quiet machine"
                : "other processes took at most " + Report.NOISE + " cores during the latency measurements (quiet)");
        say(invalid ? "NOT VALID: an event was missing, came twice or out of order, or a write or subscription failed (see above)"
                : "every write's event came to every subscriber exactly once, in order: the figures are valid");
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.format(Locale.ROOT, "%,d", (long) d) : Double.toString(d);
    }

    static void say(String line) {
        ServeBench.say(line);
    }

}
