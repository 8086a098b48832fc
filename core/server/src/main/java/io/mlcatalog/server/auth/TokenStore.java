package io.mlcatalog.server.auth;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Text;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** All SQL about tokens and their grants. A token row is never deleted: revoking one marks it. */
public final class TokenStore {
    private final Db db;

    public TokenStore(Db db) {
        this.db = db;
    }

    /** A stored token, without its value (which the catalog does not have). */
    public record Token(UUID id, String name, Role role, String prefix, byte[] hash, OffsetDateTime createdAt, String createdBy,
                        OffsetDateTime expiresAt, OffsetDateTime revokedAt, String revokedBy, OffsetDateTime lastUsedAt,
                        Map<String, Access.Privilege> grants) {
        /** What the token may do: an admin everything; a reader at most read, whatever its grants say. */
        public Access access() {
            if (role == Role.ADMIN) {
                return Access.ALL;
            }
            Map<String, Access.Privilege> g = new TreeMap<>();
            grants.forEach((ns, p) -> g.put(ns, role == Role.READER ? Access.Privilege.READ : p));
            return new Access(false, g);
        }

        public boolean expiredAt(OffsetDateTime t) {
            return expiresAt != null && !t.isBefore(expiresAt);
        }

        public Principal principal() {
            return new Principal(name, role, access(), id, expiresAt);
        }
    }

    private static final String SELECT = """
            select t.id, t.name, t.role, t.prefix, t.hash, t.created_at, t.created_by, t.expires_at, t.revoked_at, t.revoked_by,
                   t.last_used_at,
                   coalesce((select array_agg(g.namespace order by g.namespace) from api_grant g where g.token_id = t.id), '{}') as namespaces,
                   coalesce((select array_agg(g.privilege order by g.namespace) from api_grant g where g.token_id = t.id), '{}') as privileges
            from api_token t""";

    public Future<List<Token>> all() {
        return db.query(SELECT + " order by t.created_at, t.name", Tuple.tuple()).map(rows -> {
            List<Token> result = new ArrayList<>();
            rows.forEach(r -> result.add(map(r)));
            return result;
        });
    }

    public Future<Token> byName(SqlClient tx, String name) {
        return db.query(tx, SELECT + " where t.name = $1", Tuple.of(name))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    public Future<Long> count() {
        return db.query("select count(*) from api_token", Tuple.tuple()).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Tokens that can administer now: not revoked, not expired. */
    public Future<Long> countActiveAdmins() {
        return db.query("""
                select count(*) from api_token where role = 'admin' and revoked_at is null and (expires_at is null or expires_at > now())
                """, Tuple.tuple()).map(rows -> rows.iterator().next().getLong(0));
    }

    public Future<Boolean> existsWithHash(byte[] hash) {
        return db.query("select 1 from api_token where hash = $1", Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash)))
                .map(rows -> rows.size() == 1);
    }

    /** Stores a new token; a name in use, by a live or a revoked token, is a CONFLICT (names are never reused). */
    public Future<Token> create(SqlClient tx, String name, Role role, String value, String createdBy, OffsetDateTime expiresAt,
                                Map<String, Access.Privilege> grants) {
        UUID id = UUID.randomUUID();
        return db.query(tx, """
                        insert into api_token (id, name, role, prefix, hash, created_at, created_by, expires_at)
                        values ($1, $2, $3, $4, $5, now(), $6, $7)
                        on conflict (name) do nothing
                        returning id
                        """, Tuple.of(id, name, role.dbName(), Tokens.prefix(value), io.vertx.core.buffer.Buffer.buffer(Tokens.hash(value)),
                        createdBy, expiresAt))
                .recover(e -> Future.failedFuture(e instanceof PgException pg && "23505".equals(pg.getSqlState())
                        ? CatalogException.conflict("token", "that token value is in use already") : e))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(CatalogException.conflict("name", "a token named '" + Text.excerpt(name)
                                + "' exists or existed; token names are never reused, so that the change log names one token: pick another"));
                    }
                    return putGrants(tx, id, grants, createdBy);
                })
                .compose(x -> byName(tx, name));
    }

    /** Stores an admin token named {@code admin}, or {@code admin-2}, {@code admin-3}, … when that name is taken. */
    public Future<Token> createAdmin(String value, String createdBy) {
        return db.query("select name from api_token where name = 'admin' or name ~ '^admin-[0-9]+$'", Tuple.tuple()).compose(rows -> {
            java.util.Set<String> taken = new java.util.HashSet<>();
            rows.forEach(r -> taken.add(r.getString(0)));
            String name = "admin";
            for (int i = 2; taken.contains(name); i++) {
                name = "admin-" + i;
            }
            String chosen = name;
            return db.inTransaction(tx -> create(tx, chosen, Role.ADMIN, value, createdBy, null, Map.of()));
        });
    }

    private Future<Void> putGrants(SqlClient tx, UUID id, Map<String, Access.Privilege> grants, String by) {
        if (grants.isEmpty()) {
            return Future.succeededFuture();
        }
        String[] namespaces = grants.keySet().toArray(String[]::new);
        String[] privileges = grants.values().stream().map(p -> p.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
        return db.query(tx, """
                insert into api_grant (token_id, namespace, privilege, granted_at, granted_by)
                select $1, namespace, privilege, now(), $4 from unnest($2::text[], $3::text[]) as g(namespace, privilege)
                on conflict (token_id, namespace) do update set privilege = excluded.privilege, granted_at = excluded.granted_at,
                                                               granted_by = excluded.granted_by
                """, Tuple.of(id, namespaces, privileges, by)).mapEmpty();
    }

    public Future<Token> grant(SqlClient tx, String name, String namespace, Access.Privilege privilege, String by) {
        return live(tx, name).compose(t -> putGrants(tx, t.id(), Map.of(namespace, privilege), by)).compose(x -> byName(tx, name));
    }

    /** Removes the token's grant on the namespace; NOT_FOUND when it has none there. */
    public Future<Token> revokeGrant(SqlClient tx, String name, String namespace) {
        return live(tx, name).compose(t -> db.query(tx, "delete from api_grant where token_id = $1 and namespace = $2 returning 1",
                        Tuple.of(t.id(), namespace)))
                .compose(rows -> rows.size() == 0 ? Future.failedFuture(CatalogException.notFound("namespace", "token '" + Text.excerpt(name)
                        + "' has no grant on namespace '" + Text.excerpt(namespace) + "'")) : byName(tx, name));
    }

    public Future<Token> revoke(SqlClient tx, String name, String by) {
        return live(tx, name).compose(t -> db.query(tx, "update api_token set revoked_at = now(), revoked_by = $2 where id = $1",
                Tuple.of(t.id(), by))).compose(x -> byName(tx, name));
    }

    /** The token, locked; NOT_FOUND when there is none, CONFLICT when it was revoked. */
    private Future<Token> live(SqlClient tx, String name) {
        return db.query(tx, "select id from api_token where name = $1 for update", Tuple.of(name)).compose(rows -> rows.size() == 0
                ? Future.failedFuture(CatalogException.notFound("token", "no token named '" + Text.excerpt(name) + "'"))
                : byName(tx, name)).compose(t -> t.revokedAt() != null
                ? Future.failedFuture(CatalogException.conflict("token", "token '" + Text.excerpt(name) + "' was revoked at "
                + t.revokedAt() + " by " + t.revokedBy()))
                : Future.succeededFuture(t));
    }

    public Future<Void> touch(UUID id) {
        return db.query("update api_token set last_used_at = now() where id = $1", Tuple.of(id)).mapEmpty();
    }

    private static Token map(Row r) {
        String[] namespaces = r.getArrayOfStrings("namespaces");
        String[] privileges = r.getArrayOfStrings("privileges");
        Map<String, Access.Privilege> grants = new LinkedHashMap<>();
        for (int i = 0; i < namespaces.length; i++) {
            grants.put(namespaces[i], Access.Privilege.parse(privileges[i], "privilege"));
        }
        return new Token(r.getUUID("id"), r.getString("name"), Role.parse(r.getString("role"), "role"), r.getString("prefix"),
                r.getBuffer("hash").getBytes(), r.getOffsetDateTime("created_at"), r.getString("created_by"), r.getOffsetDateTime("expires_at"),
                r.getOffsetDateTime("revoked_at"), r.getString("revoked_by"), r.getOffsetDateTime("last_used_at"), grants);
    }
}
