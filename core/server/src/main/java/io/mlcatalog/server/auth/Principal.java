package io.mlcatalog.server.auth;

import io.mlcatalog.server.model.Access;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Who a request comes from: a token's name, role and what it may do. {@link #actor()} is how the change log
 * and assertions name it. {@link #OPEN} stands for every request of a catalog without access control.
 */
public record Principal(String name, Role role, Access access, UUID tokenId, OffsetDateTime expiresAt) {
    public static final Principal OPEN = new Principal(null, Role.ADMIN, Access.ALL, null, null);

    public String actor() {
        return name == null ? null : "token:" + name;
    }

    public boolean open() {
        return tokenId == null && name == null;
    }
}
