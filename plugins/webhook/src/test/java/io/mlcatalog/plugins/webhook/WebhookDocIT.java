package io.mlcatalog.plugins.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlcatalog.server.plugin.PluginsConfig;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/plugins/webhook.md says what the receiver does: its mlcatalog.yaml starts a catalog, its settings table
 * is complete, and its shell examples, run as written (with curl and openssl, when the machine has them), record
 * what its GraphQL example then shows.
 */
class WebhookDocIT {
    private static final Path DOC = Path.of("../../docs/plugins/webhook.md");
    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ENV = Map.of("DEPLOY_TOKEN", "s3cret-token", "DEPLOY_WEBHOOK_SECRET", "s3cret-hmac");

    @TempDir
    Path tmp;

    @Test
    void theConfigurationExampleIsAcceptedAsWritten() throws IOException {
        Path file = Files.writeString(tmp.resolve("mlcatalog.yaml"), configuration());

        PluginsConfig config = PluginsConfig.load(file, ENV::get);

        assertThat(config.instances()).extracting(PluginsConfig.Instance::type).containsOnly("deployments").hasSize(2);
        assertThat(config.instances().get(0).token()).isEqualTo("s3cret-token");
    }

    @Test
    void everySettingIsInTheTable() throws IOException {
        String doc = Files.readString(DOC);
        for (Setting s : new DeploymentWebhookFactory().settings()) {
            assertThat(doc).as("the settings table has a row for %s", s.key())
                    .contains("| `" + s.key() + "` | " + (s.defaultValue() == null ? "none" : "`" + s.defaultValue() + "`") + " |");
        }
    }

    @Test
    void theShellExamplesRecordWhatTheQueryShows() throws Exception {
        List<String> shell = blocks("bash");
        assertThat(shell).hasSize(2);
        try (TestingCatalog catalog = fromDoc()) {
            for (String v : List.of("3", "4")) {
                catalog.query("mutation { registerModelVersion(input: {namespace: \"growth\", model: \"churn\", version: \"" + v
                        + "\", createdAt: \"2026-01-01T00:00:00Z\"}) { id } }");
            }
            String first = run(shell.get(0), catalog);
            assertThat(JSON.readTree(first)).as(first).isEqualTo(JSON.readTree(blocks("json").get(0)));
            String second = run(shell.get(1), catalog);
            assertThat(JSON.readTree(second).path("status").asText()).as(second).isEqualTo("recorded");

            JsonNode explain = catalog.query(blocks("graphql").get(0)).path("explain");
            assertThat(explain.path("deployment").path("modelVersion").path("version").asText()).isEqualTo("3");
            assertThat(explain.path("deployment").path("deployedBy").asText()).isEqualTo("ci-bot");
            assertThat(explain.path("deployments").findValuesAsText("version")).containsExactlyInAnyOrder("3", "4");
            assertThat(explain.path("deployments").findValues("trafficPercent")).extracting(JsonNode::asText).contains("10.0");
        }
    }

    /**
     * Runs a shell example with bash as written, pointed at the catalog; where bash, curl or openssl are missing,
     * sends the same request with the JDK's client (the body from the example, signed here when it signs).
     */
    private static String run(String script, TestingCatalog catalog) throws Exception {
        String url = catalog.url("");
        if (onPath("bash") && onPath("curl") && onPath("openssl")) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).redirectErrorStream(true);
            pb.environment().putAll(ENV);
            pb.environment().put("MLCATALOG_URL", url);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out;
        }
        Matcher body = Pattern.compile("(?:-d |body=)'(\\{.*?\\})'").matcher(script);
        assertThat(body.find()).as("the example's body").isTrue();
        Matcher path = Pattern.compile("\\$MLCATALOG_URL(/ingest/[a-z-]+/)").matcher(script);
        assertThat(path.find()).isTrue();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path.group(1))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.group(1)));
        if (script.contains("Authorization: Bearer $DEPLOY_TOKEN")) {
            b.header("Authorization", "Bearer " + ENV.get("DEPLOY_TOKEN"));
        }
        if (script.contains("X-Hub-Signature-256")) {
            b.header("X-Hub-Signature-256", new Signature(ENV.get("DEPLOY_WEBHOOK_SECRET")).of(body.group(1).getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** A catalog with exactly the instances of the doc's mlcatalog.yaml. */
    @SuppressWarnings("unchecked")
    private static TestingCatalog fromDoc() throws IOException {
        Map<String, Object> yaml = new ObjectMapper(new YAMLFactory()).readValue(configuration(), Map.class);
        TestingCatalog.Builder builder = TestingCatalog.builder().env(ENV);
        for (Map<String, Object> instance : (List<Map<String, Object>>) yaml.get("plugins")) {
            Map<String, Object> keys = new LinkedHashMap<>(instance);
            keys.remove("name");
            keys.remove("type");
            Object settings = keys.remove("settings");
            Map<String, Object> s = new LinkedHashMap<>();
            if (settings != null) {
                ((Map<String, Object>) settings).forEach((k, v) -> s.put(k, String.valueOf(v)));
            }
            builder.instance((String) instance.get("name"), (String) instance.get("type"), s, keys);
        }
        return builder.start();
    }

    private static String configuration() throws IOException {
        return blocks("yaml").stream().filter(b -> b.contains("plugins:")).findFirst().orElseThrow();
    }

    private static List<String> blocks(String language) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(Files.readString(DOC));
        while (m.find()) {
            if (m.group(1).equals(language)) {
                blocks.add(m.group(2));
            }
        }
        return blocks;
    }
}
