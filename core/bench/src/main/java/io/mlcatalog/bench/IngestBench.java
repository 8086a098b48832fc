package io.mlcatalog.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * OpenLineage ingest throughput: events accepted per second at {@code POST /api/v1/lineage}, sent as
 * single events by 8 concurrent clients, and as batches of 500. The events are the Airflow corpus's,
 * replayed as many DAG runs: each replay gets run ids of its own (so every event is new work for the
 * catalog) while the datasets stay the same, as in production where the same tables are read and written
 * every day. Every answer is checked (201, or 500 accepted in a batch); a run with a failed answer is invalid.
 * With the receiver acknowledging once events are stored ({@code acknowledge: queued}) it also reports how fast
 * they got into the catalog: events over the time from the first request until the intake queue is empty.
 */
final class IngestBench {
    private static final Pattern RUN_ID = Pattern.compile("\"runId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

    static final class Options {
        Path jar;
        Path dataDir;
        boolean keepDataDir;
        Path corpus;
        List<String> jvmOptions = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");
        List<String> acknowledge = List.of("written", "queued");
        /** Measure acceptance only: do not wait for queued events to be written (for a server started with no intake workers). */
        boolean acceptOnly;
        int singleClients = 8;
        int singleEvents = 20_000;
        int batchClients = 2;
        int batchSize = 500;
        int batchEvents = 200_000;
        /** Which parts run: single events, batches, or both. */
        boolean sendSingle = true;
        boolean sendBatches = true;
        int warmupEvents = 20_000;
        /** Events sent in batches, unmeasured, before the batches measured: the batch path's code compiled, as in a server running for a while. */
        int warmupBatchEvents = 100_000;
    }

    private final Options o;
    private final List<String> templates = new ArrayList<>();

    IngestBench(Options o) {
        this.o = o;
    }

    int run() throws Exception {
        loadTemplates();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        System.out.printf("ingest bench: %d corpus events as templates, server %s %s%n", templates.size(), String.join(" ", o.jvmOptions),
                o.jar);
        Map<String, String> results = new LinkedHashMap<>();
        boolean failed = false;
        for (String mode : o.acknowledge) {
            failed |= measure(java, mode, results);
        }
        System.out.println();
        System.out.println("| acknowledge | sending | events | accepted/s | request latency p50 / p99 | written/s (until in the catalog) | failed answers "
                + "| CPU per event until the last answer: server / PostgreSQL / clients |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        results.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
        System.out.printf("%nmachine: %s, %s, %s cores; load average now %s; goals: >= 2,000 events/s single, >= 20,000 batched%n",
                Proc.cpuModel(), Proc.memTotal(), Runtime.getRuntime().availableProcessors(), Proc.loadAverage());
        return failed ? 1 : 0;
    }

    /** One server with the receiver acknowledging {@code mode}: warm-up, single events, batches. Returns whether an answer failed. */
    private boolean measure(Path java, String mode, Map<String, String> results) throws Exception {
        Path dataDir = o.dataDir != null ? o.dataDir.resolve(mode) : Files.createTempDirectory("mlcatalog-ingest-bench");
        Files.createDirectories(dataDir);
        Path config = dataDir.resolveSibling(dataDir.getFileName() + "-mlcatalog.yaml");
        Files.writeString(config, "plugins:\n  - name: openlineage\n    type: openlineage\n    acknowledge: " + mode + "\n");
        boolean queued = mode.equals("queued");
        try (ServerProcess server = ServerProcess.launch(java, o.jvmOptions, o.jar,
                List.of("serve", "--data-dir", dataDir.toString(), "--config", config.toString()))) {
            server.awaitReady(Duration.ofMinutes(3), 50);
            AtomicLong next = new AtomicLong();
            long failures = 0;
            if (o.sendSingle) {
                System.out.printf("acknowledge %s: warm-up, %d single events%n", mode, o.warmupEvents);
                singles(server.port(), next, o.warmupEvents, o.singleClients);
                awaitWritten(server.port(), queued);

                long[] cpu = cpu(server, dataDir);
                double[] grouped = transactions(server.port());
                Result singleAccepted = singles(server.port(), next, o.singleEvents, o.singleClients);
                String singleCpu = cpuPerEvent(cpu, cpu(server, dataDir), o.singleEvents);
                double[] groupedAfter = transactions(server.port());
                if (!queued && grouped != null && groupedAfter != null) {
                    double count = groupedAfter[0] - grouped[0];
                    System.out.printf("single events: %,.0f transactions, %.2f requests per transaction%n", count,
                            (groupedAfter[1] - grouped[1]) / count);
                }
                Result single = singleAccepted.writtenAfter(awaitWritten(server.port(), queued));
                System.out.println("single events: " + single + "; CPU per event until the last answer: " + singleCpu);
                results.put(mode + " | single events, " + o.singleClients + " clients", single.summary() + " | " + singleCpu);
                failures += single.failures;
            }
            if (o.sendBatches) {
                System.out.printf("acknowledge %s: warm-up, %d events in batches%n", mode, o.warmupBatchEvents);
                batches(server.port(), next, o.warmupBatchEvents, o.batchClients, o.batchSize);
                awaitWritten(server.port(), queued);
                System.out.printf("acknowledge %s: measuring %d events in batches%n", mode, o.batchEvents);
                long[] cpu = cpu(server, dataDir);
                Result accepted = batches(server.port(), next, o.batchEvents, o.batchClients, o.batchSize);
                String batchCpu = cpuPerEvent(cpu, cpu(server, dataDir), o.batchEvents);
                System.out.printf("acknowledge %s: all %d answered%n", mode, o.batchEvents);
                Result batch = accepted.writtenAfter(awaitWritten(server.port(), queued));
                System.out.println("batches: " + batch + "; CPU per event until the last answer: " + batchCpu);
                results.put(mode + " | batches of " + o.batchSize + ", " + o.batchClients + " clients", batch.summary() + " | " + batchCpu);
                failures += batch.failures;
            }
            server.stop();
            return failures > 0;
        } finally {
            Files.deleteIfExists(config);
            if (!o.keepDataDir) {
                deleteTree(dataDir);
            }
        }
    }

    /** CPU used so far, in nanoseconds: by the server's JVM, by its PostgreSQL, by this process (the clients). */
    private static long[] cpu(ServerProcess server, Path dataDir) {
        return new long[]{Proc.cpuNanos(ProcessHandle.of(server.pid()).stream().toList()), Proc.cpuNanos(Proc.postgres(dataDir)),
                Proc.cpuNanos(List.of(ProcessHandle.current()))};
    }

    /**
     * The receiver's transactions and the requests they held so far ({@code mlcatalog_receiver_transaction_requests}
     * of its metrics), or null when the server has no such metric (a build before it).
     */
    private static final Pattern TRANSACTIONS_COUNT = transactionsSeries("count");
    private static final Pattern TRANSACTIONS_SUM = transactionsSeries("sum");

    private static Pattern transactionsSeries(String suffix) {
        return Pattern.compile("(?m)^mlcatalog_receiver_transaction_requests_" + suffix + "\\{instance=\"openlineage\",?\\} (\\S+)$");
    }

    private static double[] transactions(int port) throws IOException {
        try (HttpConnection conn = new HttpConnection(ServerProcess.HOST, port, 60_000)) {
            int status = conn.exchange(HttpConnection.request("GET", ServerProcess.HOST, port, "/metrics", null, null, true));
            String body = conn.bodyText();
            Matcher count = TRANSACTIONS_COUNT.matcher(body);
            Matcher sum = TRANSACTIONS_SUM.matcher(body);
            if (status != 200 || !count.find() || !sum.find()) {
                return null;
            }
            return new double[]{Double.parseDouble(count.group(1)), Double.parseDouble(sum.group(1))};
        }
    }

    /** CPU used between two readings, in µs per event: server / PostgreSQL / clients. */
    private static String cpuPerEvent(long[] before, long[] after, long events) {
        return String.format("%.0f / %.0f / %.0f µs", (after[0] - before[0]) / 1e3 / events, (after[1] - before[1]) / 1e3 / events,
                (after[2] - before[2]) / 1e3 / events);
    }

    /**
     * Waits until the receiver's intake queue is empty (every accepted event is in the catalog), looking every
     * 20 ms; returns the seconds waited (0 when the receiver writes before it answers).
     */
    private double awaitWritten(int port, boolean queued) throws IOException, InterruptedException {
        if (!queued) {
            return 0;
        }
        if (o.acceptOnly) {
            return Double.NaN;
        }
        long start = System.nanoTime();
        byte[] query = "{\"query\":\"{ plugins { instance queued } }\"}".getBytes(StandardCharsets.UTF_8);
        Pattern queuedCount = Pattern.compile("\"instance\":\"openlineage\",\"queued\":(\\d+)");
        try (HttpConnection conn = new HttpConnection(ServerProcess.HOST, port, 60_000)) {
            while (true) {
                int status = conn.exchange(HttpConnection.request("POST", ServerProcess.HOST, port, "/graphql", "application/json", query, true));
                Matcher m = queuedCount.matcher(conn.bodyText());
                if (status != 200 || !m.find()) {
                    throw new BenchException("the catalog's plugin status could not be read: " + status + " " + conn.bodyText());
                }
                if (Long.parseLong(m.group(1)) == 0) {
                    return (System.nanoTime() - start) / 1e9;
                }
                if (System.nanoTime() - start > Duration.ofMinutes(30).toNanos()) {
                    throw new BenchException("the intake queue did not empty within 30 minutes");
                }
                Thread.sleep(20);
            }
        }
    }

    /** What one load produced. */
    record Result(long events, double seconds, long failures, long[] latenciesMicros, double writtenAfterSeconds) {
        Result(long events, double seconds, long failures, long[] latenciesMicros) {
            this(events, seconds, failures, latenciesMicros, 0);
        }

        /** The same load, its events all in the catalog this many seconds after the last answer. */
        Result writtenAfter(double more) {
            return new Result(events, seconds, failures, latenciesMicros, more);
        }

        String summary() {
            return String.format("%,d | %,.0f | %.1f / %.1f ms | %,.0f | %d", events, events / seconds, percentile(50) / 1000.0,
                    percentile(99) / 1000.0, Double.isNaN(writtenAfterSeconds) ? Double.NaN : events / (seconds + writtenAfterSeconds), failures).replace("NaN", "-");
        }

        long percentile(double p) {
            if (latenciesMicros.length == 0) {
                return 0;
            }
            long[] sorted = latenciesMicros.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1)];
        }

        @Override
        public String toString() {
            return summary().replace(" | ", ", ");
        }
    }

    private Result singles(int port, AtomicLong next, int events, int clients) throws Exception {
        return load(clients, events, 1, port, next, (conn, batch) -> {
            byte[] request = HttpConnection.request("POST", ServerProcess.HOST, port, "/api/v1/lineage", "application/json",
                    batch.get(0).getBytes(StandardCharsets.UTF_8), true);
            int status = conn.exchange(request);
            return status == 201 ? 1 : 0;
        });
    }

    private Result batches(int port, AtomicLong next, int events, int clients, int size) throws Exception {
        return load(clients, events, size, port, next, (conn, batch) -> {
            byte[] body = ("[" + String.join(",", batch) + "]").getBytes(StandardCharsets.UTF_8);
            int status = conn.exchange(HttpConnection.request("POST", ServerProcess.HOST, port, "/api/v1/lineage", "application/json", body,
                    true));
            if (status != 200) {
                return 0;
            }
            Matcher m = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)").matcher(conn.bodyText());
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        });
    }

    private interface Exchange {
        /** Sends a request of these events; returns how many were accepted. */
        int send(HttpConnection conn, List<String> events) throws IOException;
    }

    private Result load(int clients, int events, int perRequest, int port, AtomicLong next, Exchange exchange) throws Exception {
        int requests = (events + perRequest - 1) / perRequest;
        AtomicLong sent = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long[] latencies = new long[requests];
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            workers.add(pool.submit(() -> {
                try (HttpConnection conn = new HttpConnection(ServerProcess.HOST, port, 120_000)) {
                    for (long r = sent.getAndIncrement(); r < requests; r = sent.getAndIncrement()) {
                        List<String> batch = new ArrayList<>(perRequest);
                        for (int k = 0; k < perRequest; k++) {
                            batch.add(event(next.getAndIncrement()));
                        }
                        long t = System.nanoTime();
                        int ok = exchange.send(conn, batch);
                        latencies[(int) r] = (System.nanoTime() - t) / 1000;
                        accepted.addAndGet(ok);
                        if (ok != batch.size()) {
                            failures.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Result(accepted.get(), seconds, failures.get(), latencies);
    }

    /** Event {@code n}: corpus event {@code n mod size}, of the DAG run {@code n / size}, with run ids of that DAG run. */
    private String event(long n) {
        String template = templates.get((int) (n % templates.size()));
        long dagRun = n / templates.size();
        Matcher m = RUN_ID.matcher(template);
        StringBuilder out = new StringBuilder(template.length());
        while (m.find()) {
            UUID original = UUID.fromString(m.group(1));
            UUID replay = new UUID(original.getMostSignificantBits() ^ (dagRun * 0x9E3779B97F4A7C15L), original.getLeastSignificantBits() + dagRun);
            m.appendReplacement(out, Matcher.quoteReplacement("\"runId\":\"" + replay + "\""));
        }
        m.appendTail(out);
        return out.toString();
    }

    private void loadTemplates() throws IOException {
        Path dir = o.corpus;
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BenchException("the OpenLineage corpus is not at " + dir + " (--corpus DIR: a folder of Airflow events, e.g. "
                    + "../shared/corpus/openlineage/airflow/events)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted(Comparator.comparing(Path::toString)).toList()) {
                templates.add(Files.readString(f).replaceAll("\\s*\\n\\s*", " "));
            }
        }
        if (templates.isEmpty()) {
            throw new BenchException("no .json events in " + dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
