package io.mlcatalog.server.testing;

import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.generate.CatalogGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * A catalog made by {@code mlcatalog generate} in a fresh test database, made once per test JVM for each
 * seed and scale: the test classes that only read it share it.
 *
 * @param database where it is
 * @param output   what the generator printed
 * @param sample   its sample file (20 roots of each kind)
 */
public record GeneratedCatalog(DatabaseUrl database, String output, Path sample) {
    private static final Map<String, GeneratedCatalog> MADE = new HashMap<>();

    public static synchronized GeneratedCatalog of(long seed, double scale) {
        return MADE.computeIfAbsent(seed + "@" + scale, k -> {
            try {
                DatabaseUrl url = TestPostgres.newDatabase();
                Path sample = Files.createTempFile("mlcatalog-sample-", ".json");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new CatalogGenerator(url, new PrintStream(out, true, StandardCharsets.UTF_8))
                        .generate(new CatalogGenerator.Options(seed, scale, false, sample, 20));
                return new GeneratedCatalog(url, out.toString(StandardCharsets.UTF_8), sample);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (SQLException e) {
                throw new IllegalStateException("generating a test catalog failed", e);
            }
        });
    }
}
