package io.mlcatalog.server.model;

import java.time.OffsetDateTime;

import static java.util.Objects.requireNonNull;

/**
 * Who is writing: a plugin instance or an API client, when the facts it sends were observed, and the
 * id of the written fact in the source's system (or null). Every row and edge a write touches records
 * it as an {@link Assertion}; every change is logged under it.
 *
 * <p>{@code actor} is who made the change, as the change log and alias history name it: the source itself,
 * or the token that sent a plugin instance's request ({@code token:<name>}); never a secret. {@code access}
 * is what the writer may do: every write checks the namespaces it touches against it.
 */
public record Source(String name, OffsetDateTime observedAt, String externalId, String actor, Access access) {
    public Source {
        requireNonNull(name, "name is null");
        requireNonNull(observedAt, "observedAt is null");
        actor = actor == null ? name : actor;
        access = access == null ? Access.ALL : access;
    }

    public Source(String name, OffsetDateTime observedAt, String externalId) {
        this(name, observedAt, externalId, null, null);
    }

    public Source(String name, OffsetDateTime observedAt) {
        this(name, observedAt, null);
    }

    public static Source api(String client) {
        return new Source(client == null || client.isBlank() ? "api" : "api:" + client, Times.now());
    }

    /** The same writer, with another external id. */
    public Source withExternalId(String id) {
        return new Source(name, observedAt, id, actor, access);
    }
}
