package io.mlcatalog.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.mlcatalog.spi.Checkpoints;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.DeploymentEndRecord;
import io.mlcatalog.spi.record.DeploymentStartRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.testkit.Poll;
import io.mlcatalog.testkit.SourceHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The source against a Kubernetes API (fabric8's mock server in CRUD mode), polled as the host polls it, without a catalog. */
class KubernetesSourceIT {
    private Cluster cluster;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void cluster() {
        cluster = new Cluster();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        cluster.close();
    }

    private SourceHarness source(Map<String, Object> settings) {
        SourceHarness.Builder b = SourceHarness.builder(new KubernetesSourceFactory()).setting("cluster", "prod-eu")
                .setting("apiServer", cluster.url());
        settings.forEach(b::setting);
        SourceHarness h = b.build();
        open.add(h);
        return h;
    }

    /** Polls until what the polls emitted, together, satisfies {@code done}; returns it. */
    static List<MetadataRecord> pollUntil(SourceHarness h, Predicate<List<MetadataRecord>> done) throws InterruptedException {
        List<MetadataRecord> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            Poll p = h.poll();
            assertThat(p.ok()).as("poll failed: %s", p.failure()).isTrue();
            seen.addAll(p.records());
            if (done.test(seen)) {
                return seen;
            }
            assertThat(System.nanoTime()).as("waited 15 s for the records; got %s", seen).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static List<DeploymentStartRecord> starts(List<MetadataRecord> records) {
        return records.stream().filter(DeploymentStartRecord.class::isInstance).map(DeploymentStartRecord.class::cast).toList();
    }

    static List<DeploymentEndRecord> ends(List<MetadataRecord> records) {
        return records.stream().filter(DeploymentEndRecord.class::isInstance).map(DeploymentEndRecord.class::cast).toList();
    }

    static Predicate<List<MetadataRecord>> startOf(String target, String version) {
        return rs -> starts(rs).stream().anyMatch(s -> s.target().equals(target) && version.equals(s.version()));
    }

    @Test
    void rolloutsOfDeploymentsAndStatefulSetsBecomeDeploymentsWithCheckpoints() throws Exception {
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 2, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        cluster.create(Cluster.STATEFULSETS, Cluster.workload(Cluster.STATEFULSETS, "ml", "churn-batch", 1, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        SourceHarness h = source(Map.of("namespaces", List.of("ml")));

        List<MetadataRecord> first = pollUntil(h, startOf("ml/churn-api", "1").and(startOf("ml/churn-batch", "1")));
        DeploymentStartRecord api = starts(first).stream().filter(s -> s.target().equals("ml/churn-api")).findFirst().orElseThrow();
        assertThat(api.environment()).isEqualTo("prod-eu");
        assertThat(api.namespace()).isEqualTo("ml");
        assertThat(api.replicas()).isEqualTo(2);
        assertThat(h.committed()).containsKeys(Map.of("kind", "deployments", "namespace", "ml"),
                Map.of("kind", "statefulsets", "namespace", "ml"));
        assertThat(h.committed().get(Map.of("kind", "deployments", "namespace", "ml")))
                .containsKey("resourceVersion").containsKey("ml/churn-api");

        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.template(d, "acme/churn:2", Map.of("mlcatalog.io/version", "2")));
        List<MetadataRecord> rolled = pollUntil(h, startOf("ml/churn-api", "2"));
        assertThat(starts(rolled)).singleElement().satisfies(s -> assertThat(s.startedAt()).isAfter(api.startedAt()));
        assertThat(h.poll().records()).as("nothing new").isEmpty();
    }

    @Test
    void kservesOwnDeploymentsAreNotTargets_andAClusterWithoutKServeIsStillWatched() throws Exception {
        var owned = Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-predictor", 1, "kserve/sklearnserver:1",
                Map.of("mlcatalog.io/version", "1"));
        owned.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("serving.kserve.io/v1beta1")
                .withKind("InferenceService").withName("churn").withUid("u").withController(true).build()));
        cluster.create(Cluster.DEPLOYMENTS, owned);
        cluster.create(Cluster.INFERENCE_SERVICES, Cluster.inferenceService("ml", "churn", "s3://models/churn/1", null, Map.of()));
        SourceHarness h = source(Map.of());
        List<MetadataRecord> records = pollUntil(h, rs -> !rs.isEmpty());
        Thread.sleep(300);
        records.addAll(h.poll().records());
        assertThat(starts(records)).extracting(DeploymentStartRecord::target).containsExactly("ml/churn");

        try (Cluster plain = new Cluster(false)) {
            plain.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 1, "acme/churn:1",
                    Map.of("mlcatalog.io/version", "1")));
            SourceHarness without = SourceHarness.builder(new KubernetesSourceFactory()).setting("cluster", "prod-eu")
                    .setting("apiServer", plain.url()).build();
            open.add(without);
            assertThat(starts(pollUntil(without, startOf("ml/churn-api", "1")))).hasSize(1);
        }
    }

    @Test
    void changesWhileTheWatchKeepsExpiringAreSeenThroughTheRelists() throws Exception {
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 2, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-old", 2, "acme/churn:0",
                Map.of("mlcatalog.io/version", "0")));
        SourceHarness h = source(Map.of());
        pollUntil(h, startOf("ml/churn-api", "1").and(startOf("ml/churn-old", "0")));

        // the API server compacted its history: every watch ends with 410 Gone, and so does every new one for a while
        cluster.refuseWatches(true);
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.template(d, "acme/churn:2", Map.of("mlcatalog.io/version", "2")));
        cluster.delete(Cluster.DEPLOYMENTS, "ml", "churn-old");
        List<MetadataRecord> seen = pollUntil(h, startOf("ml/churn-api", "2")
                .and(rs -> ends(rs).stream().anyMatch(e -> e.target().equals("ml/churn-old"))));
        assertThat(ends(seen)).singleElement().satisfies(e -> assertThat(e.model()).as("the whole target").isNull());
        cluster.refuseWatches(false);

        // and once watches work again, changes arrive by watch as before
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.template(d, "acme/churn:3", Map.of("mlcatalog.io/version", "3")));
        assertThat(starts(pollUntil(h, startOf("ml/churn-api", "3")))).hasSize(1);
    }

    @Test
    void aRestartedSourceSendsTheSameDeploymentsAgain_andEndsWhatWentAwayMeanwhile() throws Exception {
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 2, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-old", 2, "acme/churn:0",
                Map.of("mlcatalog.io/version", "0")));
        SourceHarness before = source(Map.of());
        pollUntil(before, startOf("ml/churn-api", "1").and(startOf("ml/churn-old", "0")));
        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", d -> Cluster.template(d, "acme/churn:2", Map.of("mlcatalog.io/version", "2")));
        DeploymentStartRecord v2 = starts(pollUntil(before, startOf("ml/churn-api", "2"))).get(0);
        var checkpoints = before.committed();
        before.close();
        open.remove(before);

        // down for a while: churn-old is deleted
        cluster.delete(Cluster.DEPLOYMENTS, "ml", "churn-old");
        SourceHarness after = source(Map.of());
        checkpoints.forEach(after::commit);
        List<MetadataRecord> resumed = pollUntil(after, startOf("ml/churn-api", "2")
                .and(rs -> !ends(rs).isEmpty()));
        assertThat(starts(resumed)).singleElement().satisfies(s -> {
            assertThat(s.startedAt()).as("the same start, not a new interval").isEqualTo(v2.startedAt());
            assertThat(s.version()).isEqualTo("2");
        });
        assertThat(ends(resumed)).singleElement().satisfies(e -> assertThat(e.target()).isEqualTo("ml/churn-old"));
        assertThat(after.committed().get(Map.of("kind", "deployments", "namespace", "*"))).doesNotContainKey("ml/churn-old");
    }

    @Test
    void everyResyncSendsTheCurrentDeploymentsAgain_asTheyWere() throws Exception {
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 2, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        SourceHarness h = source(Map.of("resync", "1s"));
        DeploymentStartRecord first = starts(pollUntil(h, startOf("ml/churn-api", "1"))).get(0);
        DeploymentStartRecord resent = starts(pollUntil(h, startOf("ml/churn-api", "1"))).get(0);
        assertThat(resent.startedAt()).isEqualTo(first.startedAt());
        assertThat(resent.version()).isEqualTo("1");
        assertThat(h.committed().get(Map.of("kind", "deployments", "namespace", "*"))).as("nothing changed: the same state")
                .containsEntry("ml/churn-api", StateCodec.encode(new WorkloadState("ml", "ml/churn-api",
                        List.of(new Serving(new ModelRef("churn", "1", null, null), null, first.startedAt())), 2, null, first.startedAt())));
    }

    @Test
    void aWorkloadWithFinalizersEndsAtItsDeletionTimestamp() throws Exception {
        var d = Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 2, "acme/churn:1", Map.of("mlcatalog.io/version", "1"));
        d.getMetadata().setFinalizers(List.of("acme.io/drain"));
        cluster.create(Cluster.DEPLOYMENTS, d);
        SourceHarness h = source(Map.of());
        DeploymentStartRecord start = starts(pollUntil(h, startOf("ml/churn-api", "1"))).get(0);

        cluster.delete(Cluster.DEPLOYMENTS, "ml", "churn-api"); // marked for deletion, kept until the finalizer is removed
        DeploymentEndRecord end = ends(pollUntil(h, rs -> !ends(rs).isEmpty())).get(0);
        String marked = cluster.client.genericKubernetesResources(Cluster.DEPLOYMENTS).inNamespace("ml").withName("churn-api").get()
                .getMetadata().getDeletionTimestamp();
        Instant deletion = Workload.instant(marked);
        // (the mock's timestamps have whole seconds: one in the second it was created in ends 1 ms after its start)
        assertThat(end.endedAt()).isEqualTo(deletion.isAfter(start.startedAt()) ? deletion : start.startedAt().plusMillis(1));
        assertThat(end.target()).isEqualTo("ml/churn-api");

        cluster.edit(Cluster.DEPLOYMENTS, "ml", "churn-api", w -> {
            w.getMetadata().setFinalizers(List.of());
            return w;
        });
        Thread.sleep(300);
        assertThat(h.poll().records()).as("gone for good: it had ended already").isEmpty();
    }

    @Test
    void moreChangesThanTheBufferHoldsAreRecordedAsTheyAreNow() throws Exception {
        for (int i = 0; i < 130; i++) {
            cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "api-" + i, 1, "acme/churn:1",
                    Map.of("mlcatalog.io/version", String.valueOf(i % 3))));
        }
        SourceHarness h = source(Map.of("maxBufferedChanges", "100"));
        List<MetadataRecord> records = pollUntil(h, rs -> starts(rs).stream().map(DeploymentStartRecord::target).distinct().count() == 130);
        assertThat(starts(records)).hasSize(130).allSatisfy(s ->
                assertThat(s.version()).isEqualTo(String.valueOf(Integer.parseInt(s.target().substring("ml/api-".length())) % 3)));
    }

    @Test
    void whatAPollEmittedGoesAgainUntilTheCatalogHasIt() throws Exception {
        cluster.create(Cluster.DEPLOYMENTS, Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 2, "acme/churn:1",
                Map.of("mlcatalog.io/version", "1")));
        SourceContext context = new BareContext(Map.of("cluster", "prod-eu", "apiServer", cluster.url()));
        try (IngestSource source = new KubernetesSourceFactory().create(context)) {
            List<MetadataRecord> first = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (first.isEmpty() && System.nanoTime() < deadline) {
                source.poll(collect(first)); // never confirmed: as if writing it failed
                Thread.sleep(50);
            }
            assertThat(first).hasSize(1);
            List<MetadataRecord> again = new ArrayList<>();
            source.poll(collect(again));
            assertThat(again).as("not written: emitted again").isEqualTo(first);
            source.committed(List.of());
            List<MetadataRecord> then = new ArrayList<>();
            source.poll(collect(then));
            assertThat(then).isEmpty();
        }
    }

    @Test
    void anApiServerThatDoesNotAnswerFailsThePollSayingWhere() {
        SourceHarness h = SourceHarness.builder(new KubernetesSourceFactory()).setting("cluster", "prod-eu")
                .setting("apiServer", "http://127.0.0.1:9").setting("syncTimeout", "2s").build();
        open.add(h);
        Poll p = h.poll();
        assertThat(p.ok()).isFalse();
        assertThat(p.failure()).hasMessageContaining("http://127.0.0.1:9");
    }

    private static RecordSink collect(List<MetadataRecord> into) {
        return new RecordSink() {
            @Override
            public void emit(MetadataRecord record) {
                into.add(record);
            }

            @Override
            public void checkpoint(Map<String, String> partition, Map<String, String> offset) {
            }
        };
    }

    /** A host context with these settings (the defaults of the others) and no checkpoints. */
    private static final class BareContext implements SourceContext {
        private final PluginConfig config;

        BareContext(Map<String, String> settings) {
            this.config = new PluginConfig() {
                private final Map<String, String> defaults = Map.of("kinds", "deployments", "labelSelector", "mlcatalog.io/model",
                        "resync", "10m", "insecureSkipTlsVerify", "false", "maxBufferedChanges", "10000", "syncTimeout", "30s");

                @Override
                public Optional<String> get(String key) {
                    return Optional.ofNullable(settings.getOrDefault(key, defaults.get(key)));
                }

                @Override
                public int getInt(String key) {
                    return Integer.parseInt(require(key));
                }

                @Override
                public boolean getBoolean(String key) {
                    return Boolean.parseBoolean(require(key));
                }

                @Override
                public Duration getDuration(String key) {
                    String v = require(key);
                    return v.endsWith("m") ? Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)))
                            : Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
                }

                @Override
                public List<String> getList(String key) {
                    return get(key).map(v -> List.of(v.split(","))).orElse(List.of());
                }

                @Override
                public java.util.Set<String> keys() {
                    return settings.keySet();
                }
            };
        }

        @Override
        public String instance() {
            return "bare";
        }

        @Override
        public PluginConfig config() {
            return config;
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("bare");
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public Checkpoints checkpoints() {
            return new Checkpoints() {
                @Override
                public Optional<Map<String, String>> offset(Map<String, String> partition) {
                    return Optional.empty();
                }

                @Override
                public Map<Map<String, String>, Map<String, String>> all() {
                    return Map.of();
                }
            };
        }

        @Override
        public Path workDirectory() {
            return Path.of(System.getProperty("java.io.tmpdir"));
        }
    }
}
