package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.UUID;

public record ModelVersion(UUID id, UUID modelId, String version, Integer versionNumber, ModelVersionStatus status,
                           String description, UUID artifactId, UUID runId, OffsetDateTime createdAt) implements Entity {
    @Override
    public NodeType type() {
        return NodeType.MODEL_VERSION;
    }
}
