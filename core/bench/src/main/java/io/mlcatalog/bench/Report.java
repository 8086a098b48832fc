package io.mlcatalog.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of {@code serve}, printed at the end as a Markdown table (pasteable into docs/benchmarks.md). */
final class Report {
    double coldReady;
    double coldLine;
    double coldStop;
    int seeded;
    /** One warm start: seconds from launch to /ready 200 and to the ready line, seconds to stop; cores others used meanwhile. */
    record WarmStart(double ready, double line, double stop, double others) {
    }

    final List<WarmStart> warmStarts = new ArrayList<>();
    /** Starts that other processes disturbed and that were repeated. */
    int warmStartsDisturbed;

    double maxOthersDuringWarmStarts() {
        return warmStarts.stream().mapToDouble(WarmStart::others).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
    }

    record Memory(List<String> jvm, String ergonomics, Proc.Rss rss, long postgresPssKb) {
    }

    final Map<String, Memory> memory = new LinkedHashMap<>();
    Proc.Rss rssAfterLoad;

    /** A measured load and the CPU, in cores, used meanwhile; {@code machine} is everything busy on the machine. */
    record Throughput(QueryLoad.Result result, double cpuServer, double cpuPostgres, double cpuClient, double cpuMachine) {
        /** Cores that processes other than the server, its PostgreSQL and this client kept busy. */
        double others() {
            return Math.max(0, cpuMachine - cpuServer - cpuPostgres - cpuClient);
        }
    }

    /** Every measured load; the one reported is the one that other processes disturbed least. */
    final List<Throughput> attempts = new ArrayList<>();

    Throughput throughput() {
        return attempts.stream().min(java.util.Comparator.comparingDouble(t -> Double.isNaN(t.others()) ? 0 : t.others())).orElse(null);
    }

    double backgroundAtIdle = Double.NaN;

    /** One load of the access control comparison. */
    record AuthRun(boolean on, Throughput throughput) {
    }

    final List<AuthRun> authRuns = new ArrayList<>();

    static final double GOAL_AUTH_OVERHEAD = 0.05;

    long failures;
    long checked;
    final List<String> failureSamples = new ArrayList<>();
    java.time.ZonedDateTime started;
    String machine;
    String loadBefore;
    String loadAfter;

    boolean valid() {
        boolean measured = throughput() != null && throughput().result().ok > 0;
        boolean authMeasured = !authRuns.isEmpty() && authRuns.stream().allMatch(a -> a.throughput().result().ok > 0);
        return failures == 0 && (measured || authMeasured);
    }

    void print(ServeBench.Options o) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("cold start to /ready 200 (unpack binaries, initdb, migrate)", s(coldReady), "", ""));
        rows.add(new Row("cold start to 'mlcatalog is ready' (+ demo data load)", s(coldLine), "", ""));
        if (!warmStarts.isEmpty()) {
            double[] w = minMedianMax(warmStarts.stream().map(WarmStart::ready).toList());
            rows.add(new Row("warm start to /ready 200 (" + warmStarts.size() + "x): min / median / max",
                    String.format(Locale.ROOT, "%.2f / %.2f / %.2f s", w[0], w[1], w[2]),
                    "≤ " + fmt(ServeBench.GOAL_WARM_START_S) + " s", verdict(w[1] <= ServeBench.GOAL_WARM_START_S, w[2] <= ServeBench.GOAL_WARM_START_S)));
            double[] wl = minMedianMax(warmStarts.stream().map(WarmStart::line).toList());
            rows.add(new Row("warm start to 'mlcatalog is ready' line: min / median / max",
                    String.format(Locale.ROOT, "%.2f / %.2f / %.2f s", wl[0], wl[1], wl[2]), "", ""));
            double[] ws = minMedianMax(warmStarts.stream().map(WarmStart::stop).toList());
            rows.add(new Row("stop on SIGTERM: min / median / max", String.format(Locale.ROOT, "%.2f / %.2f / %.2f s", ws[0], ws[1], ws[2]), "", ""));
        }
        boolean first = true;
        for (Map.Entry<String, Memory> e : memory.entrySet()) {
            Memory m = e.getValue();
            rows.add(new Row("RSS at idle, server JVM, " + e.getKey() + " [" + m.ergonomics() + "]",
                    String.format(Locale.ROOT, "%.0f MB", m.rss().mb()), "≤ " + fmt(ServeBench.GOAL_RSS_MB) + " MB",
                    m.rss().mb() <= ServeBench.GOAL_RSS_MB ? "met" : "MISSED"));
            if (first && m.postgresPssKb() >= 0) {
                rows.add(new Row("  (for reference) embedded PostgreSQL, all its processes, PSS", ServeBench.mb(m.postgresPssKb()), "", ""));
            }
            first = false;
        }
        if (rssAfterLoad != null) {
            rows.add(new Row("  (for reference) server JVM RSS right after the throughput run, " + ServeBench.describe(o.jvmOptions),
                    String.format(Locale.ROOT, "%.0f MB", rssAfterLoad.mb()), "", ""));
        }
        Throughput t = throughput();
        if (t != null) {
            QueryLoad.Result r = t.result();
            rows.add(new Row("throughput, " + o.connections + " connections (" + r.connectionsOpened + " sockets opened), "
                    + fmt(o.warmupSeconds) + " s warm-up + " + fmt(o.measureSeconds) + " s measured", String.format(Locale.ROOT, "%.1f req/s", r.requestsPerSecond()), "", ""));
            rows.add(new Row("latency p50 / p95 / p99 (max)", String.format(Locale.ROOT, "%.2f / %.2f / %.2f ms (%.1f ms)",
                    r.percentileMillis(50), r.percentileMillis(95), r.percentileMillis(99), r.latency.getMaxValue() / 1000.0), "", ""));
            rows.add(new Row("CPU in the measured window, cores: server JVM / PostgreSQL / client / other processes",
                    String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f of %d", t.cpuServer(), t.cpuPostgres(), t.cpuClient(), t.others(),
                            Runtime.getRuntime().availableProcessors()), "", ""));
            rows.add(new Row("CPU time per request: server JVM / PostgreSQL (less sensitive to other load than req/s)",
                    String.format(Locale.ROOT, "%.2f / %.2f ms", t.cpuServer() * 1000 / r.requestsPerSecond(),
                            t.cpuPostgres() * 1000 / r.requestsPerSecond()), "", ""));
            if (attempts.size() > 1) {
                StringBuilder all = new StringBuilder();
                for (Throughput a : attempts) {
                    all.append(all.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f req/s (others %.2f)",
                            a.result().requestsPerSecond(), a.others()));
                }
                rows.add(new Row("  measured " + attempts.size() + " times (others took CPU); reported: the quietest", all.toString(), "", ""));
            }
        }
        if (!authRuns.isEmpty()) {
            double off = median(authRuns, false, true);
            double on = median(authRuns, true, true);
            double cpuOff = median(authRuns, false, false);
            double cpuOn = median(authRuns, true, false);
            rows.add(new Row("throughput, access control off / on (median of " + authRuns.size() / 2 + " alternating rounds each)",
                    String.format(Locale.ROOT, "%.1f / %.1f req/s", off, on), "", ""));
            double overhead = 1 - on / off;
            rows.add(new Row("**overhead of access control** (1 - on / off)", String.format(Locale.ROOT, "%.1f %%", overhead * 100),
                    "≤ 5 %", overhead <= GOAL_AUTH_OVERHEAD ? "met" : "MISSED"));
            rows.add(new Row("  server JVM CPU a request, off / on", String.format(Locale.ROOT, "%.2f / %.2f ms", cpuOff, cpuOn), "", ""));
            StringBuilder all = new StringBuilder();
            for (AuthRun a : authRuns) {
                all.append(all.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f", a.on() ? "on" : "off",
                        a.throughput().result().requestsPerSecond()));
            }
            rows.add(new Row("  every round, req/s", all.toString(), "", ""));
        }
        rows.add(new Row("answers checked (HTTP 200, no errors, " + ServeBench.PAGE + " edges): failed / checked",
                failures + " / " + checked, "0 failed", failures == 0 && checked > 0 ? "valid" : "INVALID"));

        ServeBench.say("");
        ServeBench.say("== Summary: serve ==");
        ServeBench.say("started " + started.format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceFirst("\\.\\d+", "")
                + " on " + machine);
        ServeBench.say("server: java " + (o.jvmOptions.isEmpty() ? "" : String.join(" ", o.jvmOptions) + " ") + "-jar " + o.jar.getFileName()
                + " serve --data-dir <temporary> --port <free>");
        ServeBench.say(String.format(Locale.ROOT, "other work on the machine, cores busy: up to %.2f during the warm starts reported%s, "
                + "%.2f while the catalog idled, %.2f during the measured load%s", maxOthersDuringWarmStarts(),
                warmStartsDisturbed > 0 ? " (" + warmStartsDisturbed + " disturbed start(s) repeated)" : "", backgroundAtIdle, othersDuringLoad(),
                noisy() ? "  <- NOISY: other processes competed for the CPUs; re-run on a quiet machine" : " (quiet)"));
        ServeBench.say("load average before / after: " + loadBefore + " / " + loadAfter
                + (seeded > 0 ? "; " + seeded + " run(s) added to the demo data to fill the page of " + ServeBench.PAGE : ""));
        ServeBench.say("");
        int a = "measure".length(), b = "result".length(), c = "goal".length(), d = "".length();
        for (Row row : rows) {
            a = Math.max(a, row.what.length());
            b = Math.max(b, row.result.length());
            c = Math.max(c, row.goal.length());
            d = Math.max(d, row.verdict.length());
        }
        String format = "| %-" + a + "s | %-" + b + "s | %-" + c + "s | %-" + Math.max(d, 1) + "s |";
        ServeBench.say(String.format(format, "measure", "result", "goal", ""));
        ServeBench.say("|" + "-".repeat(a + 2) + "|" + "-".repeat(b + 2) + "|" + "-".repeat(c + 2) + "|" + "-".repeat(Math.max(d, 1) + 2) + "|");
        for (Row row : rows) {
            ServeBench.say(String.format(format, row.what, row.result, row.goal, row.verdict));
        }
        if (!failureSamples.isEmpty()) {
            ServeBench.say("");
            ServeBench.say("failures (first few):");
            failureSamples.stream().limit(5).forEach(f -> ServeBench.say("  " + f));
        }
        ServeBench.say("");
        ServeBench.say(valid() ? "all answers were checked and right: the figures are valid"
                : "NOT VALID: some answers failed (see above); do not use these figures");
    }

    /** The median of the runs with auth {@code on}: requests a second, or the server's CPU milliseconds a request. */
    private static double median(List<AuthRun> runs, boolean on, boolean throughput) {
        List<Double> v = new ArrayList<>();
        for (AuthRun a : runs) {
            if (a.on() == on) {
                QueryLoad.Result r = a.throughput().result();
                v.add(throughput ? r.requestsPerSecond() : a.throughput().cpuServer() * 1000 / r.requestsPerSecond());
            }
        }
        return minMedianMax(v)[1];
    }

    /** Cores that processes other than ours kept busy during the reported measured window. */
    double othersDuringLoad() {
        Throughput t = throughput();
        return t == null ? Double.NaN : t.others();
    }

    /** Whether other work on the machine was enough to move the figures. */
    boolean noisy() {
        return maxOthersDuringWarmStarts() > NOISE || backgroundAtIdle > NOISE || othersDuringLoad() > NOISE;
    }

    static final double NOISE = 0.2;

    private record Row(String what, String result, String goal, String verdict) {
    }

    private static String verdict(boolean median, boolean max) {
        return max ? "met" : median ? "met (median; max over)" : "MISSED";
    }

    private static double[] minMedianMax(List<Double> values) {
        if (values.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        return new double[] {v.get(0), median, v.get(n - 1)};
    }

    private static String s(double seconds) {
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
