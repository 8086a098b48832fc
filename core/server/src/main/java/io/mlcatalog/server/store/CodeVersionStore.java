package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.CodeVersion;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

public final class CodeVersionStore {
    private static final String COLUMNS = "id, repository, commit_sha, branches, tags, author, message, committed_at, created_at";

    private final Db db;

    public CodeVersionStore(Db db) {
        this.db = db;
    }

    /** Inserts the code version unless it exists; true when it was inserted. */
    public Future<Boolean> insertIfAbsent(SqlClient tx, CodeVersion c) {
        return db.query(tx, """
                insert into code_version (id, repository, commit_sha, branches, tags, author, message, committed_at, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                on conflict (id) do nothing
                returning id
                """, Tuple.of(c.id(), c.repository(), c.commit(), c.branches().toArray(String[]::new),
                        c.tags().toArray(String[]::new), c.author(), c.message(), c.committedAt(), c.createdAt()))
                .map(rows -> rows.size() == 1);
    }

    /** The code versions that exist among {@code ids}, locked in id order. */
    public Future<Map<UUID, CodeVersion>> lockAll(SqlClient tx, Collection<UUID> ids) {
        return db.query(tx, "select " + COLUMNS + " from code_version where id = any($1) order by id for update", Tuple.of(Rows.uuids(ids)))
                .map(rows -> {
                    Map<UUID, CodeVersion> result = new HashMap<>();
                    rows.forEach(r -> result.put(r.getUUID("id"), map(r)));
                    return result;
                });
    }

    public Future<java.util.Set<UUID>> insertAll(SqlClient tx, List<CodeVersion> rows) {
        if (rows.isEmpty()) {
            return Future.succeededFuture(java.util.Set.of());
        }
        return db.batch(tx, """
                insert into code_version (id, repository, commit_sha, branches, tags, author, message, committed_at, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                on conflict (id) do nothing
                returning id
                """, rows.stream().map(c -> Tuple.of(c.id(), c.repository(), c.commit(), c.branches().toArray(String[]::new),
                c.tags().toArray(String[]::new), c.author(), c.message(), c.committedAt(), c.createdAt())).toList()).map(Rows::returnedIds);
    }

    public Future<Void> updateAll(SqlClient tx, List<CodeVersion> rows) {
        if (rows.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.batch(tx, """
                update code_version set branches = $2, tags = $3, author = $4, message = $5, committed_at = $6 where id = $1
                """, rows.stream().map(c -> Tuple.of(c.id(), c.branches().toArray(String[]::new), c.tags().toArray(String[]::new),
                c.author(), c.message(), c.committedAt())).toList()).mapEmpty();
    }

    public Future<CodeVersion> lock(SqlClient tx, UUID id) {
        return db.query(tx, "select " + COLUMNS + " from code_version where id = $1 for update", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    public Future<Void> update(SqlClient tx, CodeVersion c) {
        return db.query(tx, """
                update code_version set branches = $2, tags = $3, author = $4, message = $5, committed_at = $6
                where id = $1
                """, Tuple.of(c.id(), c.branches().toArray(String[]::new), c.tags().toArray(String[]::new), c.author(),
                c.message(), c.committedAt())).mapEmpty();
    }

    public Future<Map<UUID, CodeVersion>> byIds(Collection<UUID> ids) {
        return db.query("select " + COLUMNS + " from code_version where id = any($1)", Tuple.of(Rows.uuids(ids)))
                .map(rows -> {
                    Map<UUID, CodeVersion> result = new HashMap<>();
                    for (Row row : rows) {
                        CodeVersion c = map(row);
                        result.put(c.id(), c);
                    }
                    return result;
                });
    }

    /**
     * Finds a code version by commit (a full sha, or a prefix of at least 4 digits),
     * within a repository when one is given.
     */
    public Future<List<CodeVersion>> find(String repository, String commitPrefix) {
        Where where = new Where().and("commit_sha like ?", Where.likeLiteral(commitPrefix) + "%");
        if (repository != null) {
            where.and("repository = ?", repository);
        }
        return db.query("select " + COLUMNS + " from code_version " + where.sql() + " order by created_at desc limit 2",
                where.tuple()).map(rows -> {
            List<CodeVersion> result = new ArrayList<>();
            rows.forEach(r -> result.add(map(r)));
            return result;
        });
    }

    static CodeVersion map(Row row) {
        return new CodeVersion(row.getUUID("id"), row.getString("repository"), row.getString("commit_sha"),
                Rows.strings(row, "branches"), Rows.strings(row, "tags"), row.getString("author"), row.getString("message"),
                row.getOffsetDateTime("committed_at"), row.getOffsetDateTime("created_at"));
    }
}
