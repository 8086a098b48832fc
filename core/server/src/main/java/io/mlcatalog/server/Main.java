package io.mlcatalog.server;

import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.config.Security;
import io.mlcatalog.server.config.ServerConfig;
import io.mlcatalog.server.db.DatabaseStartException;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.EmbeddedDatabase;
import io.mlcatalog.server.db.Migrations;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.generate.CatalogGenerator;
import io.mlcatalog.server.plugin.PluginConfigError;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The {@code mlcatalog} command line. */
@Command(name = "mlcatalog", mixinStandardHelpOptions = true, version = "mlcatalog 0.1.0",
        description = "A GraphQL metadata catalog for machine learning: runs, artifacts, models, deployments and their lineage.",
        subcommands = {Main.Serve.class, Main.Demo.class, Main.Generate.class, Main.Plugins.class, Main.Ingest.class, TokenCommand.class,
                LookupCommands.Explain.class, LookupCommands.Lineage.class, LookupCommands.BlastRadius.class})
public final class Main {

    public static void main(String[] args) {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(commandLine().execute(args));
    }

    /** The command line, for {@link #main} and for tests that run a command in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof DatabaseStartException || e instanceof Migrations.SchemaTooNewException || e instanceof PluginConfigError
                    || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                cmd.getErr().println("mlcatalog: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }

    /** Where the data is and how requests are limited: shared by the commands that open the catalog. */
    static final class Options {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:MLCATALOG_DATA_DIR}",
                description = "Where the embedded PostgreSQL keeps its data (default: ~/.mlcatalog; env MLCATALOG_DATA_DIR).")
        Path dataDir;

        @Option(names = "--database-url", paramLabel = "URL", defaultValue = "${env:MLCATALOG_DATABASE_URL}",
                description = "Use this PostgreSQL instead of the embedded one: postgresql://user:password@host:5432/db "
                        + "(env MLCATALOG_DATABASE_URL).")
        String databaseUrl;

        @Option(names = "--read-database-url", paramLabel = "URL", defaultValue = "${env:MLCATALOG_READ_DATABASE_URL}",
                description = "A streaming replica of --database-url: queries read from it, writes and subscriptions go to the "
                        + "primary, and a client that sends back a write's MLCatalog-LSN header reads that write "
                        + "(env MLCATALOG_READ_DATABASE_URL; default: none).")
        String readDatabaseUrl;

        @Option(names = "--host", defaultValue = "${env:MLCATALOG_HOST:-127.0.0.1}",
                description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
        String host;

        @Option(names = "--port", defaultValue = "${env:MLCATALOG_PORT:-8080}", description = "HTTP port (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--pool-size", defaultValue = "8", description = "Connections to PostgreSQL (default: ${DEFAULT-VALUE}).")
        int poolSize;

        @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:MLCATALOG_CONFIG}",
                description = "The mlcatalog.yaml that lists plugin instances (env MLCATALOG_CONFIG; default: none).")
        Path config;

        @Option(names = "--plugins-dir", paramLabel = "DIR", defaultValue = "${env:MLCATALOG_PLUGINS_DIR}",
                description = "A folder of plugin jars to load, each in its own class loader (default: <data-dir>/plugins).")
        Path pluginsDir;

        @Option(names = "--max-query-depth", defaultValue = "12", description = "Deepest field nesting of a query (default: ${DEFAULT-VALUE}).")
        int maxDepth;

        @Option(names = "--max-query-complexity", defaultValue = "50000",
                description = "Most fields a query may select, lists counting `first` times their fields (default: ${DEFAULT-VALUE}).")
        int maxComplexity;

        @Option(names = "--max-aliases", defaultValue = "30", description = "Most aliases in one document (default: ${DEFAULT-VALUE}).")
        int maxAliases;

        @Option(names = "--max-tokens", defaultValue = "15000", description = "Most tokens the parser reads (default: ${DEFAULT-VALUE}).")
        int maxTokens;

        @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body (default: ${DEFAULT-VALUE}).")
        long maxBodyBytes;

        @Option(names = "--statement-timeout", defaultValue = "10s",
                description = "Longest any SQL statement may run, e.g. 500ms, 10s, 1m (default: ${DEFAULT-VALUE}).")
        String statementTimeout;

        @Option(names = "--auth", paramLabel = "on|off|auto", defaultValue = "${env:MLCATALOG_AUTH:-auto}",
                description = "Whether requests need a token: on, off (warned about at start), or auto: on unless the server listens "
                        + "on loopback only and no token exists (default: ${DEFAULT-VALUE}). See docs/security.md.")
        String auth;

        @Option(names = "--no-introspection", description = "Refuse GraphQL introspection (__schema, __type).")
        boolean noIntrospection;

        @Option(names = "--no-graphiql", description = "Do not serve /graphiql/.")
        boolean noGraphiql;

        @Option(names = "--points-per-minute", defaultValue = "" + Security.DEFAULT_POINTS_PER_MINUTE,
                description = "Each token's budget of query cost points a minute, 0 for none (default: ${DEFAULT-VALUE}).")
        long pointsPerMinute;

        @Option(names = "--requests-per-minute", defaultValue = "" + Security.DEFAULT_REQUESTS_PER_MINUTE,
                description = "Each token's budget of GraphQL requests a minute, 0 for none (default: ${DEFAULT-VALUE}).")
        int requestsPerMinute;

        @Option(names = "--persisted-queries", paramLabel = "DIR",
                description = "A folder of .graphql files clients may run by the SHA-256 of their text (extensions.persistedQuery.sha256Hash).")
        Path persistedQueries;

        @Option(names = "--require-persisted-queries", description = "Reader tokens may run only the persisted queries.")
        boolean requirePersistedQueries;

        ServerConfig config() {
            return config(true);
        }

        Security security() {
            Security.AuthMode mode = switch (auth == null ? "auto" : auth.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "on", "true" -> Security.AuthMode.ON;
                case "off", "false" -> Security.AuthMode.OFF;
                case "auto", "" -> Security.AuthMode.AUTO;
                default -> throw new IllegalArgumentException("--auth is on, off or auto, not '" + auth + "'");
            };
            return new Security(mode, !noIntrospection, !noGraphiql, pointsPerMinute, requestsPerMinute, persistedQueries,
                    requirePersistedQueries);
        }

        ServerConfig config(boolean schedulePlugins) {
            Limits limits = new Limits(maxDepth, maxComplexity, maxAliases, maxTokens, maxBodyBytes, duration(statementTimeout));
            Path data = dataDir != null ? dataDir : ServerConfig.defaultDataDir();
            if (config != null && !java.nio.file.Files.isRegularFile(config)) {
                throw new IllegalArgumentException("the configuration file " + config + " does not exist");
            }
            return new ServerConfig(host, port, data, databaseUrl == null || databaseUrl.isBlank() ? null : databaseUrl, poolSize, limits,
                    new ServerConfig.Plugins(config, pluginsDir != null ? pluginsDir : data.resolve("plugins"), schedulePlugins), security(),
                    readDatabaseUrl == null || readDatabaseUrl.isBlank() ? null : readDatabaseUrl);
        }

        static Duration duration(String text) {
            String t = text.strip().toLowerCase(java.util.Locale.ROOT);
            try {
                if (t.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
                }
                if (t.endsWith("s")) {
                    return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
                }
                if (t.endsWith("m")) {
                    return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
                }
                return Duration.ofMillis(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 500ms, 10s, 1m)");
            }
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the catalog: PostgreSQL, migrations, the GraphQL API.")
    static final class Serve implements Callable<Integer> {
        @Mixin
        Options options = new Options();

        @Option(names = "--demo", description = "Load the demo data set (once; loading it again changes nothing).")
        boolean demo;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            CatalogServer server = CatalogServer.start(options.config());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "mlcatalog-shutdown"));
            if (demo) {
                DemoData.Summary summary = DemoData.load(server.writer());
                System.out.println("demo data loaded: " + summary);
            }
            String base = "http://" + (options.host.equals("0.0.0.0") ? "localhost" : options.host) + ":" + server.port();
            System.out.printf("mlcatalog is ready in %.1f s%n  GraphQL:  %s/graphql%n", (System.nanoTime() - start) / 1e9, base);
            if (!options.noGraphiql) {
                System.out.printf("  GraphiQL: %s/graphiql/%s%n", base, server.authEnabled() ? " (put {\"Authorization\": \"Bearer <token>\"} in its Headers tab)" : "");
            }
            System.out.printf("  Incident page: %s/ui/%s%n", base, server.authEnabled() ? " (give it a token at the top)" : "");
            System.out.println(server.authEnabled() ? "  Access control is on: every request needs Authorization: Bearer <token>."
                    : "  Access control is off: this catalog is open to anyone who can reach " + options.host + " (loopback only). See docs/security.md.");
            System.out.flush();
            stopped.await();
            return 0;
        }
    }

    @Command(name = "plugins", mixinStandardHelpOptions = true,
            description = "Show the status of every plugin instance of a running catalog.")
    static final class Plugins implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "${env:MLCATALOG_URL:-http://127.0.0.1:8080}",
                description = "The running catalog (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:MLCATALOG_TOKEN}",
                description = "A token that may read every namespace, when the catalog needs one (default: MLCATALOG_TOKEN).")
        String token;

        @Override
        public Integer call() throws Exception {
            return PluginsCommand.print(url, token, System.out, System.err);
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Poll one source instance once and print what it wrote (the server need not run; stop it first when it "
                    + "uses the same embedded --data-dir).")
    static final class Ingest implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "INSTANCE", description = "The source instance, as named in the configuration.")
        String instance;

        @Option(names = "--once", required = true, description = "Poll once and exit (the only mode there is, for now).")
        boolean once;

        @Mixin
        Options options = new Options();

        @Override
        public Integer call() {
            ServerConfig c = options.config(false);
            // a name that is not configured is said at once, not after starting the database (which a running catalog may hold)
            java.util.List<String> configured = c.plugins().configFile() == null ? java.util.List.of()
                    : io.mlcatalog.server.plugin.PluginsConfig.load(c.plugins().configFile(), System::getenv).instances().stream()
                    .map(io.mlcatalog.server.plugin.PluginsConfig.Instance::name).toList();
            if (!configured.contains(instance)) {
                throw new IllegalArgumentException("no plugin instance named '" + instance + "'" + (c.plugins().configFile() == null
                        ? ": give the configuration that lists it with --config"
                        : " in " + c.plugins().configFile() + " (configured: " + (configured.isEmpty() ? "none" : String.join(", ", configured)) + ")"));
            }
            try (CatalogServer server = CatalogServer.start(new ServerConfig("127.0.0.1", 0, c.dataDir(), c.databaseUrl(), c.poolSize(),
                    c.limits(), c.plugins()))) {
                io.mlcatalog.server.plugin.PollOutcome outcome = server.plugins().pollNow(instance);
                PluginsCommand.printOutcome(outcome, System.out);
                return outcome.ok() ? 0 : 1;
            }
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Load the demo data set into the catalog's database and exit (loading it again changes nothing).")
    static final class Demo implements Callable<Integer> {
        @Mixin
        Options options = new Options();

        @Override
        public Integer call() {
            ServerConfig c = options.config();
            try (CatalogServer server = CatalogServer.start(new ServerConfig(c.host(), 0, c.dataDir(), c.databaseUrl(), c.poolSize(), c.limits()))) {
                System.out.println("demo data loaded: " + DemoData.load(server.writer()));
            }
            return 0;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Fill an empty catalog with a synthetic one of realistic shape, for benchmarks: a year of pipelines across "
                    + "teams (ingest, features, train, evaluate), models with versions, aliases and deployments. Scale 1 is "
                    + "100,000 runs, 300,000 artifacts, 1,000 models, 20,000 versions, 5,000 deployments and about 1,000,000 "
                    + "lineage edges. The same seed and scale give identical rows.")
    static final class Generate implements Callable<Integer> {
        @Mixin
        Options options = new Options();

        @Option(names = "--seed", defaultValue = "42", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--scale", defaultValue = "1.0",
                description = "Size relative to the benchmark catalog, from 0.001 to 10 (default: ${DEFAULT-VALUE}).")
        double scale;

        @Option(names = "--force", description = "Delete everything the catalog holds first (without it, a catalog with data is refused).")
        boolean force;

        @Option(names = "--sample", paramLabel = "FILE",
                description = "Also write a JSON file of random roots, popular datasets and explain instants, for benchmarks.")
        Path sample;

        @Option(names = "--sample-size", defaultValue = "300",
                description = "Roots of each kind and explain instants in the sample (default: ${DEFAULT-VALUE}).")
        int sampleSize;

        @Override
        public Integer call() throws Exception {
            CatalogGenerator.Options o = new CatalogGenerator.Options(seed, scale, force, sample, sampleSize);
            ServerConfig c = options.config(false);
            EmbeddedDatabase embedded = null;
            try {
                DatabaseUrl url;
                if (c.databaseUrl() == null) {
                    embedded = EmbeddedDatabase.start(c.dataDir(), 0);
                    url = embedded.url();
                } else {
                    url = DatabaseUrl.parse(c.databaseUrl());
                }
                new CatalogGenerator(url, System.out).generate(o);
                return 0;
            } catch (SQLException e) {
                throw new IllegalStateException("generating the catalog failed, nothing was written: " + e.getMessage(), e);
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }
    }
}
