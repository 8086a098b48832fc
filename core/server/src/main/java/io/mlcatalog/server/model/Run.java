package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** A run as stored. {@code statusAt} is the event time of {@code status}. */
public record Run(UUID id, String namespace, String name, String externalId, String pipeline,
                  RunStatus status, OffsetDateTime statusAt, OffsetDateTime startedAt, OffsetDateTime endedAt,
                  String user, Map<String, Object> params, Map<String, Object> metrics,
                  UUID codeVersionId, UUID parentId, OffsetDateTime createdAt, OffsetDateTime updatedAt) implements Entity {
    @Override
    public NodeType type() {
        return NodeType.RUN;
    }

    /** The time runs are listed by, newest first. */
    public OffsetDateTime sortAt() {
        return startedAt != null ? startedAt : createdAt;
    }
}
