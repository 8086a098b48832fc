package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.UUID;

public record Model(UUID id, String namespace, String name, String description, OffsetDateTime createdAt) implements Entity {
    @Override
    public NodeType type() {
        return NodeType.MODEL;
    }
}
