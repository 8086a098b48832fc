package io.mlcatalog.testkit;

import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.EmbeddedDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One embedded PostgreSQL per test JVM, stopped when the JVM exits; a fresh database on it per catalog. */
final class TestingPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedDatabase postgres;

    private TestingPostgres() {
    }

    static synchronized DatabaseUrl newDatabase() {
        if (postgres == null) {
            try {
                Path dir = Files.createTempDirectory("mlcatalog-testkit-pg");
                postgres = EmbeddedDatabase.start(dir, 0);
                Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "testkit-postgres-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String name = "testkit_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        DatabaseUrl admin = postgres.url();
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password()); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a test database", e);
        }
        return admin.withDatabase(name);
    }
}
