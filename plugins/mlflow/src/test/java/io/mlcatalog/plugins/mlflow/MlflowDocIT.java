package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/plugins/mlflow.md as its reader runs it: its configuration, then its walk's queries, with what the text says of them. */
class MlflowDocIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(MlflowStores.Kind.class)
    void theWalkAnswersWhatTheTextSays(MlflowStores.Kind kind) throws Exception {
        String doc = Files.readString(repository().resolve("docs/plugins/mlflow.md"));
        JsonNode config = new YAMLMapper().readTree(blocks(doc, "yaml").get(0)).path("plugins").path(0);
        assertThat(config.path("type").asText()).isEqualTo("mlflow");
        MlflowStores mlflow = new MlflowStores(kind, MlflowScenario.churn(), dir);
        // the documented settings, but for where this MLflow is and its token (the fixture wants none)
        Map<String, Object> settings = new LinkedHashMap<>();
        config.path("settings").fields().forEachRemaining(e -> settings.put(e.getKey(),
                e.getValue().isArray() ? new YAMLMapper().convertValue(e.getValue(), List.class) : e.getValue().asText()));
        assertThat(settings.keySet()).containsExactly("trackingUri", "token", "namespace", "experiments");
        settings.put("trackingUri", mlflow.trackingUri());
        settings.remove("token");
        try (TestingCatalog catalog = TestingCatalog.builder().instance(config.path("name").asText(), "mlflow", settings).start()) {
            assertThat(catalog.poll(config.path("name").asText()).ok()).isTrue();
            List<String> queries = blocks(doc, "graphql");
            assertThat(queries).hasSize(2);

            JsonNode model = catalog.query(queries.get(0)).path("model");
            assertThat(model.path("production").path("version").asText()).isEqualTo("1");
            assertThat(model.path("production").path("run").path("name").asText()).isEqualTo(MlflowScenario.LEGACY);
            JsonNode champion = model.path("champion");
            assertThat(champion.path("version").asText()).isEqualTo("2");
            JsonNode run = champion.path("run");
            assertThat(run.path("name").asText()).isEqualTo(MlflowScenario.CHILD_1);
            assertThat(run.path("facets").path("mlflowRun").path("runName").asText()).isEqualTo("lr-0.05");
            assertThat(run.path("parent").path("name").asText()).isEqualTo(MlflowScenario.SWEEP);
            assertThat(run.path("params").path("learning_rate").asText()).isEqualTo("0.05");
            assertThat(run.path("metrics").path("auc").asDouble()).isEqualTo(0.893);
            assertThat(run.path("codeVersion").path("commit").asText()).startsWith("5d41402");
            assertThat(run.path("inputs").toString()).contains("{\"uri\":\"s3://acme-lake/churn/customers/2026-11-30.parquet\","
                    + "\"digest\":\"mlflow-dataset:d7c5e1a2\"}").contains("holdout");
            assertThat(doc).contains("`production` is version 1, from run `c1c1…` (`baseline`)")
                    .contains("`champion` is version 2, made by run\n`b1b1…`")
                    .contains("`s3://acme-lake/churn/customers/2026-11-30.parquet` (`mlflow-dataset:d7c5e1a2`)");

            JsonNode found = catalog.query(queries.get(1));
            assertThat(found.path("byName").path("edges").findValuesAsText("name")).containsExactly(MlflowScenario.CHILD_1);
            assertThat(found.path("sweep").path("totalCount").asInt()).isEqualTo(2);
            assertThat(found.path("sweep").path("edges").findValuesAsText("status")).containsExactlyInAnyOrder("SUCCEEDED", "FAILED");
            assertThat(doc).contains("`byName` is run `b1b1…`; the sweep has two runs, one `SUCCEEDED` and one `FAILED`.");
        } finally {
            mlflow.close();
        }
    }

    static List<String> blocks(String doc, String language) {
        List<String> result = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)\\n```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            result.add(m.group(1));
        }
        return result;
    }

    static Path repository() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("schema")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("not inside the repository");
    }
}
