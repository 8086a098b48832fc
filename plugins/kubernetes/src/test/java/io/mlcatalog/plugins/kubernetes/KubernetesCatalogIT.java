package io.mlcatalog.plugins.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source in a real catalog, against a Kubernetes API (fabric8's mock server in CRUD mode, with KServe's
 * InferenceService): what the catalog answers about what served where and when.
 */
class KubernetesCatalogIT {
    private static final String NS = "growth";
    private static final Instant T1 = Instant.parse("2026-03-01T09:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-03T09:00:00Z");
    private static final Instant T4 = Instant.parse("2026-03-04T09:00:00Z");

    private Cluster cluster;
    private TestingCatalog catalog;

    @BeforeEach
    void start() {
        cluster = new Cluster();
        catalog = TestingCatalog.builder()
                .instance("prod-eu", "kubernetes", Map.of("cluster", "prod-eu", "apiServer", cluster.url(), "namespace", NS))
                .start();
    }

    @AfterEach
    void stop() {
        catalog.close();
        cluster.close();
    }

    private void register(String model, String version, String uri, String digest) {
        Map<String, Object> artifact = new LinkedHashMap<>(Map.of("namespace", NS, "uri", uri, "kind", "MODEL"));
        if (digest != null) {
            artifact.put("digest", digest);
        }
        artifact.put("createdAt", "2026-01-01T00:00:00Z");
        catalog.query("mutation($in: ModelVersionInput!) { registerModelVersion(input: $in) { id } }", Map.of("in", Map.of(
                "namespace", NS, "model", model, "version", version, "artifact", artifact, "createdAt", "2026-01-01T00:00:00Z")));
    }

    private void register(String model, String version) {
        catalog.query("mutation { registerModelVersion(input: {namespace: \"" + NS + "\", model: \"" + model + "\", version: \""
                + version + "\", createdAt: \"2026-01-01T00:00:00Z\"}) { id } }");
    }

    /** The deployments on a target, oldest first: {@code version traffic status startedAt endedAt}. */
    private List<JsonNode> deployments(String target) {
        JsonNode edges = catalog.query("""
                query($t: String!) { deployments(filter: {target: $t}, first: 100) { edges { node {
                    modelVersion { version } trafficPercent status startedAt endedAt replicas } } } }""", Map.of("t", target))
                .path("deployments").path("edges");
        List<JsonNode> list = new ArrayList<>();
        edges.forEach(e -> list.add(0, e.path("node")));
        return list;
    }

    /** Polls until the target's deployments satisfy {@code done}. */
    private List<JsonNode> pollUntil(String target, Predicate<List<JsonNode>> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            PollOutcome outcome = catalog.poll("prod-eu");
            assertThat(outcome.ok()).as("poll: %s", outcome.error()).isTrue();
            List<JsonNode> list = deployments(target);
            if (done.test(list)) {
                return list;
            }
            assertThat(System.nanoTime()).as("waited 20 s; %s has %s; last poll %s", target, list, outcome).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static Instant time(JsonNode t) {
        return t.isNull() || t.isMissingNode() ? null : Instant.parse(t.asText());
    }

    private static Predicate<List<JsonNode>> count(int n) {
        return list -> list.size() == n;
    }

    private static Predicate<List<JsonNode>> noneActive() {
        return list -> !list.isEmpty() && list.stream().noneMatch(d -> d.path("status").asText().equals("ACTIVE"));
    }

    /** What {@code explain} says served the target at {@code at}: {@code version} (or null) and every deployment's. */
    private JsonNode explain(String target, Instant at) {
        return catalog.query("""
                query($t: String!, $at: DateTime) { explain(namespace: "growth", environment: "prod-eu", target: $t, at: $at) {
                    deployment { modelVersion { version } trafficPercent }
                    deployments { modelVersion { version } trafficPercent } } }""", Map.of("t", target, "at", at.toString()))
                .path("explain");
    }

    private String servedAt(String target, Instant at) {
        JsonNode d = explain(target, at).path("deployment");
        return d.isMissingNode() || d.isNull() ? null : d.path("modelVersion").path("version").asText();
    }

    private static Map<String, String> deployedAt(Instant t) {
        return Map.of("mlcatalog.io/deployed-at", t.toString(), "mlcatalog.io/deployed-by", "argo");
    }

    private GenericKubernetesResource annotate(GenericKubernetesResource r, Instant t) {
        r.getMetadata().setAnnotations(new LinkedHashMap<>(deployedAt(t)));
        return r;
    }

    @Test
    void deployRollCanaryRollBackDelete_explainNamesTheRightVersionAtEachInstant() throws Exception {
        register("churn", "1", "s3://models/churn/1", null);
        register("churn", "2", "s3://models/churn/2", null);
        register("churn", "3", "s3://models/churn/3", null);
        String target = "serving/churn";

        cluster.create(Cluster.INFERENCE_SERVICES, Cluster.inferenceService("serving", "churn", "s3://models/churn/1", null, deployedAt(T1)));
        pollUntil(target, count(1));
        cluster.edit(Cluster.INFERENCE_SERVICES, "serving", "churn", i -> annotate(Cluster.storageUri(i, "s3://models/churn/2"), T2));
        pollUntil(target, count(2));
        cluster.edit(Cluster.INFERENCE_SERVICES, "serving", "churn",
                i -> annotate(Cluster.predictor(Cluster.storageUri(i, "s3://models/churn/3"), "canaryTrafficPercent", 10), T3));
        pollUntil(target, count(3));
        cluster.edit(Cluster.INFERENCE_SERVICES, "serving", "churn",
                i -> annotate(Cluster.predictor(Cluster.storageUri(i, "s3://models/churn/2"), "canaryTrafficPercent", null), T4));
        pollUntil(target, count(4));
        Instant beforeDelete = Instant.now();
        cluster.delete(Cluster.INFERENCE_SERVICES, "serving", "churn");
        List<JsonNode> all = pollUntil(target, noneActive());
        Instant afterDelete = Instant.now();

        assertThat(all).extracting(d -> d.path("modelVersion").path("version").asText() + " " + d.path("trafficPercent").asText()
                + " " + time(d.path("startedAt")) + " " + time(d.path("endedAt"))).containsExactly(
                "1 null 2026-03-01T09:00:00Z 2026-03-02T09:00:00Z",
                "2 null 2026-03-02T09:00:00Z 2026-03-04T09:00:00Z",
                "3 10.0 2026-03-03T09:00:00Z 2026-03-04T09:00:00Z",
                "2 null 2026-03-04T09:00:00Z " + time(all.get(3).path("endedAt")));
        Instant ended = Instant.parse(all.get(3).path("endedAt").asText());
        assertThat(ended).as("deleted when the deletion was seen").isBetween(beforeDelete.minusSeconds(1), afterDelete);
        assertThat(all.get(0).path("replicas").asInt()).isEqualTo(2);

        assertThat(servedAt(target, T1.minusSeconds(60))).isNull();
        assertThat(servedAt(target, T1.plusSeconds(60))).isEqualTo("1");
        assertThat(servedAt(target, T2.plusSeconds(60))).isEqualTo("2");
        JsonNode canary = explain(target, T3.plusSeconds(60));
        assertThat(canary.path("deployment").path("modelVersion").path("version").asText()).as("the main one").isEqualTo("2");
        assertThat(canary.path("deployments").findValuesAsText("version")).containsExactlyInAnyOrder("2", "3");
        assertThat(servedAt(target, T4.plusSeconds(60))).as("rolled back").isEqualTo("2");
        assertThat(servedAt(target, afterDelete.plusSeconds(1))).as("deleted").isNull();
    }

    @Test
    void aDeploymentRolledOutRolledBackScaledToZeroAndUpAgain() throws Exception {
        register("churn", "1");
        register("churn", "2");
        String target = "ml/churn-api";
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 3, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        pollUntil(target, count(1));
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.template(d, "acme/churn:2", Map.of("mlcatalog.io/version", "2")));
        pollUntil(target, count(2));
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.template(d, "acme/churn:1", Map.of("mlcatalog.io/version", "1")));
        pollUntil(target, count(3));
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.replicas(d, 0));
        pollUntil(target, noneActive());
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.replicas(d, 2));
        List<JsonNode> all = pollUntil(target, count(4));

        assertThat(all).extracting(d -> d.path("modelVersion").path("version").asText() + " " + d.path("status").asText())
                .containsExactly("1 ENDED", "2 ENDED", "1 ENDED", "1 ACTIVE");
        assertThat(all.get(3).path("replicas").asInt()).isEqualTo(2);
        for (int i = 0; i < 3; i++) {
            assertThat(all.get(i).path("endedAt").asText()).as("each ends when the next starts, or at the scale-down").isNotEmpty();
        }
        assertThat(time(all.get(0).path("endedAt"))).isEqualTo(time(all.get(1).path("startedAt")));
        Instant scaledDown = Instant.parse(all.get(2).path("endedAt").asText());
        assertThat(Instant.parse(all.get(3).path("startedAt").asText())).isAfter(scaledDown);
        for (JsonNode d : all) {
            Instant during = Instant.parse(d.path("startedAt").asText()).plusMillis(1);
            assertThat(servedAt(target, during)).isEqualTo(d.path("modelVersion").path("version").asText());
        }
        assertThat(servedAt(target, scaledDown.plusMillis(1))).as("scaled to zero").isNull();
    }

    @Test
    void versionsAreFoundByTheModelFilesUri_andAStatefulSetsImageDigest() throws Exception {
        String digest = "sha256:" + "ab".repeat(32);
        register("churn", "5", "oci://registry.acme.io/churn", digest);
        register("churn", "6", "s3://models/churn/6", null);
        cluster.create(Cluster.STATEFULSETS, Cluster.workload(Cluster.STATEFULSETS, "ml", "churn-batch", 1,
                "registry.acme.io/churn@" + digest, Map.of()));
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 1, "acme/server:1",
                Map.of("mlcatalog.io/model-uri", "s3://models/churn/6")));

        assertThat(pollUntil("ml/churn-batch", count(1)).get(0).path("modelVersion").path("version").asText()).isEqualTo("5");
        assertThat(pollUntil("ml/churn-api", count(1)).get(0).path("modelVersion").path("version").asText()).isEqualTo("6");
    }

    @Test
    void aDeploymentOfAnUnknownVersionWaitsUntilTheVersionIsRegistered() throws Exception {
        GenericKubernetesResource fraud = Cluster.inferenceService("serving", "fraud", "s3://models/fraud/1", null, deployedAt(T1));
        fraud.getMetadata().setLabels(Map.of("mlcatalog.io/model", "fraud"));
        cluster.create(Cluster.INFERENCE_SERVICES, fraud);
        JsonNode status = catalog.awaitStatus("prod-eu", s -> {
            catalog.poll("prod-eu");
            return s.path("recordsRejected").asInt() > 0;
        }, Duration.ofSeconds(20));
        assertThat(status.path("lastError").asText()).contains("no model version is registered with artifact s3://models/fraud/1");
        assertThat(deployments("serving/fraud")).isEmpty();

        // deleted meanwhile: the end waits behind the start it ends
        Instant beforeDelete = Instant.now();
        cluster.delete(Cluster.INFERENCE_SERVICES, "serving", "fraud");
        Thread.sleep(500);
        catalog.poll("prod-eu");
        assertThat(deployments("serving/fraud")).isEmpty();

        register("fraud", "1", "s3://models/fraud/1", null);
        List<JsonNode> recorded = pollUntil("serving/fraud", noneActive());
        assertThat(recorded).singleElement().satisfies(d -> {
            assertThat(time(d.path("startedAt"))).as("the rollout's time, not the registration's").isEqualTo(T1);
            assertThat(Instant.parse(d.path("endedAt").asText())).isAfter(beforeDelete.minusSeconds(1));
        });
        assertThat(catalog.poll("prod-eu").rejected()).isEmpty();
    }

    @Test
    void aRestartResyncsWithoutDuplicates_andCatchesUpWithWhatChangedMeanwhile() throws Exception {
        register("churn", "1", "s3://models/churn/1", null);
        register("churn", "2");
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 2, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        cluster.create(Cluster.INFERENCE_SERVICES, Cluster.inferenceService("serving", "churn", "s3://models/churn/1", null, deployedAt(T1)));
        pollUntil("ml/churn-api", count(1));
        pollUntil("serving/churn", count(1));
        Thread.sleep(300);
        catalog.poll("prod-eu");
        Map<String, Long> rows = catalog.rowCounts();
        int total = catalog.query("{ deployments { totalCount } }").path("deployments").path("totalCount").asInt();

        catalog = catalog.restart();
        for (int i = 0; i < 5; i++) {
            assertThat(catalog.poll("prod-eu").ok()).isTrue();
            Thread.sleep(100);
        }
        assertThat(catalog.query("{ deployments { totalCount } }").path("deployments").path("totalCount").asInt()).isEqualTo(total);
        assertThat(catalog.rowCounts()).as("the same records again: nothing new").isEqualTo(rows);

        // down again; meanwhile churn-api rolls to 2 (saying when) and the InferenceService is deleted
        catalog = catalog.restart();
        Instant rolled = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1);
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.template(d, "acme/churn:2",
                Map.of("mlcatalog.io/version", "2", "mlcatalog.io/deployed-at", rolled.toString())));
        cluster.delete(Cluster.INFERENCE_SERVICES, "serving", "churn");
        List<JsonNode> api = pollUntil("ml/churn-api", count(2));
        assertThat(time(api.get(1).path("startedAt"))).isEqualTo(rolled);
        assertThat(time(api.get(0).path("endedAt"))).isEqualTo(rolled);
        assertThat(pollUntil("serving/churn", noneActive())).hasSize(1);
        assertThat(catalog.query("{ deployments { totalCount } }").path("deployments").path("totalCount").asInt()).isEqualTo(total + 1);
    }
}
