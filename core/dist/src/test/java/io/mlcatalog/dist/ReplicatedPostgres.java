package io.mlcatalog.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL primary and a streaming replica of it, from Debian's PostgreSQL packages ({@code .ci/run} installs
 * them), on loopback, in a temporary directory: what a production catalog runs on. The binaries are those of the
 * system property {@code mlcatalog.test.pgBin}, or the newest {@code /usr/lib/postgresql/N/bin}. As root, PostgreSQL
 * runs as the {@code postgres} user the packages make (it refuses to run as root).
 */
final class ReplicatedPostgres implements AutoCloseable {
    private static final Duration COMMAND = Duration.ofSeconds(120);

    private final Path bin;
    private final Path dir;
    private final int primaryPort;
    private final int replicaPort;
    private final boolean asPostgresUser;

    private ReplicatedPostgres(Path bin, Path dir, int primaryPort, int replicaPort, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
        this.asPostgresUser = asPostgresUser;
    }

    /** The PostgreSQL binaries, or why there are none here (the tests that need them are skipped with it). */
    static Optional<Path> binaries() {
        String given = System.getProperty("mlcatalog.test.pgBin");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given));
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("pg_basebackup")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static final String MISSING = "no PostgreSQL server binaries (Debian's postgresql package; .ci/run installs it, or set "
            + "-Dmlcatalog.test.pgBin to a bin directory with postgres, initdb, pg_ctl and pg_basebackup)";

    /** Starts a primary and a replica streaming from it, each on a free port, with an empty database {@code mlcatalog}. */
    static ReplicatedPostgres start() {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException(MISSING));
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("mlcatalog-replicated-pg");
            ReplicatedPostgres pg = new ReplicatedPostgres(bin, dir, freePort(), freePort(), root);
            if (root) {
                pg.run("chown", "postgres:postgres", dir.toString());
            }
            pg.startBoth();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startBoth() throws IOException {
        Path primary = dir.resolve("primary");
        run(bin.resolve("initdb").toString(), "-D", primary.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        // initdb's pg_hba.conf lets loopback replicate with the same method as everything else: trust here
        appendAsOwner(primary.resolve("postgresql.conf"), String.join("\n",
                "listen_addresses = '127.0.0.1'",
                "port = " + primaryPort,
                "unix_socket_directories = '" + dir + "'",
                "wal_level = replica",
                "max_wal_senders = 5",
                "max_connections = 100",
                "fsync = off",
                "hot_standby = on",
                ""));
        pgCtl(primary, "start");
        sql(primaryPort, "postgres", "create database mlcatalog");
        Path replica = dir.resolve("replica");
        run(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", String.valueOf(primaryPort), "-U", "postgres",
                "-D", replica.toString(), "-R", "-X", "stream", "-c", "fast", "--no-sync");
        // the copy carries the primary's settings; a later line wins
        appendAsOwner(replica.resolve("postgresql.conf"), "port = " + replicaPort + "\n");
        pgCtl(replica, "start");
    }

    String primaryUrl() {
        return "postgresql://postgres@127.0.0.1:" + primaryPort + "/mlcatalog";
    }

    String replicaUrl() {
        return "postgresql://postgres@127.0.0.1:" + replicaPort + "/mlcatalog";
    }

    void stopPrimary() {
        pgCtl(dir.resolve("primary"), "stop", "-m", "fast");
    }

    void startPrimary() {
        pgCtl(dir.resolve("primary"), "start");
    }

    void stopReplica() {
        pgCtl(dir.resolve("replica"), "stop", "-m", "fast");
    }

    void startReplica() {
        pgCtl(dir.resolve("replica"), "start");
    }

    /** Stops the replica applying what it receives (it still answers reads): it stays behind the primary until resumed. */
    void pauseReplay() {
        sql(replicaPort, "mlcatalog", "select pg_wal_replay_pause()");
    }

    void resumeReplay() {
        sql(replicaPort, "mlcatalog", "select pg_wal_replay_resume()");
    }

    /** Runs a statement on the primary, as an operator would in psql. */
    long primaryCount(String query) {
        return count(primaryPort, query);
    }

    long replicaCount(String query) {
        return count(replicaPort, query);
    }

    private long count(int port, String query) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/mlcatalog", "postgres", null);
             Statement s = c.createStatement(); var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(query, e);
        }
    }

    private void sql(int port, String database, String statement) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", null);
             Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    private void pgCtl(Path data, String... action) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", data.resolveSibling(data.getFileName() + ".log").toString()));
        command.addAll(List.of(action));
        run(command.toArray(String[]::new));
    }

    /** Appends to a file the server owns (as its owner: root cannot always write there in a user namespace). */
    private void appendAsOwner(Path file, String text) {
        runWithInput(new String[]{"sh", "-c", "cat >> '" + file + "'"}, text);
    }

    /** Runs a command (as {@code postgres} when this is root) and fails with its output when it fails. */
    private void run(String... command) {
        runWithInput(command, null);
    }

    private void runWithInput(String[] command, String input) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser && !command[0].equals("chown")) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).directory(dir.toFile()).start();
            if (input != null) {
                p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " did not finish within " + COMMAND);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed (exit " + p.exitValue() + "):\n"
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (String server : List.of("replica", "primary")) {
            try {
                pgCtl(dir.resolve(server), "stop", "-m", "immediate");
            } catch (RuntimeException e) {
                // already stopped
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
