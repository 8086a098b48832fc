package io.mlcatalog.server.docs;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every GraphQL example of docs/incident-runbook.md runs against the demo data set, and answers what the
 * runbook says it answers.
 */
class IncidentRunbookIT {
    private static final String RUNBOOK = "docs/incident-runbook.md";
    private static final Pattern ID = Pattern.compile("\"((?:CodeVersion|Run|Artifact|Model|ModelVersion|Deployment):[0-9a-f-]{36})\"");
    private static final String ROLLBACK = "2026-10-22T11:40:00.000000Z";

    static TestCatalog catalog;
    static List<String> examples;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        DemoData.load(catalog.server().writer());
        examples = DocExamples.blocks(RUNBOOK, "graphql");
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    /** The answer to the one example that contains {@code marker}. */
    private static JsonNode run(String marker) {
        List<String> matching = examples.stream().filter(e -> e.contains(marker)).toList();
        assertThat(matching).as("examples containing %s", marker).hasSize(1);
        return catalog.graphql(matching.get(0)).ok();
    }

    /** The global ids an example names literally. */
    private static Set<String> idsIn(String marker) {
        String example = examples.stream().filter(e -> e.contains(marker)).findFirst().orElseThrow();
        Set<String> ids = new LinkedHashSet<>();
        Matcher m = ID.matcher(example);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static List<String> texts(JsonNode list, String field) {
        List<String> values = new ArrayList<>();
        list.forEach(n -> values.add(n.at(field).asText()));
        return values;
    }

    @Test
    void everyExampleRunsWithoutErrorsAndAnswers() {
        assertThat(examples).hasSizeGreaterThanOrEqualTo(15);
        for (String example : examples) {
            JsonNode data = catalog.graphql(example).ok();
            data.fields().forEachRemaining(field -> assertThat(field.getValue().isNull())
                    .as("%s in example:%n%s", field.getKey(), example).isFalse());
        }
    }

    @Test
    void everyIdTheRunbookNamesIsOneTheDemoHas() throws Exception {
        Matcher m = ID.matcher(Files.readString(io.mlcatalog.server.testing.Repository.file(RUNBOOK)));
        int count = 0;
        while (m.find()) {
            count++;
            JsonNode node = catalog.graphql("query($id: ID!) { node(id: $id) { id } }", Map.of("id", m.group(1))).ok().path("node");
            assertThat(node.path("id").asText()).as(m.group(1)).isEqualTo(m.group(1));
        }
        assertThat(count).isGreaterThanOrEqualTo(5);
    }

    @Test
    void explainNamesTheVersionThatServedDuringTheIncidentAndHowItWasMade() {
        JsonNode e = run("at: \"2026-10-22T09:00:00Z\") {\n    at\n").path("explain");
        assertThat(e.at("/modelVersion/version").asText()).isEqualTo("4");
        assertThat(e.at("/deployment/status").asText()).isEqualTo("ENDED");
        assertThat(e.at("/deployment/endedAt").asText()).isEqualTo(ROLLBACK);
        assertThat(texts(e.path("aliasesAtTime"), "")).containsExactly("production", "staging");
        assertThat(e.at("/run/name").asText()).isEqualTo("train-churn-2026-10-20");
        assertThat(e.at("/run/params/learning_rate").asDouble()).isPositive();
        assertThat(e.at("/run/metrics/auc").asDouble()).isPositive();
        assertThat(e.at("/codeVersion/commit").asText()).hasSize(40);
        assertThat(e.path("inputs")).hasSize(2);
        e.path("inputs").forEach(i -> assertThat(i.path("digest").asText()).startsWith("sha256:"));
        assertThat(texts(e.at("/upstream/nodes"), "/name")).contains("build-churn-features-2026-10-20");
        assertThat(e.at("/upstream/truncated").asBoolean()).isTrue(); // the ingestion run lies beyond three hops

        JsonNode now = run("target: \"churn-api\") {").path("explain");
        assertThat(now.at("/modelVersion/version").asText()).isEqualTo("3");
        assertThat(now.at("/deployment/status").asText()).isEqualTo("ACTIVE");
        assertThat(now.at("/deployment/startedAt").asText()).isEqualTo(ROLLBACK);

        JsonNode canary = run("2026-10-02T04:00:00Z").path("explain");
        assertThat(canary.at("/deployment/modelVersion/version").asText()).isEqualTo("1");
        assertThat(texts(canary.path("deployments"), "/modelVersion/version")).containsExactly("1", "3");
        assertThat(canary.at("/deployments/1/trafficPercent").asDouble()).isEqualTo(10.0);
    }

    @Test
    void productionMeantVersionFourThenAndMeansThreeNow() {
        JsonNode model = run("atIncident: version(alias").path("model");
        assertThat(model.at("/atIncident/version").asText()).isEqualTo("4");
        assertThat(model.at("/now/version").asText()).isEqualTo("3");
        JsonNode production = null;
        for (JsonNode a : model.path("aliases")) {
            if (a.path("name").asText().equals("production")) {
                production = a;
            }
        }
        assertThat(production).isNotNull();
        assertThat(production.at("/modelVersion/version").asText()).isEqualTo("4");
        assertThat(production.path("until").asText()).isEqualTo(ROLLBACK);
    }

    @Test
    void upstreamOfVersionFourReachesTheIngestionRunAndNothingDownstream() {
        String versionId = run("modelVersion(namespace: \"growth\", model: \"churn-classifier\", version: \"4\")")
                .at("/modelVersion/id").asText();
        assertThat(idsIn("direction: UPSTREAM")).containsExactly(versionId);

        JsonNode g = run("direction: UPSTREAM").path("lineage");
        assertThat(g.path("truncated").asBoolean()).isFalse();
        assertThat(g.path("depthReached").asInt()).isEqualTo(6);
        assertThat(texts(g.path("nodes"), "/name")).contains("train-churn-2026-10-20", "build-churn-features-2026-10-20",
                "ingest-events-2026-10-20");
        // the root is the only version, and no deployment: upstream never turns downstream
        assertThat(texts(g.path("nodes"), "/__typename")).containsOnlyOnce("ModelVersion").doesNotContain("Deployment");
        g.path("edges").forEach(edge -> assertThat(edge.at("/assertedBy/0/source").asText()).isEqualTo("demo"));
    }

    @Test
    void theBadEventsAndTheBadCommitTouchVersionFour() {
        String eventsId = run("artifact(uri: \"s3://acme-lake/events/date=2026-10-20/part-0000.parquet\")").at("/artifact/id").asText();
        assertThat(idsIn("blastRadius(from: \"Artifact:")).containsExactly(eventsId);
        assertThat(idsIn("direction: DOWNSTREAM")).containsExactly(eventsId);

        JsonNode blast = run("blastRadius(from: \"Artifact:").path("blastRadius");
        assertThat(blast.path("truncated").asBoolean()).isFalse();
        assertThat(texts(blast.path("modelVersions"), "/version")).containsExactly("4");
        assertThat(texts(blast.path("modelVersions").path(0).path("aliases"), "")).containsExactly("production", "staging");
        assertThat(texts(blast.path("deployments"), "/environment")).containsExactlyInAnyOrder("prod", "staging");

        String commitId = run("codeVersion(repository:").at("/codeVersion/id").asText();
        assertThat(idsIn("blastRadius(from: \"CodeVersion:")).containsExactly(commitId);
        JsonNode byCommit = run("blastRadius(from: \"CodeVersion:").path("blastRadius");
        assertThat(texts(byCommit.path("modelVersions"), "/version")).containsExactly("4");
        assertThat(byCommit.path("deployments")).isEmpty(); // version 4 serves nowhere now

        JsonNode down = run("direction: DOWNSTREAM").path("lineage");
        assertThat(down.path("truncated").asBoolean()).isFalse();
        List<String> types = texts(down.path("nodes"), "/__typename");
        assertThat(types).contains("ModelVersion").filteredOn("Deployment"::equals).hasSize(2);
        assertThat(texts(down.path("nodes"), "/name")).doesNotContain("ingest-events-2026-10-20"); // never back upstream
    }

    @Test
    void theLabelsDigestFindsTheLabelsEveryTrainingRunRead() {
        JsonNode list = run("artifacts(filter: {digest:").path("artifacts");
        assertThat(list.path("totalCount").asInt()).isEqualTo(1);
        assertThat(list.at("/edges/0/node/uri").asText()).isEqualTo("s3://acme-lake/labels/churn/2026-08.parquet");
        assertThat(list.at("/edges/0/node/consumedBy/totalCount").asInt()).isEqualTo(9);

        assertThat(run("artifact(digest:").at("/artifact/uri").asText()).isEqualTo("s3://acme-lake/labels/churn/2026-08.parquet");
    }

    @Test
    void historyShowsTheRollbackNewestFirst() {
        String modelId = run("model(namespace: \"growth\", name: \"churn-classifier\") { id }").at("/model/id").asText();
        assertThat(idsIn("history(entity: \"Model:")).containsExactly(modelId);

        JsonNode h = run("history(entity: \"Model:").path("history");
        assertThat(h.at("/pageInfo/hasNextPage").asBoolean()).isTrue();
        JsonNode rollback = h.at("/edges/1/node");
        assertThat(rollback.path("action").asText()).isEqualTo("ALIAS_SET");
        assertThat(rollback.at("/before/version").asText()).isEqualTo("4");
        assertThat(rollback.at("/after/version").asText()).isEqualTo("3");
        assertThat(rollback.at("/after/at").asText()).isEqualTo(ROLLBACK);
        assertThat(rollback.path("actor").asText()).isEqualTo("demo");

        String deploymentId = run("modelVersion(namespace: \"growth\", model: \"churn-classifier\", version: \"4\")")
                .at("/modelVersion/deployments/edges/0/node/id").asText();
        assertThat(idsIn("history(entity: \"Deployment:")).containsExactly(deploymentId);
        JsonNode deployment = run("history(entity: \"Deployment:").path("history");
        assertThat(texts(deployment.path("edges"), "/node/action")).containsExactly("DEPLOYMENT_ENDED", "DEPLOYMENT_STARTED");
        assertThat(deployment.at("/edges/0/node/after/endedAt").asText()).isEqualTo(ROLLBACK);
    }

    @Test
    void fiveDeploymentsServedDuringTheIncident() {
        JsonNode list = run("deployments(filter: {activeAt:").path("deployments");
        assertThat(list.path("totalCount").asInt()).isEqualTo(5);
        assertThat(texts(list.path("edges"), "/node/environment")).containsExactlyInAnyOrder("prod", "staging", "staging", "prod-eu", "prod-us");
        assertThat(list.at("/edges/0/node/modelVersion/version").asText()).isEqualTo("4");
    }
}
