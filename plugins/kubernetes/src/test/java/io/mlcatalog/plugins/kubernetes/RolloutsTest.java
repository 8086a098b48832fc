package io.mlcatalog.plugins.kubernetes;

import io.mlcatalog.spi.record.DeploymentEndRecord;
import io.mlcatalog.spi.record.DeploymentStartRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules that turn a workload's changes into deployment records, without a cluster. */
class RolloutsTest {
    private static final Instant CREATED = Instant.parse("2026-03-01T08:00:00Z");
    private static final Instant T1 = Instant.parse("2026-03-01T09:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T11:00:00Z");
    private static final Instant T4 = Instant.parse("2026-03-01T12:00:00Z");

    private final Rollouts rollouts = new Rollouts("prod", null);

    /** A workload to change field by field. */
    private static final class W {
        WorkloadKind kind = WorkloadKind.DEPLOYMENTS;
        Map<String, String> labels = new HashMap<>(Map.of("mlcatalog.io/model", "churn"));
        Map<String, String> annotations = new HashMap<>();
        Integer replicas = 2;
        List<String> images = List.of("server=acme/churn:1");
        String storageUri;
        Double canary;
        boolean stopped;
        Long generation = 1L;
        Instant deleted;

        static W deployment(String version) {
            W w = new W();
            w.annotations.put("mlcatalog.io/version", version);
            w.annotations.put("deployment.kubernetes.io/revision", "1");
            return w;
        }

        static W isvc(String uri, Double canary) {
            W w = new W();
            w.kind = WorkloadKind.INFERENCESERVICES;
            w.storageUri = uri;
            w.canary = canary;
            w.images = List.of();
            return w;
        }

        W set(String annotation, String value) {
            if (value == null) {
                annotations.remove(annotation);
            } else {
                annotations.put(annotation, value);
            }
            return this;
        }

        W version(String v) {
            generation++;
            return set("mlcatalog.io/version", v).set("deployment.kubernetes.io/revision",
                    String.valueOf(Integer.parseInt(annotations.getOrDefault("deployment.kubernetes.io/revision", "0")) + 1));
        }

        Workload build() {
            return new Workload(kind, "ml", "churn-api", "uid-1", "1", generation, CREATED, deleted, Map.copyOf(labels),
                    Map.copyOf(annotations), replicas, images, storageUri, canary, stopped, false);
        }
    }

    private WorkloadState state;

    /** Observes the workload at {@code now}, keeps the state, and returns the records. */
    private List<MetadataRecord> see(W w, Instant now) {
        Rollouts.Step step = rollouts.observe(state, w.build(), now, false);
        state = step.after();
        return step.records();
    }

    private static DeploymentStartRecord start(MetadataRecord r) {
        assertThat(r).isInstanceOf(DeploymentStartRecord.class);
        return (DeploymentStartRecord) r;
    }

    @Test
    void aWorkloadSeenFirstStartsAtItsCreationWhenItsSpecNeverChanged() {
        DeploymentStartRecord s = start(see(W.deployment("1"), T1).get(0));

        assertThat(s.startedAt()).isEqualTo(CREATED);
        assertThat(s.namespace()).isEqualTo("ml");
        assertThat(s.environment()).isEqualTo("prod");
        assertThat(s.target()).isEqualTo("ml/churn-api");
        assertThat(s.model()).isEqualTo("churn");
        assertThat(s.version()).isEqualTo("1");
        assertThat(s.replicas()).isEqualTo(2);
        assertThat(s.trafficPercent()).isNull();
        assertThat(s.externalId()).isEqualTo("uid-1");
        assertThat(s.observedAt()).isEqualTo(T1);
        assertThat(s.config()).containsEntry("kind", "Deployment").containsEntry("containers", Map.of("server", "acme/churn:1"));
    }

    @Test
    void aWorkloadSeenFirstAfterRolloutsStartsWhenSeen_unlessItSaysWhen() {
        W w = W.deployment("1").version("2");
        assertThat(start(see(w, T1).get(0)).startedAt()).isEqualTo(T1);

        state = null;
        w.set("mlcatalog.io/deployed-at", "2026-03-01T07:30:00Z");
        assertThat(start(see(w, T1).get(0)).startedAt()).isEqualTo(Instant.parse("2026-03-01T07:30:00Z"));
    }

    @Test
    void aNewVersionStartsAtTheAnnotatedTime_anUnchangedAnnotationSaysNothing() {
        W w = W.deployment("1").set("mlcatalog.io/deployed-at", "2026-03-01T09:00:00Z");
        see(w, T1);

        DeploymentStartRecord v2 = start(see(w.version("2").set("mlcatalog.io/deployed-at", "2026-03-01T09:30:00Z"), T2).get(0));
        assertThat(v2.version()).isEqualTo("2");
        assertThat(v2.startedAt()).isEqualTo(Instant.parse("2026-03-01T09:30:00Z"));

        // rolled to 3 by someone who did not update the annotation: the time it was seen, not the stale annotation
        DeploymentStartRecord v3 = start(see(w.version("3"), T3).get(0));
        assertThat(v3.startedAt()).isEqualTo(T3);
    }

    @Test
    void anAnnotatedTimeBeforeThePreviousChangeIsARestoredTemplate_notTheRollbacksTime() {
        W w = W.deployment("1").set("mlcatalog.io/deployed-at", "2026-03-01T09:00:00Z");
        see(w, T1);
        see(w.version("2").set("mlcatalog.io/deployed-at", "2026-03-01T10:00:00Z"), T2);
        // kubectl rollout undo: the template of revision 1 comes back, with its annotations
        DeploymentStartRecord back = start(see(w.version("1").set("mlcatalog.io/deployed-at", "2026-03-01T09:00:00Z"), T3).get(0));
        assertThat(back.version()).isEqualTo("1");
        assertThat(back.startedAt()).isEqualTo(T3);
    }

    @Test
    void aStartIsNeverBeforeThePreviousChange() {
        W w = W.deployment("1").set("mlcatalog.io/deployed-at", "2026-03-01T09:00:00Z");
        see(w, T1);
        // seen late (its clock or the watch behind): never before what it replaced
        DeploymentStartRecord v2 = start(see(w.version("2"), Instant.parse("2026-03-01T08:00:00Z")).get(0));
        assertThat(v2.startedAt()).isEqualTo(Instant.parse("2026-03-01T09:00:00.001Z"));
    }

    @Test
    void seeingItAgainChangesNothing_exceptWhenAskedToSendItAgain() {
        W w = W.deployment("1");
        List<MetadataRecord> first = see(w, T1);
        assertThat(see(w, T2)).isEmpty();

        Rollouts.Step again = rollouts.observe(state, w.build(), T3, true);
        assertThat(again.after()).isEqualTo(state);
        DeploymentStartRecord resent = start(again.records().get(0));
        assertThat(resent.startedAt()).isEqualTo(start(first.get(0)).startedAt());
        assertThat(resent.version()).isEqualTo("1");
    }

    @Test
    void rescalingSendsTheSameDeploymentWithItsReplicas() {
        W w = W.deployment("1");
        see(w, T1);
        w.replicas = 5;
        DeploymentStartRecord s = start(see(w, T2).get(0));
        assertThat(s.startedAt()).isEqualTo(CREATED);
        assertThat(s.replicas()).isEqualTo(5);
    }

    @Test
    void scalingToZeroEndsIt_andScalingUpStartsAnew() {
        W w = W.deployment("1");
        see(w, T1);
        w.replicas = 0;
        w.stopped = true;
        List<MetadataRecord> down = see(w, T2);
        assertThat(down).singleElement().isEqualTo(DeploymentEndRecord.ofTarget("ml", "prod", "ml/churn-api", T2, false, null, null));
        assertThat(see(w, T3)).as("still at zero").isEmpty();

        w.replicas = 3;
        w.stopped = false;
        DeploymentStartRecord up = start(see(w, T3).get(0));
        assertThat(up.startedAt()).isEqualTo(T3);
        assertThat(up.replicas()).isEqualTo(3);
    }

    @Test
    void aRollbackStartsTheOlderVersionAgain() {
        W w = W.deployment("1");
        see(w, T1);
        see(w.version("2"), T2);
        DeploymentStartRecord back = start(see(w.version("1"), T3).get(0));
        assertThat(back.version()).isEqualTo("1");
        assertThat(back.startedAt()).isEqualTo(T3);
        assertThat(back.trafficPercent()).isNull();
    }

    @Test
    void theTemplatesAnnotationsWinOverTheWorkloads() {
        // kubectl rollout undo restores the pod template, not the Deployment's own annotations
        var d = Cluster.workload(Cluster.DEPLOYMENTS, "ml", "churn-api", 3, "acme/churn:1", Map.of("mlcatalog.io/version", "1"));
        d.getMetadata().setAnnotations(Map.of("mlcatalog.io/version", "2", "mlcatalog.io/deployed-by", "maria"));
        Workload w = Workload.of(WorkloadKind.DEPLOYMENTS, d);
        assertThat(ModelRef.of(w)).isEqualTo(new ModelRef("churn", "1", null, null));
        assertThat(w.annotation("mlcatalog.io/deployed-by")).isEqualTo("maria");
        assertThat(w.replicas()).isEqualTo(3);
        assertThat(w.key()).isEqualTo("ml/churn-api");
    }

    @Test
    void anInferenceServiceIsReadInEitherPredictorStyle() {
        var isvc = Cluster.inferenceService("ml", "churn", "s3://models/churn/1", 10.0, Map.of());
        Workload w = Workload.of(WorkloadKind.INFERENCESERVICES, isvc);
        assertThat(w.storageUri()).isEqualTo("s3://models/churn/1");
        assertThat(w.canaryPercent()).isEqualTo(10.0);
        assertThat(w.replicas()).isEqualTo(2);

        Cluster.predictor(isvc, "model", null);
        Cluster.predictor(isvc, "sklearn", Map.of("storageUri", "gs://models/churn/2"));
        assertThat(Workload.of(WorkloadKind.INFERENCESERVICES, isvc).storageUri()).isEqualTo("gs://models/churn/2");

        isvc.getMetadata().setAnnotations(Map.of("serving.kserve.io/stop", "true"));
        assertThat(Workload.of(WorkloadKind.INFERENCESERVICES, isvc).stopped()).isTrue();
    }

    @Test
    void deletingEndsWhatServedAtTheDeletionTime() {
        W w = W.deployment("1");
        see(w, T1);
        w.deleted = T2;
        Rollouts.Step step = rollouts.observe(state, w.build(), T3, false);
        assertThat(step.after()).isNull();
        assertThat(step.records()).containsExactly(DeploymentEndRecord.ofTarget("ml", "prod", "ml/churn-api", T2, false, null, null));
        assertThat(rollouts.deleted(null, T3).records()).as("never recorded: nothing to end").isEmpty();
    }

    @Test
    void aKServeCanaryRunsBesideTheMainVersion_thenIsPromoted() {
        W w = W.isvc("s3://models/churn/2", null);
        see(w, T1);
        w.storageUri = "s3://models/churn/3";
        w.canary = 10.0;
        DeploymentStartRecord canary = start(see(w, T2).get(0));
        assertThat(canary.artifactUri()).isEqualTo("s3://models/churn/3");
        assertThat(canary.model()).isEqualTo("churn");
        assertThat(canary.version()).isNull();
        assertThat(canary.trafficPercent()).isEqualTo(10.0);
        assertThat(canary.startedAt()).isEqualTo(T2);
        assertThat(state.serving()).hasSize(2);

        w.canary = 50.0;
        DeploymentStartRecord wider = start(see(w, T3).get(0));
        assertThat(wider.startedAt()).as("the same canary, a larger share").isEqualTo(T2);
        assertThat(wider.trafficPercent()).isEqualTo(50.0);

        w.canary = null;
        List<MetadataRecord> promoted = see(w, T4);
        assertThat(promoted).singleElement().satisfies(r -> {
            assertThat(start(r).artifactUri()).isEqualTo("s3://models/churn/3");
            assertThat(start(r).trafficPercent()).isNull();
            assertThat(start(r).startedAt()).isEqualTo(T4);
        });
    }

    @Test
    void rollingBackFromACanaryStartsTheMainVersionAgain() {
        W w = W.isvc("s3://models/churn/2", null);
        see(w, T1);
        w.storageUri = "s3://models/churn/3";
        w.canary = 10.0;
        see(w, T2);
        w.storageUri = "s3://models/churn/2";
        w.canary = null;
        List<MetadataRecord> back = see(w, T3);
        // a full-traffic start ends the canary and the previous interval of the same version
        assertThat(back).singleElement().satisfies(r -> {
            assertThat(start(r).artifactUri()).isEqualTo("s3://models/churn/2");
            assertThat(start(r).startedAt()).isEqualTo(T3);
            assertThat(start(r).trafficPercent()).isNull();
        });
        assertThat(state.serving()).hasSize(1);
    }

    @Test
    void aCanaryReplacedByAnotherWithoutAMainVersionEndsExplicitly() {
        W w = W.isvc("s3://models/churn/3", 10.0);
        assertThat(start(see(w, T1).get(0)).trafficPercent()).isEqualTo(10.0);
        w.storageUri = "s3://models/churn/4";
        List<MetadataRecord> next = see(w, T2);
        assertThat(next).hasSize(2);
        assertThat(next.get(0)).isEqualTo(DeploymentEndRecord.ofTarget("ml", "prod", "ml/churn-api", T2, false, null, null));
        assertThat(start(next.get(1)).artifactUri()).isEqualTo("s3://models/churn/4");
    }

    @Test
    void aStoppedInferenceServiceEnds() {
        W w = W.isvc("s3://models/churn/2", null);
        see(w, T1);
        w.stopped = true;
        assertThat(see(w, T2)).singleElement().isInstanceOf(DeploymentEndRecord.class);
    }

    @Test
    void whatAWorkloadServesComesFromItsAnnotationsLabelAndImages() {
        W byUri = W.deployment("1").set("mlcatalog.io/version", null).set("mlcatalog.io/model-uri", "s3://models/churn/7");
        assertThat(ModelRef.of(byUri.build())).isEqualTo(new ModelRef("churn", null, "s3://models/churn/7", null));

        String hex = "ab".repeat(32);
        W byImage = W.deployment("1").set("mlcatalog.io/version", null);
        byImage.images = List.of("sidecar=envoy:1", "server=registry.acme.io/churn@sha256:" + hex.toUpperCase());
        assertThat(ModelRef.of(byImage.build())).isEqualTo(new ModelRef("churn", null, null, "sha256:" + hex));

        byImage.labels.clear();
        byImage.set("mlcatalog.io/container", "sidecar");
        assertThat(ModelRef.of(byImage.build())).as("the named container is not pinned").isNull();

        W named = W.deployment("4").set("mlcatalog.io/model", "churn-v2");
        assertThat(ModelRef.of(named.build())).isEqualTo(new ModelRef("churn-v2", "4", null, null));

        W nothing = W.deployment("1").set("mlcatalog.io/version", null);
        Rollouts.Step step = rollouts.observe(null, nothing.build(), T1, false);
        assertThat(step.records()).isEmpty();
        assertThat(step.problem()).contains("names no model version");
    }

    @Test
    void theCatalogNamespaceIsTheAnnotations_elseTheSettings_elseTheKubernetesOne() {
        assertThat(start(new Rollouts("prod", "growth").observe(null, W.deployment("1").build(), T1, false).records().get(0))
                .namespace()).isEqualTo("growth");
        assertThat(start(new Rollouts("prod", "growth").observe(null, W.deployment("1").set("mlcatalog.io/namespace", "risk").build(),
                T1, false).records().get(0)).namespace()).isEqualTo("risk");
    }

    @Test
    void stateSurvivesItsCheckpointText() {
        W w = W.isvc("s3://models/churn/2", null).set("mlcatalog.io/deployed-at", "2026-03-01T09:00:00Z");
        see(w, T1);
        w.storageUri = "s3://models/churn/3";
        w.canary = 10.0;
        see(w, T2);
        assertThat(StateCodec.decode(StateCodec.encode(state))).isEqualTo(state);
    }
}
