package io.mlcatalog.server.events;

import io.mlcatalog.server.model.NodeType;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One entry of the change feed: a change-log entry with its place in the feed ({@code seq}) and what subscribers filter
 * on. {@code kind} is null for an entry that is no event (see {@link EventKind}).
 *
 * @param seq         the entry's number in the feed: dense, and in the order every reader gets the entries
 * @param namespace   of the entity changed (null for a code version)
 * @param model       the model of a model, a version or a deployment
 * @param pipeline    a run's pipeline
 * @param environment a deployment's
 * @param target      a deployment's
 */
public record CatalogEvent(long seq, OffsetDateTime at, String actor, EventKind kind, NodeType entityType, UUID entityId, String action,
                           Map<String, Object> before, Map<String, Object> after, String namespace, String model, String pipeline,
                           String environment, String target) {
}
