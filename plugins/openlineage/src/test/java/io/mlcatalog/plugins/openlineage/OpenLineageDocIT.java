package io.mlcatalog.plugins.openlineage;

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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/plugins/openlineage.md says what the receiver does: its mlcatalog.yaml starts a catalog, its
 * settings table is complete, and each example request, sent to that catalog, gets the answer shown.
 */
class OpenLineageDocIT {
    private static final Path DOC = Path.of("../../docs/plugins/openlineage.md");
    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Map<String, String> ENV = Map.of("LINEAGE_TOKEN", "s3cret-example");

    @TempDir
    Path tmp;

    @Test
    void theConfigurationExampleIsAcceptedAsWritten() throws IOException {
        List<String> yaml = blocks("yaml");
        assertThat(yaml).hasSize(1);
        Path file = Files.writeString(tmp.resolve("mlcatalog.yaml"), yaml.get(0));

        PluginsConfig config = PluginsConfig.load(file, ENV::get);

        assertThat(config.instances()).singleElement().satisfies(i -> {
            assertThat(i.type()).isEqualTo("openlineage");
            assertThat(i.token()).isEqualTo("s3cret-example");
        });
    }

    @Test
    void everySettingIsInTheTable() throws IOException {
        String doc = Files.readString(DOC);
        for (Setting s : new OpenLineageReceiverFactory().settings()) {
            assertThat(doc).as("the settings table has a row for %s", s.key()).contains("| `" + s.key() + "` | `" + s.defaultValue() + "`");
        }
    }

    @Test
    void eachExampleRequestGetsTheAnswerShownFromACatalogConfiguredAsShown() throws Exception {
        List<String> http = blocks("http");
        assertThat(http).as("request and answer pairs").hasSizeGreaterThanOrEqualTo(6).hasSize(http.size() / 2 * 2);
        try (TestingCatalog catalog = fromDoc()) {
            LineageHttp client = new LineageHttp(catalog);
            for (int i = 0; i < http.size(); i += 2) {
                Message request = Message.parse(http.get(i));
                Message expected = Message.parse(http.get(i + 1));
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url(request.firstLine().split(" ")[1])))
                        .method(request.firstLine().split(" ")[0], HttpRequest.BodyPublishers.ofString(request.body()));
                request.headers().forEach(b::header);

                HttpResponse<String> answer = client.send(b.build());

                String status = expected.firstLine().split(" ")[1];
                assertThat(answer.statusCode()).as("%s → %s", request.firstLine(), answer.body()).isEqualTo(Integer.parseInt(status));
                assertThat(LineageHttp.json(answer)).as(request.firstLine()).isEqualTo(LineageHttp.JSON.readTree(expected.body()));
                assertThat(answer.headers().firstValue("Content-Type")).hasValue(expected.headers().get("Content-Type"));
            }
            // and what they wrote is what the mapping table says
            JsonNode run = catalog.query("""
                    { run(namespace: "sales", externalId: "0195ab1c-6c00-7000-8000-000000000002") {
                        status pipeline inputs { uri } outputs { uri } } }""").path("run");
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.path("pipeline").asText()).isEqualTo("daily_report");
            assertThat(run.path("inputs").findValuesAsText("uri")).containsExactly("bigquery:acme.sales.orders");
            assertThat(run.path("outputs").findValuesAsText("uri")).containsExactly("gs://acme-reports/daily/2026-03-01.pdf");
            // the batch's event without an offset was taken as UTC, and its run keeps a note of it
            JsonNode assumed = catalog.query("""
                    { run(namespace: "sales", externalId: "0195ab1c-6c00-7000-8000-000000000004") { startedAt facets } }""").path("run");
            assertThat(assumed.path("startedAt").asText()).startsWith("2026-03-01T07:07:00");
            assertThat(assumed.path("facets").path("mlcatalog_warnings").path("warnings").path(0).asText())
                    .isEqualTo("eventTime '2026-03-01T07:07:00' has no offset: taken as UTC (2026-03-01T07:07:00Z)");
            // every GraphQL example of the doc runs, without errors, against what the examples wrote
            for (String query : blocks("graphql")) {
                JsonNode answer = catalog.graphql(query, Map.of());
                assertThat(answer.path("errors").isMissingNode()).as("%s → %s", query, answer).isTrue();
            }
            // every Marquez path the text names as an example (not a template) answers
            Matcher paths = Pattern.compile("`(/api/v1/namespaces/[^`{}]+)`").matcher(Files.readString(DOC));
            int named = 0;
            while (paths.find()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(catalog.url(paths.group(1)))).GET().build());
                assertThat(r.statusCode()).as("%s → %s", paths.group(1), r.body()).isEqualTo(200);
                named++;
            }
            assertThat(named).isGreaterThanOrEqualTo(2);
            JsonNode job = catalog.query(blocks("graphql").stream().filter(q -> q.contains("job(")).findFirst().orElseThrow()).path("job");
            assertThat(job.path("facets").path("documentation").path("description").asText()).isEqualTo("The daily sales report, as a PDF");
            assertThat(job.path("declaredInputs").findValuesAsText("uri")).containsExactly("bigquery:acme.sales.orders");
            assertThat(job.path("runs").path("totalCount").asInt()).isEqualTo(2);
        }
    }

    /** A catalog with exactly the instances of the doc's mlcatalog.yaml. */
    @SuppressWarnings("unchecked")
    private static TestingCatalog fromDoc() throws IOException {
        Map<String, Object> yaml = new ObjectMapper(new YAMLFactory()).readValue(blocks("yaml").get(0), Map.class);
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

    /** An HTTP message as the doc writes it: a first line, headers, a blank line, a body. */
    private record Message(String firstLine, Map<String, String> headers, String body) {
        static Message parse(String text) {
            String[] parts = text.split("\\n\\n", 2);
            String[] lines = parts[0].split("\\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
            }
            return new Message(lines[0], headers, parts.length > 1 ? parts[1] : "");
        }
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
