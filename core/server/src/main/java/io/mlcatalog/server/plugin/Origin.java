package io.mlcatalog.server.plugin;

import io.mlcatalog.server.model.Access;

import static java.util.Objects.requireNonNull;

/**
 * Who writes a plugin instance's records: the instance, and, for a request a receiver took with a catalog token,
 * the token ({@code actor} {@code token:<name>}) with what it may do. What is written is limited further to the
 * namespaces the instance's configuration names.
 */
public record Origin(String instance, String actor, Access access) {
    public Origin {
        requireNonNull(instance, "instance is null");
        access = access == null ? Access.ALL : access;
    }

    /** The instance itself (a pull source's poll, a receiver's request with the instance's own token). */
    public static Origin of(String instance) {
        return new Origin(instance, null, Access.ALL);
    }
}
