package io.mlcatalog.server.events;

import io.mlcatalog.server.model.NodeType;

import java.util.Map;

/**
 * What a change-log entry means to someone watching the catalog. Entries that mean none of these (a tag set, an
 * artifact recorded) are in the feed, but no event.
 */
public enum EventKind {
    RUN_CREATED,
    RUN_STATUS_CHANGED,
    MODEL_VERSION_CREATED,
    ALIAS_SET,
    ALIAS_REMOVED,
    DEPLOYMENT_STARTED,
    DEPLOYMENT_ENDED,
    LINEAGE_ADDED;

    /** The event a change-log entry is, or null. */
    public static EventKind of(NodeType type, String action, Map<String, Object> after) {
        return switch (action) {
            case "CREATED" -> type == NodeType.RUN ? RUN_CREATED : type == NodeType.MODEL_VERSION ? MODEL_VERSION_CREATED : null;
            case "UPDATED" -> type == NodeType.RUN && after != null && after.containsKey("status") ? RUN_STATUS_CHANGED : null;
            case "ALIAS_SET" -> ALIAS_SET;
            case "ALIAS_REMOVED" -> ALIAS_REMOVED;
            case "DEPLOYMENT_STARTED" -> DEPLOYMENT_STARTED;
            case "DEPLOYMENT_ENDED" -> DEPLOYMENT_ENDED;
            case "LINKED" -> LINEAGE_ADDED;
            default -> null;
        };
    }
}
