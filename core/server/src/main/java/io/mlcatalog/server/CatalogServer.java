package io.mlcatalog.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.config.ServerConfig;
import io.mlcatalog.server.db.DatabaseStartException;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.webhooks.Backoff;
import io.mlcatalog.server.webhooks.WebhookSender;
import io.mlcatalog.server.webhooks.WebhookStore;
import io.mlcatalog.server.webhooks.WebhooksConfig;
import io.mlcatalog.server.db.EmbeddedDatabase;
import io.mlcatalog.server.db.Migrations;
import io.mlcatalog.server.graphql.Loaders;
import io.mlcatalog.server.auth.Authenticator;
import io.mlcatalog.server.auth.TokenStore;
import io.mlcatalog.server.auth.Tokens;
import io.mlcatalog.server.config.Security;
import io.mlcatalog.server.graphql.Wiring;
import io.mlcatalog.server.http.PersistedQueries;
import io.mlcatalog.server.graphql.GraphQLService;
import io.mlcatalog.server.http.HttpApi;
import io.mlcatalog.server.lineage.LineageWalk;
import io.mlcatalog.server.http.IngestHandler;
import io.mlcatalog.server.intake.Intake;
import io.mlcatalog.server.intake.IntakeAppender;
import io.mlcatalog.server.intake.IntakeQueue;
import io.mlcatalog.server.plugin.PluginCatalog;
import io.mlcatalog.server.plugin.PluginConfigError;
import io.mlcatalog.server.plugin.PluginHost;
import io.mlcatalog.server.plugin.PluginsConfig;
import io.mlcatalog.server.plugin.RecordBatchWriter;
import io.mlcatalog.server.store.PluginStore;
import io.mlcatalog.server.store.AliasStore;
import io.mlcatalog.server.store.ArtifactStore;
import io.mlcatalog.server.store.AssertionStore;
import io.mlcatalog.server.store.ChangeLog;
import io.mlcatalog.server.store.CodeVersionStore;
import io.mlcatalog.server.store.DeploymentStore;
import io.mlcatalog.server.store.FacetStore;
import io.mlcatalog.server.store.LineageStore;
import io.mlcatalog.server.store.ModelStore;
import io.mlcatalog.server.store.NamespaceStore;
import io.mlcatalog.server.store.RunStore;
import io.mlcatalog.server.store.TagStore;
import io.mlcatalog.server.write.BatchRunWriter;
import io.mlcatalog.server.write.CatalogWriter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running catalog: its PostgreSQL (embedded, or external by URL) migrated to this version, the
 * stores, the GraphQL API and the HTTP server. {@link #close()} stops them in reverse order.
 */
public final class CatalogServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CatalogServer.class);

    private final EmbeddedDatabase embedded;
    private final Vertx vertx;
    private final Db db;
    private final HttpServer http;
    private final CatalogWriter writer;
    private final PluginHost plugins;
    private final IntakeAppender intakeAppender;
    private final Intake intake;
    private final Authenticator authenticator;
    private final io.mlcatalog.server.events.ChangeFeed feed;
    private final WebhookSender webhooks;
    private final io.mlcatalog.server.plugin.SourceLeases leases;
    private final io.mlcatalog.server.db.ReadReplica replica;

    private CatalogServer(EmbeddedDatabase embedded, Vertx vertx, Db db, HttpServer http, CatalogWriter writer, PluginHost plugins,
                          IntakeAppender intakeAppender, Intake intake, Authenticator authenticator,
                          io.mlcatalog.server.events.ChangeFeed feed, WebhookSender webhooks, io.mlcatalog.server.plugin.SourceLeases leases,
                          io.mlcatalog.server.db.ReadReplica replica) {
        this.leases = leases;
        this.replica = replica;
        this.authenticator = authenticator;
        this.feed = feed;
        this.webhooks = webhooks;
        this.intakeAppender = intakeAppender;
        this.intake = intake;
        this.embedded = embedded;
        this.vertx = vertx;
        this.db = db;
        this.http = http;
        this.writer = writer;
        this.plugins = plugins;
    }

    /**
     * Starts everything, or nothing: on a failure what was started is stopped again.
     *
     * @throws DatabaseStartException        when PostgreSQL cannot be started or reached
     * @throws Migrations.SchemaTooNewException when the database belongs to a newer catalog
     */
    public static CatalogServer start(ServerConfig config) {
        return start(config, System::getenv);
    }

    /**
     * As {@link #start(ServerConfig)}, with {@code env} resolving the plugin configuration's
     * {@code ${env:NAME}} references and {@code MLCATALOG_PLUGIN_*} overrides.
     *
     * @throws PluginConfigError when a plugin instance is misconfigured
     */
    public static CatalogServer start(ServerConfig config, Function<String, String> env) {
        EmbeddedDatabase embedded = null;
        Vertx vertx = null;
        Db db = null;
        PluginHost plugins = null;
        IntakeAppender intakeAppender = null;
        Intake intake = null;
        Authenticator authenticator = null;
        io.mlcatalog.server.events.ChangeFeed feed = null;
        WebhookSender webhooks = null;
        io.mlcatalog.server.plugin.SourceLeases leases = null;
        io.mlcatalog.server.db.ReadReplica replica = null;
        Db readDb = null;
        try {
            // read the plugin configuration first: a mistake there should not wait for a database to start
            PluginsConfig pluginsConfig = config.plugins().configFile() == null ? PluginsConfig.EMPTY
                    : PluginsConfig.load(config.plugins().configFile(), env);
            // the context class loader is the application's in production; a test may point it at a plugin under test
            ClassLoader classpath = Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : CatalogServer.class.getClassLoader();
            PluginCatalog installed = PluginCatalog.discover(classpath, config.plugins().pluginsDir());
            PluginHost.check(installed, pluginsConfig, env);
            PersistedQueries persisted = PersistedQueries.load(config.security().persistedQueries(),
                    config.security().requirePersistedQueries());
            DatabaseUrl url;
            if (config.databaseUrl() == null) {
                embedded = EmbeddedDatabase.start(config.dataDir(), 0);
                url = embedded.url();
            } else {
                url = DatabaseUrl.parse(config.databaseUrl());
            }
            migrate(url);
            io.mlcatalog.server.metrics.CatalogMetrics metrics = new io.mlcatalog.server.metrics.CatalogMetrics();
            vertx = metrics.vertx();
            db = Db.connect(vertx, url, config.poolSize(), config.limits().statementTimeout());
            db.timeStatements(metrics::sql);

            NamespaceStore namespaces = new NamespaceStore(db);
            CodeVersionStore codeVersions = new CodeVersionStore(db);
            RunStore runs = new RunStore(db);
            ArtifactStore artifacts = new ArtifactStore(db);
            ModelStore models = new ModelStore(db);
            AliasStore aliases = new AliasStore(db);
            DeploymentStore deployments = new DeploymentStore(db);
            TagStore tags = new TagStore(db);
            AssertionStore assertions = new AssertionStore(db);
            LineageStore lineage = new LineageStore(db);
            FacetStore facets = new FacetStore(db);
            ChangeLog changes = new ChangeLog(db);
            CatalogWriter writer = new CatalogWriter(db, namespaces, codeVersions, runs, artifacts, models, aliases, deployments, tags,
                    lineage, assertions, changes, facets);
            PluginStore pluginStore = new PluginStore(db);
            TokenStore tokens = new TokenStore(db);
            authenticator = new Authenticator(authRequired(config, tokens, env), tokens, Clock.systemUTC());
            if (authenticator.enabled()) {
                bootstrapAdmin(tokens, env);
            } else if (config.security().auth() == Security.AuthMode.OFF) {
                log.warn("access control is OFF (--auth off): anyone who can reach {}:{} can read and change everything", config.host(),
                        config.port());
            } else {
                log.info("access control is off: the catalog listens on loopback only and no token exists (it is on for any other "
                        + "address, once a token exists, or with --auth on)");
            }
            await(authenticator.start(vertx).toCompletionStage().toCompletableFuture());
            feed = new io.mlcatalog.server.events.ChangeFeed(vertx, db.background());
            await(feed.start().toCompletionStage().toCompletableFuture());
            WebhookStore webhookStore = new WebhookStore(db);
            if (config.plugins().configFile() != null) {
                await(WebhooksConfig.load(config.plugins().configFile(), env).apply(webhookStore, feed).toCompletionStage().toCompletableFuture());
            }
            Loaders loaders = new Loaders(runs, codeVersions, artifacts, models, aliases, deployments, tags, assertions, pluginStore, facets);
            // the in-memory blastRadius index reads the primary: exact for every node, whichever database a query reads
            io.mlcatalog.server.lineage.ReachabilityIndex reachability = io.mlcatalog.server.lineage.ReachabilityIndex.fromSystemProperties(db);
            GraphQLService graphql = new GraphQLService(config.limits(), loaders,
                    new Wiring(namespaces, codeVersions, runs, artifacts, models, deployments, pluginStore, new LineageWalk(lineage),
                            reachability, changes, writer, db, authenticator, feed, webhookStore)::wire, config.security().introspection());
            io.mlcatalog.server.http.GraphQLHttpHandler.Reads reads = null;
            if (config.readDatabaseUrl() != null) {
                DatabaseUrl readUrl = DatabaseUrl.parse(config.readDatabaseUrl());
                readDb = Db.connect(vertx, readUrl, config.poolSize(), config.limits().statementTimeout());
                readDb.timeStatements(metrics::sql);
                replica = await(io.mlcatalog.server.db.ReadReplica.start(vertx, db, readDb, REPLICA_WAIT).toCompletionStage()
                        .toCompletableFuture());
                reads = new io.mlcatalog.server.http.GraphQLHttpHandler.Reads(readGraphQL(config, readDb, writer, db, authenticator, feed,
                        webhookStore, reachability), replica);
                log.info("queries read from the replica {} (writes and subscriptions: the primary)", readUrl);
            }

            RecordBatchWriter batchWriter = new RecordBatchWriter(db, writer, new BatchRunWriter(namespaces, codeVersions, runs, artifacts,
                    lineage, assertions, changes, facets, writer), pluginStore);
            batchWriter.limitInstances(pluginsConfig.instanceLimits());
            leases = new io.mlcatalog.server.plugin.SourceLeases(db.background(), nodeName(env),
                    io.mlcatalog.server.plugin.SourceLeases.ttlFromSystemProperties());
            plugins = PluginHost.create(installed, pluginsConfig, batchWriter, pluginStore, config.pluginWorkDir(), Clock.systemUTC(), env,
                    leases);

            ObjectMapper mapper = new ObjectMapper();
            IntakeQueue intakeQueue = new IntakeQueue(db);
            intakeAppender = new IntakeAppender(intakeQueue);
            intake = new Intake(intakeQueue, plugins, batchWriter);
            IngestHandler ingest = new IngestHandler(plugins, batchWriter, Clock.systemUTC(), mapper, intakeAppender, intake, authenticator);
            ingest.observeTransactions(metrics::receiverTransaction);
            webhooks = new WebhookSender(vertx, db.background(), new WebhookStore(db.background()), feed, Backoff.fromSystemProperties(),
                    Clock.systemUTC());
            // every metric is there before the first request can be answered (a scrape right after /ready sees them all)
            observe(metrics, vertx, db, plugins, feed, webhooks);
            if (replica != null) {
                for (var target : io.mlcatalog.server.db.ReadReplica.Target.values()) {
                    metrics.counter("mlcatalog.graphql.reads", "queries by the database that answered them", Map.of("database",
                            target.header()), replica, r -> r.reads(target));
                }
                metrics.gauge("mlcatalog.replica.reachable", "1 while the read replica answers as a standby, else 0 (reads go to the "
                        + "primary)", replica, r -> r.reachable() ? 1 : 0);
            }
            HttpServer http = await(HttpApi.listen(vertx, HttpApi.router(vertx, graphql, db, config.limits(), mapper, ingest,
                    plugins.defaultPaths(), authenticator,
                    new io.mlcatalog.server.auth.Budgets(config.security().pointsPerMinute(), config.security().requestsPerMinute(),
                            System::nanoTime), persisted, config.security().graphiql(), metrics, reads), config.host(), config.port())
                    .toCompletionStage().toCompletableFuture());
            if (config.plugins().schedule()) {
                plugins.start();
            } else {
                plugins.recordStatus();
            }
            // requests stored before this start (a crash, a restart) are written now
            intake.start();
            webhooks.start();
            return new CatalogServer(embedded, vertx, db, http, writer, plugins, intakeAppender, intake, authenticator, feed, webhooks,
                    leases, replica);
        } catch (RuntimeException e) {
            if (webhooks != null) {
                webhooks.close();
            }
            if (feed != null) {
                feed.close();
            }
            if (authenticator != null) {
                authenticator.stop();
            }
            if (intake != null) {
                intake.close();
            }
            if (intakeAppender != null) {
                intakeAppender.close();
            }
            if (plugins != null) {
                plugins.close();
            }
            if (leases != null) {
                leases.close();
            }
            if (replica != null) {
                replica.close();
            } else if (readDb != null) {
                readDb.close();
            }
            if (db != null) {
                db.close();
            }
            if (vertx != null) {
                vertx.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    /** How long a read that must see a write waits for the replica to replay it before it reads the primary instead. */
    private static final java.time.Duration REPLICA_WAIT = java.time.Duration.ofMillis(Long.getLong("mlcatalog.replica.maxWaitMillis", 250));

    /**
     * The same schema and resolvers over the replica's connections, for queries. Mutations are never run on it (the
     * HTTP handler sends them to the primary), so it shares the primary's writer; the blastRadius index, the change feed
     * and the webhooks are the node's own.
     */
    private static GraphQLService readGraphQL(ServerConfig config, Db readDb, CatalogWriter writer, Db primary, Authenticator authenticator,
                                              io.mlcatalog.server.events.ChangeFeed feed, WebhookStore webhookStore,
                                              io.mlcatalog.server.lineage.ReachabilityIndex reachability) {
        NamespaceStore namespaces = new NamespaceStore(readDb);
        CodeVersionStore codeVersions = new CodeVersionStore(readDb);
        RunStore runs = new RunStore(readDb);
        ArtifactStore artifacts = new ArtifactStore(readDb);
        ModelStore models = new ModelStore(readDb);
        DeploymentStore deployments = new DeploymentStore(readDb);
        PluginStore pluginStore = new PluginStore(readDb);
        Loaders loaders = new Loaders(runs, codeVersions, artifacts, models, new AliasStore(readDb), deployments, new TagStore(readDb),
                new AssertionStore(readDb), pluginStore, new FacetStore(readDb));
        return new GraphQLService(config.limits(), loaders, new Wiring(namespaces, codeVersions, runs, artifacts, models, deployments,
                pluginStore, new LineageWalk(new LineageStore(readDb)), reachability, new ChangeLog(readDb), writer, primary, authenticator,
                feed, webhookStore)::wire, config.security().introspection());
    }

    /** This node's name in {@code plugins { polledBy }}: {@code MLCATALOG_NODE_NAME}, or the host's name and the process id. */
    static String nodeName(Function<String, String> env) {
        String given = env.apply("MLCATALOG_NODE_NAME");
        if (given != null && !given.isBlank()) {
            return given.strip();
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    /** What the metrics read from the parts of this node, and the intake queue, every few seconds. */
    private static void observe(io.mlcatalog.server.metrics.CatalogMetrics metrics, Vertx vertx, Db db, PluginHost plugins,
                                io.mlcatalog.server.events.ChangeFeed feed, WebhookSender webhooks) {
        plugins.observePolls(metrics::poll);
        metrics.gauge("mlcatalog.change.feed.position", "the change feed's last entry this node read", feed, f -> f.cursor());
        metrics.counter("mlcatalog.webhook.deliveries", "deliveries to webhooks, by outcome", Map.of("outcome", "delivered"), webhooks,
                WebhookSender::sent);
        metrics.counter("mlcatalog.webhook.deliveries", "deliveries to webhooks, by outcome", Map.of("outcome", "failed"), webhooks,
                WebhookSender::failures);
        metrics.gauge("mlcatalog.webhook.in.flight", "requests this node has open to webhook receivers", webhooks, WebhookSender::inFlight);
        IntakeQueue queue = new IntakeQueue(db.background());
        vertx.setPeriodic(0, 5_000, id -> queue.waiting().onSuccess(w -> metrics.intake(w.requests(),
                w.oldest() == null ? null : java.time.Duration.between(w.oldest().toInstant(), java.time.Instant.now()))));
    }

    /** The environment variable an operator gives the first admin token in (at least 32 characters). */
    public static final String ADMIN_TOKEN_ENV = "MLCATALOG_ADMIN_TOKEN";

    /**
     * Whether requests need a token: as configured, or ({@code auto}) unless the server listens on loopback only with
     * no token made or given: a newcomer's {@code serve --demo} stays open, a shared catalog is closed by default.
     */
    private static boolean authRequired(ServerConfig config, TokenStore tokens, Function<String, String> env) {
        return switch (config.security().auth()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> !loopback(config.host()) || env.apply(ADMIN_TOKEN_ENV) != null
                    || await(tokens.count().toCompletionStage().toCompletableFuture()) > 0;
        };
    }

    static boolean loopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        try {
            // every address a name stands for must be loopback (a name resolving to a public address is not)
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * Makes sure an admin can get in: the token given by {@value #ADMIN_TOKEN_ENV} is stored (as its hash) if it is not yet;
     * without one, when no admin token is active, one is made and printed once, to standard output (never to the log).
     */
    private static void bootstrapAdmin(TokenStore tokens, Function<String, String> env) {
        String given = env.apply(ADMIN_TOKEN_ENV);
        if (given != null && !given.isBlank()) {
            String value = given.strip();
            if (!Tokens.strong(value)) {
                throw new IllegalArgumentException(ADMIN_TOKEN_ENV + " must be at least 32 characters of A-Z a-z 0-9 . _ ~ + / = -"
                        + " (make one with: openssl rand -base64 32)");
            }
            if (!await(tokens.existsWithHash(Tokens.hash(value)).toCompletionStage().toCompletableFuture())) {
                TokenStore.Token t = await(tokens.createAdmin(value, "env:" + ADMIN_TOKEN_ENV).toCompletionStage().toCompletableFuture());
                log.info("stored the admin token given by {} as '{}' (prefix {})", ADMIN_TOKEN_ENV, t.name(), t.prefix());
            }
            return;
        }
        if (await(tokens.countActiveAdmins().toCompletionStage().toCompletableFuture()) == 0) {
            String value = Tokens.generate();
            TokenStore.Token t = await(tokens.createAdmin(value, "first start").toCompletionStage().toCompletableFuture());
            log.info("no admin token was active: made '{}' (prefix {}), printed once to standard output", t.name(), t.prefix());
            System.out.println("mlcatalog: access control is on. An admin token '" + t.name() + "' was made; it is shown this once:");
            System.out.println();
            System.out.println("    " + value);
            System.out.println();
            System.out.println("  Keep it in a secret store; make tokens for people and jobs with: mlcatalog token create --help");
            System.out.flush();
        }
    }

    private static void migrate(DatabaseUrl url) {
        try {
            Migrations.migrate(url);
        } catch (Migrations.SchemaTooNewException e) {
            throw e;
        } catch (FlywayException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new DatabaseStartException("cannot use the database " + url + ": " + root.getMessage()
                    + ". Check that PostgreSQL runs there and that the URL, user and password are right.", e);
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException("could not start the HTTP server: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the HTTP server did not start within 60 s", e);
        }
    }

    /** The port the HTTP server listens on. */
    public int port() {
        return http.actualPort();
    }

    /** Whether requests need a token. */
    public boolean authEnabled() {
        return authenticator.enabled();
    }

    public CatalogWriter writer() {
        return writer;
    }

    public Db db() {
        return db;
    }

    /** The configured plugin instances. */
    public PluginHost plugins() {
        return plugins;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** What this node sends to webhooks. */
    public WebhookSender webhooks() {
        return webhooks;
    }

    /** This node's change feed (subscriptions and webhooks listen to it). */
    public io.mlcatalog.server.events.ChangeFeed feed() {
        return feed;
    }

    @Override
    public void close() {
        try {
            http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("HTTP server did not close cleanly: {}", e.toString());
        }
        // stored requests not written yet stay in the queue, for the next start
        intake.close();
        intakeAppender.close();
        plugins.close();
        // after the sources stopped: another node takes them over at its next look
        leases.close();
        webhooks.close();
        feed.close();
        authenticator.stop();
        if (replica != null) {
            replica.close();
        }
        db.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Vert.x did not close cleanly: {}", e.toString());
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
