package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** One entry of the append-only change log. */
public record Change(long seq, OffsetDateTime at, String actor, UUID entityId, NodeType entityType, String action,
                     Map<String, Object> before, Map<String, Object> after) {
}
