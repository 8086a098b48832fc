package io.mlcatalog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.plugin.PollOutcome;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** What {@code mlcatalog plugins} and {@code mlcatalog ingest} print. */
final class PluginsCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERY = """
            { plugins { instance type status lastSuccessAt lastError recordsWritten recordsRejected queued oldestQueuedAt checkpoint { partition offset } } }""";

    private PluginsCommand() {
    }

    /** Asks the running catalog at {@code url} for its plugins' status and prints a table. */
    static int print(String url, PrintStream out, PrintStream err) throws InterruptedException {
        JsonNode plugins;
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                    HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/graphql"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", QUERY)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (body.has("errors")) {
                err.println("mlcatalog: " + body.path("errors").path(0).path("message").asText());
                return 1;
            }
            plugins = body.path("data").path("plugins");
        } catch (IOException | IllegalArgumentException e) {
            err.println("mlcatalog: cannot reach the catalog at " + url + " (" + e.getMessage() + "); is it running? (--url)");
            return 2;
        }
        if (plugins.isEmpty()) {
            out.println("no plugin instances are configured (see --config)");
            return 0;
        }
        out.printf("%-24s %-14s %-9s %10s %9s  %-24s %s%n", "INSTANCE", "TYPE", "STATUS", "WRITTEN", "REJECTED", "LAST SUCCESS", "LAST ERROR");
        for (JsonNode p : plugins) {
            out.printf("%-24s %-14s %-9s %10d %9d  %-24s %s%n", p.path("instance").asText(), p.path("type").asText(),
                    p.path("status").asText(), p.path("recordsWritten").asLong(), p.path("recordsRejected").asLong(),
                    p.path("lastSuccessAt").asText("-"), p.path("lastError").isNull() ? "" : p.path("lastError").asText());
            if (p.path("queued").asLong() > 0) {
                out.printf("    queued: %d request(s) stored and not written yet, the oldest received %s%n", p.path("queued").asLong(),
                        p.path("oldestQueuedAt").asText());
            }
            for (JsonNode c : p.path("checkpoint")) {
                out.printf("    %s -> %s%n", c.path("partition"), c.path("offset"));
            }
        }
        return 0;
    }

    static void printOutcome(PollOutcome o, PrintStream out) {
        out.printf("%s: %s in %d ms%n", o.instance(), o.ok() ? "polled" : "FAILED", o.took().toMillis());
        o.emitted().forEach((kind, n) -> out.printf("  emitted %6d %s%n", n, kind));
        out.printf("  written %6d records%n", o.written());
        o.rejected().forEach(r -> out.println("  rejected: " + r));
        o.checkpoints().forEach((partition, offset) -> out.printf("  checkpoint %s -> %s%n", partition, offset));
        if (o.error() != null) {
            out.println("  error: " + o.error());
        }
    }
}
