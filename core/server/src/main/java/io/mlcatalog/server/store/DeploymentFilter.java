package io.mlcatalog.server.store;

import io.mlcatalog.server.model.DeploymentStatus;

import java.time.OffsetDateTime;
import java.util.List;

/** The optional filters (and, in {@code readable}, the namespaces the caller may read: null for all) of a deployment listing; null means "any". */
public record DeploymentFilter(String namespace, String environment, String target, String model, OffsetDateTime activeAt,
                               List<DeploymentStatus> statuses,
        String[] readable) {
    /** Without a limit on namespaces. */
    public DeploymentFilter(String namespace, String environment, String target, String model, OffsetDateTime activeAt,
                               List<DeploymentStatus> statuses) {
        this(namespace, environment, target, model, activeAt, statuses, null);
    }

    /** The same filter, over only the {@code readable} namespaces (null: all): what the caller may read. */
    public DeploymentFilter withReadable(String[] readable) {
        return new DeploymentFilter(namespace, environment, target, model, activeAt, statuses, readable);
    }

    public static final DeploymentFilter ALL = new DeploymentFilter(null, null, null, null, null, null);
}
