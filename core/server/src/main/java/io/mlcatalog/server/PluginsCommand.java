package io.mlcatalog.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;

import java.io.PrintStream;
import java.util.Map;

/** What {@code mlcatalog plugins} and {@code mlcatalog ingest} print. */
final class PluginsCommand {
    private static final String QUERY = """
            { plugins { instance type status lastSuccessAt lastError recordsWritten recordsRejected queued oldestQueuedAt checkpoint { partition offset } } }""";

    private PluginsCommand() {
    }

    /** Asks the running catalog at {@code url} for its plugins' status and prints a table. */
    static int print(String url, String token, PrintStream out, PrintStream err) throws InterruptedException {
        JsonNode plugins;
        try {
            plugins = new CatalogClient(url, token).query(QUERY, Map.of()).path("plugins");
        } catch (CatalogClient.Failure f) {
            err.println("mlcatalog: " + f.getMessage());
            return f.exitCode;
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
