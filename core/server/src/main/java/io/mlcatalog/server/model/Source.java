package io.mlcatalog.server.model;

import java.time.OffsetDateTime;

import static java.util.Objects.requireNonNull;

/**
 * Who is writing: a plugin instance or an API client, when the facts it sends were observed, and the
 * id of the written fact in the source's system (or null). Every row and edge a write touches records
 * it as an {@link Assertion}; every change is logged under it.
 */
public record Source(String name, OffsetDateTime observedAt, String externalId) {
    public Source {
        requireNonNull(name, "name is null");
        requireNonNull(observedAt, "observedAt is null");
    }

    public Source(String name, OffsetDateTime observedAt) {
        this(name, observedAt, null);
    }

    public static Source api(String client) {
        return new Source(client == null || client.isBlank() ? "api" : "api:" + client, Times.now());
    }
}
