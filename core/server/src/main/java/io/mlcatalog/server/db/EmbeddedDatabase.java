package io.mlcatalog.server.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * The PostgreSQL that ships inside the catalog's jar, started in a persistent data directory.
 * Binaries unpack once into {@code <data-dir>/pg-binaries}; the cluster lives in {@code <data-dir>/pg-data}
 * and survives restarts.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final DatabaseUrl url;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.url = new DatabaseUrl("localhost", postgres.getPort(), "postgres", "postgres", null, java.util.Map.of());
    }

    /**
     * Starts PostgreSQL on a free port in {@code dataDir}.
     *
     * @throws DatabaseStartException with a message that says why and what to do instead
     */
    public static EmbeddedDatabase start(Path dataDir, int port) {
        requireNonNull(dataDir, "dataDir is null");
        Path clusterDir = dataDir.resolve("pg-data");
        Path binariesDir = dataDir.resolve("pg-binaries");
        try {
            Files.createDirectories(clusterDir);
            Files.createDirectories(binariesDir);
        } catch (IOException e) {
            throw new DatabaseStartException("cannot create the data directory " + dataDir + ": " + e.getMessage()
                    + ". Choose a writable one with --data-dir.", e);
        }
        refuseIfRunning(clusterDir);
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(clusterDir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(binariesDir.toFile())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // the catalog stops PostgreSQL itself, in order, after the HTTP server
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "100")
                    // zonky turns this off for tests' speed; a catalog acknowledges a write only once it is on disk
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    // a new catalog's tables grow from nothing: a statement's cached generic plan, made while a table
                    // was a page, scans it whole until ANALYZE renews the plan; looking every 5 s rather than every
                    // 60 s keeps that window short (written single events: 888 a second against 563, docs/benchmarks.md)
                    .setServerConfig("autovacuum_naptime", "5s");
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.start();
            log.info("embedded PostgreSQL started on port {} with data in {}", pg.getPort(), clusterDir);
            return new EmbeddedDatabase(pg);
        } catch (IOException | RuntimeException e) {
            throw DatabaseStartException.explain(e, clusterDir);
        }
    }

    /**
     * A PostgreSQL that still runs on the directory (another catalog, or one left behind when a catalog
     * was killed) would make this one wait and fail: say so at once, with its pid.
     */
    private static void refuseIfRunning(Path clusterDir) {
        Path pidFile = clusterDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
            boolean running = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .map(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true))
                    .orElse(false);
            if (running) {
                throw new DatabaseStartException("a PostgreSQL (pid " + pid + ") is already running on " + clusterDir
                        + ": another mlcatalog uses this --data-dir, or one that was killed left its database running. "
                        + "Stop that catalog, or stop the database with: kill " + pid, null);
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof DatabaseStartException d) {
                throw d;
            }
            // an unreadable or stale pid file: PostgreSQL itself will judge it
        }
    }

    public DatabaseUrl url() {
        return url;
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}
