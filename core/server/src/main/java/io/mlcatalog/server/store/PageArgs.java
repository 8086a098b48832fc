package io.mlcatalog.server.store;

import java.time.OffsetDateTime;

/** {@code first} and {@code after} of a connection, plus the instant a time-dependent listing is taken at (or null). */
public record PageArgs(int first, Cursor after, OffsetDateTime at) {
    public PageArgs(int first, Cursor after) {
        this(first, after, null);
    }

    java.time.OffsetDateTime afterAt() {
        return after == null ? null : after.at();
    }

    java.util.UUID afterId() {
        return after == null ? null : after.id();
    }
}
