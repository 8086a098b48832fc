package io.mlcatalog.server.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.events.CatalogEvent;
import io.mlcatalog.server.testing.GraphQLWs;
import io.mlcatalog.server.testing.Repository;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.webhooks.Signatures;
import io.mlcatalog.server.webhooks.WebhooksConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every example of docs/live.md, run as its reader would: the subscription (from Java and from Node), the webhooks, the metrics. */
class LiveDocIT {
    static final String DOC = "docs/live.md";
    static final ObjectMapper JSON = new ObjectMapper();
    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        DemoData.load(catalog.server().writer());
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    static void run(String name, String status) {
        catalog.graphql("mutation($i: RunInput!) { upsertRun(input: $i) { id } }",
                Map.of("i", Map.of("namespace", "growth", "name", name, "status", status))).ok();
    }

    @Test
    void theSubscriptionReplaysTheAliasHistorySinceAndGoesOn() {
        String subscription = DocExamples.blocks(DOC, "graphql").get(0);
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.subscribe("1", subscription, Map.of("since", 0));
            JsonNode first = ws.nextEvent("1");
            assertThat(first.path("kind").asText()).isEqualTo("ALIAS_SET");
            assertThat(first.path("modelVersion").path("version").asText()).isNotEmpty();
            assertThat(first.path("modelVersion").path("run").path("name").asText()).isNotEmpty();
        }
    }

    @Test
    void theDashboardsScriptRunsOnNode() throws Exception {
        Path js = Path.of("src/test/js").toAbsolutePath();
        Assumptions.assumeTrue(Files.isDirectory(js.resolve("node_modules/graphql-ws")),
                "skipped: npm's graphql-ws is not installed in " + js + " (run: npm ci --prefix core/server/src/test/js; .ci/run does)");
        String script = DocExamples.blocks(DOC, "js").get(0).replace("ws://127.0.0.1:8080/graphql", catalog.url("/graphql")
                .replaceFirst("^http", "ws"));
        Path file = js.resolve("live-doc-example.mjs");
        Files.writeString(file, script);
        try {
            ProcessBuilder b = new ProcessBuilder("node", file.getFileName().toString()).directory(js.toFile()).redirectErrorStream(true);
            b.environment().put("MLCATALOG_TOKEN", "none-needed-on-an-open-catalog");
            b.environment().put("SINCE", Long.toString(catalog.server().feed().cursor()));
            Process node = b.start();
            // a client that hangs is ended, so that the read below ends and the test fails instead of the build waiting
            java.util.concurrent.CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS).execute(node::destroyForcibly);
            run("doc-live", "RUNNING");
            run("doc-live", "SUCCEEDED");
            List<JsonNode> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(JSON.readTree(line));
                }
            }
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(lines.stream().map(l -> l.path("kind").asText()).toList()).containsExactly("RUN_CREATED", "RUN_STATUS_CHANGED");
            assertThat(lines.get(1).path("run").path("status").asText()).isEqualTo("SUCCEEDED");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void thePollingQueryPagesThroughTheSameEvents() {
        JsonNode page = catalog.graphql(DocExamples.blocks(DOC, "graphql").get(1), Map.of("after", 0)).ok().path("events");
        JsonNode events = page.path("events");
        assertThat(events.size()).isBetween(50, 100);
        assertThat(events.findValuesAsText("kind")).contains("RUN_CREATED", "MODEL_VERSION_CREATED");
        long last = page.path("last").asLong();
        assertThat(last).isGreaterThanOrEqualTo(events.path(events.size() - 1).path("sequence").asLong());
        JsonNode next = catalog.graphql(DocExamples.blocks(DOC, "graphql").get(1), Map.of("after", last)).ok().path("events").path("events");
        if (events.size() < 100) {
            assertThat(next.size()).as("a page short of first: the feed ended there").isZero();
        } else {
            assertThat(next.path(0).path("sequence").asLong()).isGreaterThan(last);
        }
    }

    @Test
    void theWebhookExamplesMakeWebhooksAndTheBodyIsWhatIsSent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mlcatalog.yaml");
        Files.writeString(file, DocExamples.blocks(DOC, "yaml").get(0));
        WebhooksConfig configured = WebhooksConfig.load(file, Map.of("CD_WEBHOOK_SECRET", "a-secret-of-at-least-16")::get);
        assertThat(configured.webhooks()).singleElement().satisfies(w -> {
            assertThat(w.name()).isEqualTo("cd-production");
            assertThat(w.filter().model()).isEqualTo("churn-classifier");
        });
        JsonNode created = catalog.graphql(DocExamples.blocks(DOC, "graphql").get(2)).ok().path("createWebhook");
        assertThat(created.path("secret").asText()).startsWith("whsec_");
        assertThat(created.path("webhook").path("filter").toString()).isEqualTo("{\"kinds\":[\"RUN_STATUS_CHANGED\"],\"namespace\":\"growth\"}");

        JsonNode documented = JSON.readTree(DocExamples.blocks(DOC, "json").get(0));
        CatalogEvent any = catalog.server().feed().page(0, Long.MAX_VALUE, 50, null).toCompletionStage().toCompletableFuture().get().stream()
                .filter(e -> e.kind() != null).findFirst().orElseThrow();
        var hook = new io.mlcatalog.server.webhooks.WebhookStore.Webhook(java.util.UUID.randomUUID(), "w", "http://x/", "s", null, true, 0,
                "api", null, null);
        Map<String, Object> sent = io.mlcatalog.server.webhooks.WebhookSender.body(hook, any);
        List<String> fields = new ArrayList<>();
        documented.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyElementsOf(sent.keySet());
    }

    @Test
    void theSignatureCheckAcceptsADeliveryAndRefusesAChangedOne() throws Exception {
        String check = DocExamples.blocks(DOC, "bash").get(0);
        String secret = "whsec_doc-example-secret";
        String body = "{\"kind\":\"ALIAS_SET\",\"sequence\":1042}";
        String signature = Signatures.header(secret, Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8));
        assertThat(bash(check, Map.of("SECRET", secret, "BODY", body, "SIGNATURE", signature))).isEqualTo("valid");
        assertThat(bash(check, Map.of("SECRET", secret, "BODY", body.replace("1042", "1043"), "SIGNATURE", signature))).isEmpty();
        String old = Signatures.header(secret, Instant.now().getEpochSecond() - 3600, body.getBytes(StandardCharsets.UTF_8));
        assertThat(bash(check, Map.of("SECRET", secret, "BODY", body, "SIGNATURE", old))).isEmpty();
    }

    static String bash(String script, Map<String, String> env) throws Exception {
        ProcessBuilder b = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void everyMetricTheTableNamesIsServed() throws Exception {
        JsonNode prometheus = new YAMLMapper().readTree(DocExamples.blocks(DOC, "yaml").get(1));
        assertThat(prometheus.path("scrape_configs").path(0).path("metrics_path").asText()).isEqualTo("/metrics");
        String scraped = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/metrics"))).GET().build()).body();
        String doc = Files.readString(Repository.file(DOC));
        String table = doc.substring(doc.indexOf("| metric | what |"), doc.indexOf("## Logs"));
        Matcher m = Pattern.compile("`([a-z_]+)(\\*)?`").matcher(table.lines().filter(l -> l.startsWith("| `")).map(l -> l.split("\\|")[1])
                .reduce("", String::concat));
        int named = 0;
        while (m.find()) {
            named++;
            String metric = m.group(1);
            if (metric.startsWith("mlcatalog_plugin")) {
                continue; // counted once an instance polls: the plugins' tests check them (this catalog has no instance)
            }
            if (metric.startsWith("mlcatalog_receiver")) {
                continue; // counted once a receiver writes a request: ReceiverIT (core/testkit) checks it
            }
            if (metric.equals("mlcatalog_graphql_reads_total") || metric.equals("mlcatalog_replica_reachable")) {
                continue; // served by a node with a read replica: TwoNodesIT (core/dist) checks them
            }
            boolean prefix = m.group(2) != null;
            assertThat(scraped.lines().anyMatch(l -> !l.startsWith("#") && (prefix ? l.startsWith(metric)
                    : l.startsWith(metric + "{") || l.startsWith(metric + " ") || l.startsWith(metric + "_count") || l.startsWith(metric + "_bucket"))))
                    .as(metric + " is served").isTrue();
        }
        assertThat(named).isGreaterThan(10);
    }
}
