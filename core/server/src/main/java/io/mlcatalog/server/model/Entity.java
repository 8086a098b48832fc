package io.mlcatalog.server.model;

import java.util.UUID;

/** Something with a global id: a GraphQL {@code Node}. */
public interface Entity {
    UUID id();

    NodeType type();

    default String globalId() {
        return GlobalId.of(type(), id());
    }
}
