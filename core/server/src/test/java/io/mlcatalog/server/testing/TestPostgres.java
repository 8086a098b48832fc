package io.mlcatalog.server.testing;

import io.mlcatalog.server.db.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM (the embedded one the catalog ships), and a fresh database on it
 * for each test class, so classes never see each other's data.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestPostgres() {
    }

    private static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                Path dir = Files.createTempDirectory("mlcatalog-test-pg");
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dir.resolve("data"))
                        .setCleanDataDirectory(true)
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the test PostgreSQL", e);
            }
        }
        return postgres;
    }

    /** A new, empty database. */
    public static DatabaseUrl newDatabase() {
        String name = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        EmbeddedPostgres pg = postgres();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return new DatabaseUrl("localhost", pg.getPort(), name, "postgres", null, Map.of());
    }

    /** Runs SQL as a test would in psql, to check what is really stored. */
    public static long count(DatabaseUrl url, String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs SQL and returns the first column of every row, as text. */
    public static java.util.List<String> strings(DatabaseUrl url, String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            java.util.List<String> values = new java.util.ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static void execute(DatabaseUrl url, String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
