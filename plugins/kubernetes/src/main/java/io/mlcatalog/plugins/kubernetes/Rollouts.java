package io.mlcatalog.plugins.kubernetes;

import io.mlcatalog.spi.record.DeploymentEndRecord;
import io.mlcatalog.spi.record.DeploymentStartRecord;
import io.mlcatalog.spi.record.MetadataRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns what a workload looks like now, and what the catalog was told about it before, into deployment
 * records: a new version rolled out starts a deployment (which, taking all the traffic, ends the one
 * before it); a KServe canary starts one with its share beside the main one; scaling to zero, stopping
 * and deleting end what served; scaling up again starts anew. Pure: no cluster, no clock.
 *
 * <p><b>When a deployment starts.</b> Kubernetes keeps no time per rollout on a Deployment (a rollback
 * even reuses the old ReplicaSet, whose creation time is the first rollout's), so the start is, first
 * found:
 * <ol>
 *   <li>the {@code mlcatalog.io/deployed-at} annotation, when this change set it to a time after the
 *       workload's previous change (a value unchanged since the previous rollout says nothing about this
 *       one, and an older one is a restored template: {@code kubectl rollout undo} brings back the
 *       annotation of the revision it rolls back to);</li>
 *   <li>the object's {@code creationTimestamp}, for a workload seen for the first time whose spec never
 *       changed since it was created (Deployment revision 1, or generation 1);</li>
 *   <li>the time the change was observed (the watch event's arrival).</li>
 * </ol>
 * Once chosen it is kept in the {@link WorkloadState} (checkpointed), so seeing the same workload again
 * (a resync, a relist after the watch expired, a restart) sends the same start, never a new interval. A
 * start is always later than the workload's previous change, by 1 ms if need be.
 */
final class Rollouts {
    private final String cluster;
    private final String defaultNamespace;

    /**
     * @param cluster          the environment deployments are recorded in
     * @param defaultNamespace the catalog namespace of workloads without {@code mlcatalog.io/namespace}, or null for
     *                         their Kubernetes namespace
     */
    Rollouts(String cluster, String defaultNamespace) {
        this.cluster = Objects.requireNonNull(cluster, "cluster is null");
        this.defaultNamespace = defaultNamespace;
    }

    /**
     * What follows from a change.
     *
     * @param after   the workload's state from now on (null: forget it, it is gone)
     * @param records what to tell the catalog, in order
     * @param problem why nothing could be recorded for the workload (it names no version), or null
     */
    record Step(WorkloadState after, List<MetadataRecord> records, String problem) {
        Step {
            records = List.copyOf(records);
        }
    }

    /**
     * The workload as it is now.
     *
     * @param before what the catalog was told before, or null for a workload not seen yet
     * @param now    when the change was observed
     * @param again  send its current deployments even when nothing changed (a resync, or a relist that found it as
     *               it was): records are idempotent, and this heals what the catalog may have missed
     */
    Step observe(WorkloadState before, Workload w, Instant now, boolean again) {
        if (w.deletionTimestamp() != null) {
            return deleted(before, w.deletionTimestamp());
        }
        String namespace = namespace(w);
        String deployedAt = w.annotation(Annotations.DEPLOYED_AT);
        List<Serving> old = before == null ? List.of() : before.serving();
        if (w.stopped()) {
            List<MetadataRecord> records = old.isEmpty() ? List.of() : List.of(end(before, after(now, before)));
            Instant changed = old.isEmpty() ? before == null ? null : before.changedAt() : after(now, before);
            return new Step(new WorkloadState(namespace, w.key(), List.of(), w.replicas(), deployedAt, changed), records, null);
        }
        ModelRef ref = ModelRef.of(w);
        if (ref == null) {
            return new Step(before, List.of(), "names no model version: annotate it with " + Annotations.MODEL + " and "
                    + Annotations.VERSION + ", or " + Annotations.MODEL_URI + (w.kind() == WorkloadKind.INFERENCESERVICES
                    ? " (or give the predictor a storageUri)" : "") + ", or pin its image by digest");
        }
        List<Serving> desired = desired(w, ref, old);
        boolean moved = before != null && !old.isEmpty() && !before.namespace().equals(namespace);
        // something that served no longer does (a canary dropped or replaced, a rollback from a canary): what serves
        // now starts afresh, so that its full-traffic start ends everything before it
        boolean dropped = moved || old.stream().anyMatch(o -> desired.stream().noneMatch(d -> d.sameDeployment(o)));
        Instant t = dropped || desired.stream().anyMatch(d -> d.since() == null) ? rolloutTime(before, w, now) : null;
        List<Serving> serving = desired.stream().map(d -> dropped || d.since() == null ? d.startingAt(t) : d).toList();

        List<MetadataRecord> records = new ArrayList<>();
        if (dropped && (moved || serving.stream().noneMatch(Serving::full))) {
            records.add(end(before, t)); // nothing takes all the traffic to end what served: end it explicitly
        }
        boolean rescaled = before != null && !Objects.equals(before.replicas(), w.replicas());
        for (Serving s : serving) {
            Serving previous = old.stream().filter(s::sameDeployment).findFirst().orElse(null);
            if (again || previous == null || rescaled || !Objects.equals(previous.traffic(), s.traffic())) {
                records.add(start(namespace, w, s, now));
            }
        }
        Instant changed = t != null ? t : before.changedAt();
        return new Step(new WorkloadState(namespace, w.key(), serving, w.replicas(), deployedAt, changed), records, null);
    }

    /** What serves now: the rollout's model, and beside it, during a KServe canary, what served before. */
    private static List<Serving> desired(Workload w, ModelRef ref, List<Serving> old) {
        Serving oldFull = old.stream().filter(Serving::full).findFirst().orElse(null);
        Serving oldCanary = old.stream().filter(s -> !s.full()).findFirst().orElse(null);
        Double share = w.canaryPercent();
        boolean canary = w.kind() == WorkloadKind.INFERENCESERVICES && share != null && share < 100;
        List<Serving> desired = new ArrayList<>();
        if (!canary) {
            desired.add(oldFull != null && oldFull.ref().equals(ref) ? oldFull : new Serving(ref, null, null));
        } else if (oldFull != null && oldFull.ref().equals(ref)) {
            desired.add(oldFull); // a canary share set on what already serves: nothing new serves
        } else {
            if (oldFull != null) {
                desired.add(oldFull); // KServe sends the rest of the traffic to the previous revision
            }
            desired.add(oldCanary != null && oldCanary.ref().equals(ref) ? oldCanary.withTraffic(share) : new Serving(ref, share, null));
        }
        return desired;
    }

    /**
     * The workload was deleted at {@code at} (its {@code deletionTimestamp}, else when the deletion was observed):
     * what it served ends then.
     */
    Step deleted(WorkloadState before, Instant at) {
        if (before == null || before.serving().isEmpty()) {
            return new Step(null, List.of(), null);
        }
        return new Step(null, List.of(end(before, after(at, before))), null);
    }

    /** The starts of what a workload serves, as they were sent: to send them again. */
    List<MetadataRecord> current(WorkloadState state, Workload w, Instant now) {
        List<MetadataRecord> records = new ArrayList<>();
        for (Serving s : state.serving()) {
            records.add(start(state.namespace(), w, s, now));
        }
        return records;
    }

    /** The rule in the class comment, kept later than the workload's previous change. */
    private static Instant rolloutTime(WorkloadState before, Workload w, Instant now) {
        String annotation = w.annotation(Annotations.DEPLOYED_AT);
        Instant annotated = Workload.instant(annotation);
        Instant t;
        Instant floor = before == null ? null : before.changedAt();
        if (annotated != null && (before == null || !annotation.equals(before.deployedAt()))
                && (floor == null || annotated.isAfter(floor))) {
            t = annotated;
        } else if (before == null && w.unchangedSinceCreation() && w.creationTimestamp() != null) {
            t = w.creationTimestamp();
        } else {
            t = now;
        }
        return after(t, before);
    }

    private static Instant after(Instant t, WorkloadState before) {
        Instant floor = before == null ? null : before.changedAt();
        return floor != null && !t.isAfter(floor) ? floor.plusMillis(1) : t;
    }

    private String namespace(Workload w) {
        String annotated = w.annotation(Annotations.NAMESPACE);
        return annotated != null ? annotated : defaultNamespace != null ? defaultNamespace : w.namespace();
    }

    private DeploymentStartRecord start(String namespace, Workload w, Serving s, Instant now) {
        DeploymentStartRecord.Builder b = DeploymentStartRecord.builder(namespace, cluster, w.key());
        ModelRef ref = s.ref();
        if (ref.version() != null) {
            b.version(ref.model(), ref.version());
        } else {
            b.model(ref.model()).artifactUri(ref.uri()).artifactDigest(ref.digest());
        }
        return b.trafficPercent(s.full() ? null : s.traffic()).replicas(w.replicas()).config(config(w))
                .deployedBy(w.annotation(Annotations.DEPLOYED_BY)).startedAt(s.since()).externalId(w.uid()).observedAt(now).build();
    }

    private DeploymentEndRecord end(WorkloadState before, Instant at) {
        return DeploymentEndRecord.ofTarget(before.namespace(), cluster, before.target(), at, false, null, null);
    }

    /** What the deployment's {@code config} shows: the kind, the containers' images, the model's storage URI. */
    private static Map<String, Object> config(Workload w) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("kind", w.kind().kind());
        if (!w.images().isEmpty()) {
            Map<String, Object> containers = new LinkedHashMap<>();
            for (String entry : w.images()) {
                int eq = entry.indexOf('=');
                containers.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
            config.put("containers", containers);
        }
        if (w.storageUri() != null) {
            config.put("storageUri", w.storageUri());
        }
        return config;
    }
}
