package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** A model version served in an environment and target during {@code [startedAt, endedAt)}. */
public record Deployment(UUID id, String namespace, String environment, String target, UUID modelVersionId,
                         DeploymentStatus status, Double trafficPercent, Integer replicas, Map<String, Object> config,
                         String deployedBy, OffsetDateTime startedAt, OffsetDateTime endedAt) implements Entity {
    @Override
    public NodeType type() {
        return NodeType.DEPLOYMENT;
    }

    public boolean activeAt(OffsetDateTime t) {
        return !startedAt.isAfter(t) && (endedAt == null || endedAt.isAfter(t));
    }
}
