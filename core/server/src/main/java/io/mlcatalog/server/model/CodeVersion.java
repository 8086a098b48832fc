package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

public record CodeVersion(UUID id, String repository, String commit, List<String> branches, List<String> tags,
                          String author, String message, OffsetDateTime committedAt, OffsetDateTime createdAt) implements Entity {
    @Override
    public NodeType type() {
        return NodeType.CODE_VERSION;
    }
}
