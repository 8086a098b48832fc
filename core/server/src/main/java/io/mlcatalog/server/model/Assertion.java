package io.mlcatalog.server.model;

import java.time.OffsetDateTime;

/** Who asserted a fact: a plugin instance or an API client, its id for the fact there, and when it was first seen. */
public record Assertion(String source, String externalId, OffsetDateTime observedAt) {
}
