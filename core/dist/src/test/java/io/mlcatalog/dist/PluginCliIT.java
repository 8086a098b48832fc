package io.mlcatalog.dist;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.CatalogProcess;
import io.mlcatalog.server.testing.PluginJars;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plugins as a user runs them with the real jar: a third-party jar dropped into {@code --plugins-dir},
 * instances in {@code --config}, {@code mlcatalog plugins} for their status, {@code mlcatalog ingest --once}.
 */
class PluginCliIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration RUN = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();

    private static Path pluginJar(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("acme.numbers.CounterPlugin", PluginJars.counter("acme.numbers", "counter"));
        sources.put("acme.numbers.ProbePlugin", PluginJars.probe("acme.numbers", "probe"));
        return PluginJars.build(dir.resolve("acme-numbers.jar"), sources, "acme.numbers.CounterPlugin\nacme.numbers.ProbePlugin");
    }

    private static Path config(Path dir, String numbersSettings) throws IOException {
        return Files.writeString(dir.resolve("mlcatalog.yaml"), """
                plugins:
                  - name: numbers
                    type: counter
                    schedule: 10m
                    settings: %s
                  - name: probe
                    type: probe
                    schedule: 10m
                  - name: resting
                    type: counter
                    enabled: false
                    settings: {count: 1}
                """.formatted(numbersSettings));
    }

    @Test
    void aDroppedInPluginIsPolledShownByPluginsAndIngestedOnceByIngest(@TempDir Path tmp) throws Exception {
        Path plugins = tmp.resolve("plugins");
        pluginJar(plugins);
        Path config = config(tmp, "{count: 3}");
        String data = tmp.resolve("data").toString();

        try (CatalogProcess serve = CatalogProcess.start("serve", "--config", config.toString(), "--plugins-dir", plugins.toString(),
                "--data-dir", data, "--port", "0")) {
            String url = serve.awaitReady(START);
            awaitPolled(url, "numbers", Duration.ofSeconds(30));
            awaitPolled(url, "probe", Duration.ofSeconds(30));

            try (CatalogProcess status = CatalogProcess.start("plugins", "--url", url)) {
                assertThat(status.awaitExit(RUN)).as(status.output()).isZero();
                assertThat(status.output())
                        .containsPattern("numbers\\s+counter\\s+OK\\s+3\\s+0")
                        .containsPattern("resting\\s+counter\\s+DISABLED")
                        .contains("{\"stream\":\"numbers\"} -> {\"position\":\"3\"}");
            }

            // the jar's code sees neither the server's libraries nor, through the thread's context class loader, its classpath
            JsonNode probes = graphql(url, "{ artifacts(filter: {namespace: \"probe\"}, first: 20) { edges { node { uri name } } } }")
                    .path("data").path("artifacts").path("edges");
            assertThat(probes).hasSize(8);
            probes.forEach(p -> assertThat(p.path("node").path("name").asText()).as(p.toString()).isEqualTo("hidden"));
            assertThat(serve.stop()).isIn(0, 130, 143);
        }

        // the embedded data directory is the server's alone: ingest runs with the server stopped
        config(tmp, "{count: 5}");
        try (CatalogProcess ingest = CatalogProcess.start("ingest", "numbers", "--once", "--config", config.toString(),
                "--plugins-dir", plugins.toString(), "--data-dir", data)) {
            assertThat(ingest.awaitExit(START)).as(ingest.output()).isZero();
            assertThat(ingest.output())
                    .containsPattern("numbers: polled in \\d+ ms")
                    .containsPattern("emitted\\s+2 ArtifactRecord")
                    .containsPattern("written\\s+2 records")
                    .contains("checkpoint {stream=numbers} -> {position=5}");
        }

        try (CatalogProcess unknown = CatalogProcess.start("ingest", "nope", "--once", "--config", config.toString(),
                "--plugins-dir", plugins.toString(), "--data-dir", data)) {
            assertThat(unknown.awaitExit(RUN)).isNotZero();
            assertThat(unknown.output()).contains("no plugin instance named 'nope'").contains("configured: numbers, probe, resting");
        }
    }

    @Test
    void aMissingRequiredSettingOfAJarsTypeStopsStartUpNamingTheInstanceAndTheKey(@TempDir Path tmp) throws Exception {
        Path plugins = tmp.resolve("plugins");
        pluginJar(plugins);
        Files.write(plugins.resolve("broken.jar"), new byte[]{1, 2, 3});
        Path config = config(tmp, "{}");

        try (CatalogProcess serve = CatalogProcess.start("serve", "--config", config.toString(), "--plugins-dir", plugins.toString(),
                "--data-dir", tmp.resolve("data").toString(), "--port", "0")) {
            assertThat(serve.awaitExit(START)).isEqualTo(2);
            assertThat(serve.output())
                    .contains("broken.jar: not a readable jar file")
                    .contains("plugin instance 'numbers': setting 'count' is required")
                    .doesNotContain("embedded PostgreSQL started");
        }
    }

    private void awaitPolled(String url, String instance, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode p : graphql(url, "{ plugins { instance status } }").path("data").path("plugins")) {
                if (p.path("instance").asText().equals(instance)) {
                    last = p;
                    if (p.path("status").asText().equals("OK")) {
                        return;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(instance + " was not polled within " + timeout + "; last status: " + last);
    }

    private JsonNode graphql(String base, String query) throws IOException, InterruptedException {
        String body = TestCatalog.JSON.writeValueAsString(Map.of("query", query));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return TestCatalog.JSON.readTree(r.body());
    }
}
