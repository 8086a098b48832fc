package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An artifact as stored.
 *
 * @param goneAt since when it is no longer at its URI, or null while it is
 * @param seenAt the latest event time a record saw it at its URI, or null when none said so (see V6__artifact_gone.sql)
 */
public record Artifact(UUID id, String namespace, String name, String uri, String digest, Long sizeBytes,
                       String mediaType, ArtifactKind kind, OffsetDateTime createdAt, OffsetDateTime goneAt, OffsetDateTime seenAt)
        implements Entity {
    @Override
    public NodeType type() {
        return NodeType.ARTIFACT;
    }
}
