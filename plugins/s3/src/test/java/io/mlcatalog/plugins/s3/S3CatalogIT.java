package io.mlcatalog.plugins.s3;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The s3 plugin against a real S3-compatible server (S3Proxy, in this JVM) and a real catalog. */
class S3CatalogIT {
    private static final String ARTIFACTS = """
            query($prefix: String, $present: Boolean) {
              artifacts(filter: {uriPrefix: $prefix, present: $present}, first: 100) {
                totalCount
                edges { node { name uri digest sizeBytes mediaType kind createdAt goneAt facets assertedBy { source externalId } } }
              }
            }""";

    private static TestingS3 s3;
    private static TestingS3 flaky;
    private static TestingCatalog catalog;

    @BeforeAll
    static void start() throws Exception {
        s3 = new TestingS3();
        flaky = new TestingS3();
        for (String b : List.of("bulk", "models", "versioned", "private")) {
            s3.client().createBucket(r -> r.bucket(b));
        }
        s3.client().putBucketVersioning(r -> r.bucket("versioned").versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
        flaky.client().createBucket(r -> r.bucket("flaky"));
        catalog = TestingCatalog.builder().env(TestingS3.env())
                .instance("s3-bulk", "s3", s3.settings("bulk", "maxRecordsPerPoll", "4000", "namespace", "bulk"))
                .instance("s3-models", "s3", s3.settings("models", "namespace", "fraud", "readMetadata", "true"))
                .instance("s3-versioned", "s3", s3.settings("versioned", "listVersions", "true", "namespace", "versioned"))
                .instance("s3-wrong-secret", "s3", s3.settings("private", "secretAccessKey", "${env:WRONG_SECRET}"))
                .instance("s3-flaky", "s3", flaky.settings("flaky", "namespace", "flaky"))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        catalog.close();
        s3.close();
        flaky.close();
    }

    private static PollOutcome poll(String instance) {
        PollOutcome outcome = catalog.poll(instance);
        assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
        assertThat(outcome.rejected()).isEmpty();
        return outcome;
    }

    private static Map<String, JsonNode> artifacts(String prefix, Boolean present) {
        Map<String, Object> vars = new java.util.HashMap<>();
        vars.put("prefix", prefix);
        vars.put("present", present);
        Map<String, JsonNode> byKey = new java.util.TreeMap<>();
        catalog.query(ARTIFACTS, vars).path("artifacts").path("edges").forEach(e -> {
            JsonNode n = e.path("node");
            byKey.put(n.path("name").asText() + (n.path("goneAt").isNull() ? "" : " (gone)") + " " + n.path("digest").asText(), n);
        });
        return byKey;
    }

    @Test
    void tenThousandObjectsOverBoundedPollsThenOnlyWhatChanged() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> puts = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            puts.add(pool.submit(() -> s3.put("bulk", String.format("part-%02d/obj-%05d.csv", n % 10, n), "row," + n)));
        }
        for (Future<?> f : puts) {
            f.get();
        }
        pool.shutdown();

        List<Object> written = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            written.add(poll("s3-bulk").written());
        }
        assertThat(written).containsExactly(4000, 4000, 2000, 0);
        assertThat(catalog.count("select count(*) from artifact where uri like 's3://bulk/%'")).isEqualTo(10_000);
        assertThat(catalog.count("select count(*) from artifact where uri like 's3://bulk/%' and digest like 'etag:%' and kind = 'DATASET'"))
                .isEqualTo(10_000);

        s3.put("bulk", "part-01/obj-00001.csv", "overwritten");
        s3.put("bulk", "part-02/obj-00002.csv", "overwritten too");
        s3.delete("bulk", "part-03/obj-00003.csv");
        s3.put("bulk", "part-04/new.csv", "new");
        Map<String, Long> before = catalog.rowCounts();
        poll("s3-bulk");

        assertThat(catalog.count("select count(*) from artifact where uri like 's3://bulk/%'")).isEqualTo(10_003);
        assertThat(catalog.count("select count(*) from artifact where uri like 's3://bulk/%' and gone_at is not null")).isEqualTo(3);
        assertThat(catalog.count("select count(*) from artifact where uri like 's3://bulk/%' and gone_at is null")).isEqualTo(10_000);
        assertThat(catalog.rowCounts().get("artifact") - before.get("artifact")).isEqualTo(3);

        Map<String, Long> rows = catalog.rowCounts();
        poll("s3-bulk");
        assertThat(catalog.rowCounts()).as("nothing changed: nothing written").isEqualTo(rows);
    }

    @Test
    void overwriteIsANewVersionDeleteIsGoneAndTheSidecarRegistersTheVersionLinkedToItsRun() {
        s3.put("models", "fraud/model.onnx", "weights v1");
        s3.put("models", "fraud/model.onnx.mlcatalog.json", """
                {"run": {"name": "train-7"}, "model": {"name": "fraud-detector", "version": "1"}}""");
        s3.put("models", "fraud/metrics.json", "{}", Map.of("mlcatalog-run", "train-7", "mlcatalog-kind", "OTHER"));
        poll("s3-models");

        Map<String, JsonNode> first = artifacts("s3://models/", null);
        assertThat(first).hasSize(2);
        JsonNode model = first.entrySet().stream().filter(e -> e.getKey().startsWith("model.onnx")).findFirst().orElseThrow().getValue();
        assertThat(model.path("uri").asText()).isEqualTo("s3://models/fraud/model.onnx");
        assertThat(model.path("digest").asText()).startsWith("etag:");
        assertThat(model.path("sizeBytes").asLong()).isEqualTo(10);
        assertThat(model.path("kind").asText()).isEqualTo("MODEL");
        assertThat(model.path("mediaType").asText()).isEqualTo("application/onnx");
        assertThat(model.path("assertedBy").path(0).path("source").asText()).isEqualTo("s3-models");
        assertThat(model.path("assertedBy").path(0).path("externalId").asText()).isEqualTo("fraud/model.onnx");

        catalog.query("mutation { upsertRun(input: {namespace: \"fraud\", name: \"train-7\", status: SUCCEEDED}) { id } }");
        JsonNode v = catalog.query("""
                { modelVersion(namespace: "fraud", model: "fraud-detector", version: "1") { run { name outputs { name } } artifact { uri } } }""")
                .path("modelVersion");
        assertThat(v.path("run").path("name").asText()).isEqualTo("train-7");
        assertThat(v.path("artifact").path("uri").asText()).isEqualTo("s3://models/fraud/model.onnx");
        assertThat(v.path("run").path("outputs").findValuesAsText("name")).containsExactlyInAnyOrder("model.onnx", "metrics.json");

        // retrained: the new file, then its sidecar, as training code writes them
        s3.put("models", "fraud/model.onnx", "weights v2!");
        s3.put("models", "fraud/model.onnx.mlcatalog.json", """
                {"run": {"name": "train-8"}, "model": {"name": "fraud-detector", "version": "2"}}""");
        s3.delete("models", "fraud/metrics.json");
        poll("s3-models");
        Map<String, JsonNode> after = artifacts("s3://models/", null);
        assertThat(after.keySet()).hasSize(3).anyMatch(k -> k.startsWith("model.onnx (gone) " + model.path("digest").asText()))
                .anyMatch(k -> k.startsWith("metrics.json (gone)"));
        assertThat(artifacts("s3://models/", true).keySet()).singleElement().asString().startsWith("model.onnx etag:")
                .doesNotContain(model.path("digest").asText());

        Map<String, Long> rows = catalog.rowCounts();
        catalog.resetCheckpoints("s3-models");
        poll("s3-models");
        assertThat(catalog.rowCounts()).as("a replay changes nothing").isEqualTo(rows);
    }

    @Test
    void aVersionedBucketRecordsEveryVersionAndDeleteMarkers() throws Exception {
        s3.put("versioned", "m.pt", "one");
        Thread.sleep(1100); // S3 times have one-second precision: keep the versions apart
        s3.put("versioned", "m.pt", "two");
        poll("s3-versioned");
        Thread.sleep(1100);
        s3.delete("versioned", "m.pt");
        poll("s3-versioned");

        Map<String, JsonNode> all = artifacts("s3://versioned/", null);
        assertThat(all).hasSize(2);
        assertThat(all.keySet()).allMatch(k -> k.startsWith("m.pt (gone) s3-version:"));
        List<JsonNode> versions = new ArrayList<>(all.values());
        versions.sort(java.util.Comparator.comparing(n -> n.path("createdAt").asText()));
        // the first version went when the second was written, the second when the delete marker was
        assertThat(versions.get(0).path("goneAt").asText()).isEqualTo(versions.get(1).path("createdAt").asText());
        assertThat(versions.get(1).path("facets").path("s3").path("etag").asText()).isNotEmpty();

        Map<String, Long> rows = catalog.rowCounts();
        poll("s3-versioned");
        assertThat(catalog.rowCounts()).isEqualTo(rows);
    }

    @Test
    void wrongCredentialsFailThePollWithAClearMessageThatShowsNoSecret() {
        s3.put("private", "a.csv", "x");
        PollOutcome outcome = catalog.poll("s3-wrong-secret");

        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.error()).contains("bucket private").contains("access denied").contains("credentials")
                .doesNotContain("not-the-secret-key");
        JsonNode status = catalog.status("s3-wrong-secret");
        assertThat(status.path("status").asText()).isEqualTo("FAILING");
        assertThat(status.path("lastError").asText()).contains("access denied").doesNotContain("not-the-secret-key");
    }

    @Test
    void anEndpointThatIsDownFailsThePollsUntilItIsBackAndTheCatalogServesMeanwhile() throws Exception {
        flaky.put("flaky", "data.parquet", "rows");
        flaky.stop();
        try {
            PollOutcome down = catalog.poll("s3-flaky");
            assertThat(down.ok()).isFalse();
            assertThat(down.error()).contains("cannot reach " + flaky.endpoint()).contains("bucket flaky");
            assertThat(catalog.status("s3-flaky").path("status").asText()).isEqualTo("FAILING");
            assertThat(catalog.query("{ artifacts(first: 1) { totalCount } }").path("artifacts").has("totalCount")).isTrue();
        } finally {
            flaky.start();
        }
        poll("s3-flaky");
        assertThat(catalog.status("s3-flaky").path("status").asText()).isEqualTo("OK");
        assertThat(artifacts("s3://flaky/", true)).hasSize(1);
    }
}
