package io.mlcatalog.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * mlcatalog's benchmarks: they run the jar that {@code mvn package} built, as a user would, and
 * measure it from outside. See docs/benchmarks.md.
 */
public final class Bench {
    private static final String USAGE = """
            usage: java -jar core/bench/target/mlcatalog-bench.jar serve [options]
                   java -jar core/bench/target/mlcatalog-bench.jar lineage [options]
                   java -jar core/bench/target/mlcatalog-bench.jar ingest [options]
                   java -jar core/bench/target/mlcatalog-bench.jar live [options]
                   java -jar core/bench/target/mlcatalog-bench.jar dashboard [options]

            serve   start time (cold, then warm) of `mlcatalog serve` on its embedded PostgreSQL,
                    resident memory at idle, and throughput of the "latest 50 runs" query
            lineage lineage walks (depth 5 and 10, upstream and downstream), explain and blastRadius over HTTP on a
                    generated catalog of about a million lineage edges, against their goals and against an in-memory
                    BFS of the same walks; EXPLAIN of every statement a walk sends (fails on a Seq Scan on lineage_edge)
            ingest  OpenLineage events accepted per second at POST /api/v1/lineage: single events from 8 concurrent clients,
                    then batches of 500; events shaped like the Airflow corpus, each replay with run ids of its own
            live    subscriptions: how soon a subscriber sees a write (upsertRun over HTTP, open loop) on the node written to
                    and on a second node of the same database, every event checked (once, in order); then the heap that
                    1,000 open subscriptions hold (1,000 connections x 1, then 10 x 100) and the fan-out of a write to them
            dashboard three dashboard queries (latest 50 runs with code version, inputs, outputs and model versions; a model with
                    its versions and aliases; deployments active at an instant) on the generated catalog, against mlcatalog's
                    GraphQL, PostGraphile 5's GraphQL over the same database (Node.js; core/bench/postgraphile) and hand-written
                    SQL over JDBC, the same connections each; every answer checked against the one all three agreed on

            options of serve:
              --jar PATH                  the catalog's jar (default: core/dist/target/mlcatalog.jar of this checkout)
              --data-dir DIR              new or empty directory for the catalog's data (default: a temporary one)
              --keep-data-dir             do not remove the data directory at the end
              --warm-starts N             warm starts to time (default 5)
              --jvm-opts "OPTS"           JVM options of the server for every measurement (default: none, plain java -jar)
              --memory-jvm-opts "OPTS"    also measure idle memory with these JVM options; repeatable
                                          (default: "-Xmx256m -XX:+UseSerialGC", "-Xmx512m -XX:+UseSerialGC" and
                                          "-Xms64m -Xmx512m -XX:+UseSerialGC"; "" for none)
              --burst N                   queries sent before the idle memory is read (default 2000)
              --idle SECONDS              idle time before memory is read (default 5)
              --connections N             client connections of the throughput run (default 2)
              --warmup SECONDS            unmeasured load before the measurement (default 10)
              --duration SECONDS          measured load (default 30)
              --wait-quiet SECONDS        before each start and the load, wait at most this long for other processes
                                          to leave the CPUs idle (default 60; 0 = do not wait)
              --attempts N                measure the throughput again, up to N times in all, while other processes took
                                          more than 0.2 cores during the measured window; the quietest is reported (default 3)

            options of lineage:
              --jar PATH                  the catalog's jar (default: core/dist/target/mlcatalog.jar of this checkout)
              --data-dir DIR              where to generate the catalog (new or empty), or a directory an earlier run kept, to
                                          reuse its catalog (default: a temporary one, generated anew and removed at the end)
              --keep-data-dir             keep the temporary data directory (its path is printed) for the next run
              --seed N                    seed of the generated catalog (default 42)
              --scale X                   size of the generated catalog, 1.0 = 100,000 runs and ~1,000,000 edges (default 1.0)
              --roots N                   requests per lineage and explain measurement, roots drawn evenly from the root kinds
                                          (default 300; as many different ones warm the server up first)
              --blast-repeats N           times each of the 20 most read datasets is asked for its blast radius (default 3)
              --connections N             client connections (default 2)
              --jvm-opts "OPTS"           JVM options of the server (default: none, plain java -jar)
              --wait-quiet SECONDS        before generating and before each measurement, wait at most this long for other
                                          processes to leave the CPUs idle (default 60; 0 = do not wait)
              --attempts N                measure again, up to N times in all, while other processes took more than 0.2 cores
                                          during a measurement; the quietest is reported (default 3)
              --auth-rounds N             rounds of access control off then on, each a fresh server measured like the
                                          throughput above (default 3; 0 = skip)
              --auth-only                 only the cold start and the access control rounds

            options of ingest:
              --jar PATH                  the catalog's jar (default: core/dist/target/mlcatalog.jar of this checkout)
              --corpus DIR                a folder of OpenLineage events used as templates
                                          (default: ../shared/corpus/openlineage/airflow/events beside the checkout)
              --data-dir DIR              new or empty directory for the catalog's data (default: a temporary one)
              --keep-data-dir             do not remove the data directory at the end
              --single-events N           single events measured (default 20000), after --warmup-events N (default 20000)
              --single-clients N          concurrent clients sending single events (default 8)
              --batch-events N            events sent in batches (default 200000), after --warmup-batch-events N (default 100000)
              --batch-size N              events per batch (default 500)
              --batch-clients N           concurrent clients sending batches (default 2)
              --sending PARTS             which parts run: single, batched or both (default both)
              --acknowledge MODE          the receiver's acknowledge setting: written, queued, or both (default both, one
                                          server each); queued also reports how long writing the stored events took
              --accept-only               queued: do not wait for the stored events to be written (a server started with
                                          --jvm-opts "... -Dmlcatalog.intake.workers=0" only stores them)
              --jvm-opts "OPTS"           JVM options of the server (default: those of ./mlcatalog, -Xms64m -Xmx512m -XX:+UseSerialGC)

            options of live:
              --jar PATH                  the catalog's jar (default: core/dist/target/mlcatalog.jar of this checkout)
              --parts LIST                which parts, comma-separated: one-node, two-nodes, heap (default: all three)
              --writes N                  measured writes per latency part (default 1500), after --warmup-writes N (default 300)
              --rate N                    writes a second, open loop (default 20)
              --writers N                 connections the writes are sent over (default 4)
              --subscriptions N           open subscriptions whose heap is measured (default 1000)
              --per-connection N          subscriptions per connection of the second shape (default 100, the catalog's limit;
                                          1 = only the shape of one connection each)
              --fanout-writes N           writes fanned out to the open subscriptions, one at a time (default 5)
              --fields "SELECTION"        what each subscription selects of an event; it must give the run's name as run { name }
                                          or in after (default "sequence kind at run { name status }", a lookup of the run per
                                          event and node; "sequence kind at after" needs none)
              --jvm-opts "OPTS"           JVM options of the servers (default: those of ./mlcatalog, -Xms64m -Xmx512m -XX:+UseSerialGC)
              --wait-quiet SECONDS        before each start and each measurement, wait at most this long for other processes
                                          to leave the CPUs idle (default 60; 0 = do not wait)
              --attempts N                measure a latency part again, up to N times in all, while other processes took more
                                          than 0.2 cores; the quietest is reported (default 3)

            options of dashboard:
              --jar PATH                  the catalog's jar (default: core/dist/target/mlcatalog.jar of this checkout)
              --data-dir DIR              where to generate the catalog (new or empty), or a directory an earlier run of dashboard
                                          or lineage kept, to reuse its catalog (default: a temporary one, removed at the end)
              --keep-data-dir             keep the temporary data directory (its path is printed) for the next run
              --seed N, --scale X         the generated catalog (default 42 and 1.0: 100,000 runs, ~1,000,000 lineage edges)
              --connections N             connections of each system: HTTP keep-alive sockets, or JDBC connections (default 2)
              --warmup SECONDS            unmeasured load before each measurement (default 10)
              --duration SECONDS          measured load per query and system (default 30)
              --models N                  models asked for in turn (default 100)
              --instants N                instants asked for in turn, from the generated sample (default 100)
              --jvm-opts "OPTS"           JVM options of the server (default: none, plain java -jar)
              --postgraphile-dir DIR      the PostGraphile package (default: core/bench/postgraphile of this checkout); its pinned
                                          packages are installed with npm ci when node_modules is missing
              --no-npm-ci                 fail instead of running npm ci
              --queries LIST              which queries to measure, comma-separated: runs, model, deployments (default: all; the
                                          answers of all three are still checked against each other first)
              --systems LIST              which systems to measure: mlcatalog, postgraphile, sql (default: all; ratios need all)
              --node PATH                 the Node.js to run PostGraphile with (default: the Node 22 the package pins, installed by
                                          npm ci in node_modules/.bin; PostGraphile 5 needs Node 22 or later)
              --wait-quiet SECONDS        before each measurement, wait at most this long for other processes to leave the CPUs
                                          idle (default 60; 0 = do not wait)
              --attempts N                measure again, up to N times in all, while other processes took more than 0.2 cores;
                                          the quietest is reported (default 3)
            """;

    private Bench() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (BenchException | IllegalArgumentException e) {
            System.err.println("mlcatalog-bench: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            e.printStackTrace();
            code = 2;
        }
        System.exit(code);
    }

    private static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("lineage")) {
            return lineage(args);
        }
        if (args[0].equals("ingest")) {
            return ingest(args);
        }
        if (args[0].equals("live")) {
            return live(args);
        }
        if (args[0].equals("dashboard")) {
            return dashboard(args);
        }
        if (!args[0].equals("serve")) {
            throw new IllegalArgumentException("unknown benchmark '" + args[0] + "'\n" + USAGE);
        }
        ServeBench.Options o = new ServeBench.Options();
        String jar = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--jar" -> jar = value(args, ++i, a);
                case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--keep-data-dir" -> o.keepDataDir = true;
                case "--warm-starts" -> o.warmStarts = positive(value(args, ++i, a), a);
                case "--jvm-opts" -> o.jvmOptions = split(value(args, ++i, a));
                case "--memory-jvm-opts" -> {
                    if (!o.memoryJvmOptionsGiven) {
                        o.memoryJvmOptions.clear();
                        o.memoryJvmOptionsGiven = true;
                    }
                    List<String> opts = split(value(args, ++i, a));
                    if (!opts.isEmpty()) {
                        o.memoryJvmOptions.add(opts);
                    }
                }
                case "--burst" -> o.burst = positive(value(args, ++i, a), a);
                case "--idle" -> o.idleSeconds = seconds(value(args, ++i, a), a);
                case "--connections" -> o.connections = positive(value(args, ++i, a), a);
                case "--warmup" -> o.warmupSeconds = seconds(value(args, ++i, a), a);
                case "--duration" -> o.measureSeconds = seconds(value(args, ++i, a), a);
                case "--wait-quiet" -> o.waitQuietSeconds = seconds(value(args, ++i, a), a);
                case "--attempts" -> o.attempts = positive(value(args, ++i, a), a);
                case "--auth-rounds" -> o.authRounds = Integer.parseInt(value(args, ++i, a));
                case "--auth-only" -> o.authOnly = true;
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        o.jar = serverJar(jar);
        return new ServeBench(o).run();
    }

    private static int lineage(String[] args) throws Exception {
        LineageBench.Options o = new LineageBench.Options();
        String jar = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--jar" -> jar = value(args, ++i, a);
                case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--keep-data-dir" -> o.keepDataDir = true;
                case "--seed" -> o.seed = Long.parseLong(value(args, ++i, a));
                case "--scale" -> o.scale = Double.parseDouble(value(args, ++i, a));
                case "--roots" -> o.roots = positive(value(args, ++i, a), a);
                case "--blast-repeats" -> o.blastRepeats = positive(value(args, ++i, a), a);
                case "--connections" -> o.connections = positive(value(args, ++i, a), a);
                case "--jvm-opts" -> o.jvmOptions = split(value(args, ++i, a));
                case "--wait-quiet" -> o.waitQuietSeconds = seconds(value(args, ++i, a), a);
                case "--attempts" -> o.attempts = positive(value(args, ++i, a), a);
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        o.jar = serverJar(jar);
        return new LineageBench(o).run();
    }

    private static int ingest(String[] args) throws Exception {
        IngestBench.Options o = new IngestBench.Options();
        String jar = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--jar" -> jar = value(args, ++i, a);
                case "--corpus" -> o.corpus = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--keep-data-dir" -> o.keepDataDir = true;
                case "--single-events" -> o.singleEvents = positive(value(args, ++i, a), a);
                case "--warmup-events" -> o.warmupEvents = positive(value(args, ++i, a), a);
                case "--warmup-batch-events" -> o.warmupBatchEvents = positive(value(args, ++i, a), a);
                case "--single-clients" -> o.singleClients = positive(value(args, ++i, a), a);
                case "--batch-events" -> o.batchEvents = positive(value(args, ++i, a), a);
                case "--batch-size" -> o.batchSize = positive(value(args, ++i, a), a);
                case "--batch-clients" -> o.batchClients = positive(value(args, ++i, a), a);
                case "--jvm-opts" -> o.jvmOptions = split(value(args, ++i, a));
                case "--accept-only" -> o.acceptOnly = true;
                case "--sending" -> {
                    String parts = value(args, ++i, a);
                    o.sendSingle = parts.equals("single") || parts.equals("both");
                    o.sendBatches = parts.equals("batched") || parts.equals("both");
                    if (!o.sendSingle && !o.sendBatches) {
                        throw new IllegalArgumentException("--sending takes single, batched or both");
                    }
                }
                case "--acknowledge" -> o.acknowledge = switch (value(args, ++i, a)) {
                    case "written" -> List.of("written");
                    case "queued" -> List.of("queued");
                    case "both" -> List.of("written", "queued");
                    default -> throw new IllegalArgumentException("--acknowledge takes written, queued or both");
                };
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        o.jar = serverJar(jar);
        if (o.corpus == null) {
            // the checkout's sibling ../shared, as CI and the developers' machines have it
            o.corpus = o.jar.getParent().getParent().getParent().getParent().resolveSibling("shared")
                    .resolve("corpus/openlineage/airflow/events");
        }
        return new IngestBench(o).run();
    }

    private static int live(String[] args) throws Exception {
        LiveBench.Options o = new LiveBench.Options();
        String jar = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--jar" -> jar = value(args, ++i, a);
                case "--parts" -> {
                    List<String> parts = Arrays.asList(value(args, ++i, a).split(","));
                    for (String p : parts) {
                        if (!List.of("one-node", "two-nodes", "heap").contains(p)) {
                            throw new IllegalArgumentException("--parts takes one-node, two-nodes and heap, not '" + p + "'");
                        }
                    }
                    o.parts = java.util.Set.copyOf(parts);
                }
                case "--writes" -> o.writes = positive(value(args, ++i, a), a);
                case "--warmup-writes" -> o.warmupWrites = positive(value(args, ++i, a), a);
                case "--rate" -> o.rate = positive(value(args, ++i, a), a);
                case "--writers" -> o.writers = positive(value(args, ++i, a), a);
                case "--subscriptions" -> o.subscriptions = positive(value(args, ++i, a), a);
                case "--per-connection" -> o.perConnection = positive(value(args, ++i, a), a);
                case "--fanout-writes" -> o.fanoutWrites = positive(value(args, ++i, a), a);
                case "--fields" -> o.fields = value(args, ++i, a);
                case "--jvm-opts" -> o.jvmOptions = split(value(args, ++i, a));
                case "--wait-quiet" -> o.waitQuietSeconds = seconds(value(args, ++i, a), a);
                case "--attempts" -> o.attempts = positive(value(args, ++i, a), a);
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        if (o.perConnection > 100) {
            throw new IllegalArgumentException("--per-connection: the catalog allows 100 subscriptions per connection");
        }
        o.jar = serverJar(jar);
        return new LiveBench(o).run();
    }

    private static int dashboard(String[] args) throws Exception {
        DashboardBench.Options o = new DashboardBench.Options();
        String jar = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--jar" -> jar = value(args, ++i, a);
                case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--keep-data-dir" -> o.keepDataDir = true;
                case "--seed" -> o.seed = Long.parseLong(value(args, ++i, a));
                case "--scale" -> o.scale = Double.parseDouble(value(args, ++i, a));
                case "--connections" -> o.connections = positive(value(args, ++i, a), a);
                case "--warmup" -> o.warmupSeconds = seconds(value(args, ++i, a), a);
                case "--duration" -> o.measureSeconds = seconds(value(args, ++i, a), a);
                case "--models" -> o.models = positive(value(args, ++i, a), a);
                case "--instants" -> o.instants = positive(value(args, ++i, a), a);
                case "--jvm-opts" -> o.jvmOptions = split(value(args, ++i, a));
                case "--postgraphile-dir" -> o.postgraphileDir = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--node" -> o.node = value(args, ++i, a);
                case "--no-npm-ci" -> o.npmCi = false;
                case "--queries" -> {
                    o.queries.clear();
                    for (String q : value(args, ++i, a).split(",")) {
                        o.queries.add(switch (q) {
                            case "runs" -> DashboardAnswers.Query.RUNS;
                            case "model" -> DashboardAnswers.Query.MODEL;
                            case "deployments" -> DashboardAnswers.Query.DEPLOYMENTS;
                            default -> throw new IllegalArgumentException("--queries takes runs, model and deployments, not '" + q + "'");
                        });
                    }
                }
                case "--systems" -> {
                    o.systems.clear();
                    for (String q : value(args, ++i, a).split(",")) {
                        o.systems.add(switch (q) {
                            case "mlcatalog" -> DashboardBench.Api.MLCATALOG;
                            case "postgraphile" -> DashboardBench.Api.POSTGRAPHILE;
                            case "sql" -> DashboardBench.Api.SQL;
                            default -> throw new IllegalArgumentException("--systems takes mlcatalog, postgraphile and sql, not '" + q + "'");
                        });
                    }
                }
                case "--wait-quiet" -> o.waitQuietSeconds = seconds(value(args, ++i, a), a);
                case "--attempts" -> o.attempts = positive(value(args, ++i, a), a);
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        if (o.measureSeconds <= 0) {
            throw new IllegalArgumentException("--duration must be more than 0 s");
        }
        o.jar = serverJar(jar);
        return new DashboardBench(o).run();
    }

    /** The catalog's jar: given, or core/dist/target/mlcatalog.jar of the checkout this bench belongs to. */
    static Path serverJar(String given) {
        if (given != null) {
            Path p = Path.of(given).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new BenchException("--jar " + p + " does not exist");
            }
            return p;
        }
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("core/server/pom.xml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                    Path jar = dir.resolve("core/dist/target/mlcatalog.jar");
                    if (!Files.isRegularFile(jar)) {
                        throw new BenchException(jar + " does not exist: build it first, at the repository root " + dir
                                + ":\n  mvn -q -B package -DskipTests");
                    }
                    return jar;
                }
            }
        }
        throw new BenchException("cannot find the mlcatalog checkout (a directory with core/server/pom.xml) above "
                + starts + "; run from the repository, or pass --jar PATH");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String v, String option) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, not '" + v + "'");
    }

    private static double seconds(String v, String option) {
        try {
            double d = Double.parseDouble(v);
            if (d >= 0) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " needs a number of seconds, not '" + v + "'");
    }

    private static List<String> split(String opts) {
        String t = opts.trim();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }
}
