package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.UUID;

public record Artifact(UUID id, String namespace, String name, String uri, String digest, Long sizeBytes,
                       String mediaType, ArtifactKind kind, OffsetDateTime createdAt) implements Entity {
    @Override
    public NodeType type() {
        return NodeType.ARTIFACT;
    }
}
