package io.mlcatalog.server.docs;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every GraphQL example in README.md runs, in order, against the demo data set, as a reader would run it. */
class ReadmeExamplesIT {
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

    @Test
    void everyExampleRunsWithoutErrors() {
        List<String> examples = DocExamples.blocks("README.md", "graphql");
        assertThat(examples).hasSizeGreaterThanOrEqualTo(6);
        for (String example : examples) {
            if (example.startsWith("subscription")) {
                continue; // over a WebSocket: below
            }
            JsonNode data = catalog.graphql(example).ok();
            data.fields().forEachRemaining(field -> assertThat(field.getValue().isNull())
                    .as("%s in example:%n%s", field.getKey(), example).isFalse());
        }
    }

    @Test
    void theRollbackExampleAnswersWhatTheReadmeSays() {
        JsonNode model = catalog.graphql(DocExamples.blocks("README.md", "graphql").get(0)).ok().path("model");
        assertThat(model.path("beforeRollback").path("version").asText()).isEqualTo("4");
        assertThat(model.path("production").path("version").asText()).isEqualTo("3");
        assertThat(model.path("production").path("run").path("codeVersion").path("commit").asText()).hasSize(40);
        assertThat(model.path("production").path("run").path("inputs")).isNotEmpty();
    }

    @Test
    void theSubscriptionExampleGetsAnAliasMovedOverAWebSocket() {
        String subscription = DocExamples.blocks("README.md", "graphql").stream().filter(e -> e.startsWith("subscription")).findFirst()
                .orElseThrow();
        try (io.mlcatalog.server.testing.GraphQLWs ws = io.mlcatalog.server.testing.GraphQLWs.open(catalog.url("/graphql"), null)) {
            ws.subscribe("1", subscription, java.util.Map.of());
            catalog.awaitOpenSubscriptions(null, 1);
            catalog.graphql("mutation { setAlias(namespace: \"growth\", model: \"churn-classifier\", alias: \"staging\", version: \"4\") { name } }")
                    .ok();
            JsonNode event = ws.nextEvent("1");
            assertThat(event.path("kind").asText()).isEqualTo("ALIAS_SET");
            assertThat(event.path("alias").asText()).isEqualTo("staging");
            assertThat(event.path("modelVersion").path("version").asText()).isEqualTo("4");
        }
    }
}
