package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An alias interval: from {@code since} until {@code until} (exclusive; null while it holds) the alias meant that version. */
public record Alias(UUID modelId, String name, UUID modelVersionId, OffsetDateTime since, OffsetDateTime until, String setBy) {
}
