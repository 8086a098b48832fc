package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/plugins/metaflow.md as its reader runs it: the configuration on the corpus, then each query, with what the text says. */
class MetaflowDocIT {
    static TestingCatalog catalog;
    static String doc;

    @BeforeAll
    static void start() throws IOException {
        Path datastore = MetaflowCorpusIT.corpus();
        doc = Files.readString(repository().resolve("docs/plugins/metaflow.md"));
        // the documented settings, with the corpus's datastore as root
        String yaml = blocks("yaml").get(0);
        assertThat(yaml).contains("models: [\"model\"]").contains("model: churn-classifier").contains("datasets: [dataset_uri, customers_uri]")
                .contains("outputDatasets: [predictions_uri]").contains("namespace: growth");
        catalog = TestingCatalog.builder()
                .instance("churn-metaflow", "metaflow", Map.of("root", datastore.toString(), "namespace", "growth", "models", List.of("model"),
                        "model", "churn-classifier", "datasets", List.of("dataset_uri", "customers_uri"), "outputDatasets", List.of("predictions_uri")))
                .start();
        assertThat(catalog.poll("churn-metaflow").ok()).isTrue();
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void theWalkAnswersWhatTheTextSays() {
        List<String> queries = blocks("graphql");
        assertThat(queries).hasSize(2);
        JsonNode input = catalog.query(queries.get(0)).path("score").path("inputs").path(0);
        assertThat(input.path("uri").asText()).isEqualTo("metaflow://ChurnTrainFlow/1796479757975798/train/3/model");
        JsonNode made = input.path("producedBy").path(0).path("parent");
        assertThat(made.path("name").asText()).isEqualTo("ChurnTrainFlow/1796479757975798");
        assertThat(made.path("user").asText()).isEqualTo("bob");
        assertThat(made.path("codeVersion").path("commit").asText()).startsWith("1ff4654");
        assertThat(made.path("inputs").findValuesAsText("uri")).containsExactly("s3://acme-lake/churn/customers/2026-12-04.parquet");
        assertThat(doc).contains("at commit `1ff4654…` from `s3://acme-lake/churn/customers/2026-12-04.parquet`");

        JsonNode versions = catalog.query(queries.get(1)).path("model").path("versions").path("edges");
        assertThat(versions.size()).isEqualTo(3);
        assertThat(versions.findValuesAsText("digest")).allMatch(d -> d.startsWith("metaflow-sha1:"));
    }

    static List<String> blocks(String language) {
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
