package io.mlcatalog.plugins.kubernetes;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the catalog knows (or is being told) about one workload: what it serves since when, in which
 * catalog namespace, with how many replicas. Kept in memory and in the checkpoints, so that a restarted
 * source sends the deployments it sent before, with the same start times, instead of new ones.
 *
 * @param namespace  the catalog namespace its deployments are recorded in
 * @param target     {@code <kubernetes namespace>/<name>}
 * @param serving    its deployments (none: scaled to zero or stopped)
 * @param replicas   as last seen
 * @param deployedAt the {@code mlcatalog.io/deployed-at} annotation as last seen (a rollout that does not change it
 *                   did not say when it happened)
 * @param changedAt  when what it serves last changed: a later change is never recorded before it
 */
record WorkloadState(String namespace, String target, List<Serving> serving, Integer replicas, String deployedAt, Instant changedAt) {

    WorkloadState {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(target, "target is null");
        serving = List.copyOf(serving);
    }
}
