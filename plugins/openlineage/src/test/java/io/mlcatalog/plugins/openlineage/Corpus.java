package io.mlcatalog.plugins.openlineage;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The corpus of real OpenLineage events (Airflow, Spark on Dataproc) that CI keeps beside the
 * repository, at {@code ../shared/corpus/openlineage}: one folder per scenario, its events in
 * {@code events/*.json} in emission order (the numeric order of the file names). The build passes its
 * place as the system property {@code mlcatalog.corpus.dir}; a test run from elsewhere finds it from
 * the repository root. Where it is absent (a fresh clone), the tests that need it are skipped, saying why.
 */
final class Corpus {
    static final String PROPERTY = "mlcatalog.corpus.dir";

    /** One scenario: its name and its events, in emission order. */
    record Scenario(String name, List<String> events) {
    }

    private Corpus() {
    }

    /** Every scenario by name; skips the calling test when the corpus is absent. */
    static Map<String, Scenario> scenarios() {
        Path dir = dir();
        Assumptions.assumeTrue(dir != null && Files.isDirectory(dir),
                "skipped: the OpenLineage event corpus is not at " + (dir == null ? "../shared/corpus/openlineage" : dir)
                        + " (set -D" + PROPERTY + "=<dir>; CI has it at ../shared beside the repository)");
        Map<String, Scenario> scenarios = new TreeMap<>();
        try (Stream<Path> folders = Files.list(dir)) {
            for (Path folder : folders.filter(f -> Files.isDirectory(f.resolve("events"))).sorted().toList()) {
                List<String> events = new ArrayList<>();
                try (Stream<Path> files = Files.list(folder.resolve("events"))) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".json"))
                            .sorted(Comparator.comparingLong(Corpus::number).thenComparing(Path::toString)).toList()) {
                        events.add(Files.readString(f, StandardCharsets.UTF_8));
                    }
                }
                scenarios.put(folder.getFileName().toString(), new Scenario(folder.getFileName().toString(), List.copyOf(events)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Assumptions.assumeFalse(scenarios.isEmpty(), "skipped: no scenario in " + dir);
        return scenarios;
    }

    /** The number in a file name ({@code line_07.json} → 7, {@code 1729097588979.json}), 0 when none. */
    static long number(Path file) {
        String digits = file.getFileName().toString().replaceAll("\\D", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    private static Path dir() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank() && Files.isDirectory(Path.of(property))) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        // run from an IDE or from the module's folder: the repository root is the first folder up with schema/ and core/
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("schema")) && Files.isDirectory(p.resolve("core"))) {
                return p.resolve("../shared/corpus/openlineage").normalize();
            }
        }
        return property == null ? null : Path.of(property);
    }
}
