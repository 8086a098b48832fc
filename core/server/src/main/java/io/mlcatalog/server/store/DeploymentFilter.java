package io.mlcatalog.server.store;

import io.mlcatalog.server.model.DeploymentStatus;

import java.time.OffsetDateTime;
import java.util.List;

/** The optional filters of a deployment listing; null means "any". */
public record DeploymentFilter(String namespace, String environment, String target, String model, OffsetDateTime activeAt,
                               List<DeploymentStatus> statuses) {
    public static final DeploymentFilter ALL = new DeploymentFilter(null, null, null, null, null, null);
}
