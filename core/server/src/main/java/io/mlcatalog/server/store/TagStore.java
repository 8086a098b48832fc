package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Tag;
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

public final class TagStore {
    private final Db db;

    public TagStore(Db db) {
        this.db = db;
    }

    public Future<List<Tag>> lock(SqlClient tx, UUID entityId) {
        return db.query(tx, "select key, value from tag where entity_id = $1 order by key for update", Tuple.of(entityId))
                .map(TagStore::tags);
    }

    /** Makes the entity's tags exactly {@code tags}. */
    public Future<Void> replace(SqlClient tx, UUID entityId, List<Tag> tags) {
        String[] keys = tags.stream().map(Tag::key).toArray(String[]::new);
        String[] values = tags.stream().map(Tag::value).toArray(String[]::new);
        return db.query(tx, "delete from tag where entity_id = $1 and not (key = any($2))", Tuple.of(entityId, (Object) keys))
                .compose(x -> upsert(tx, entityId, keys, values));
    }

    /** Adds or updates the given keys, leaving other tags as they are. */
    public Future<Void> merge(SqlClient tx, UUID entityId, List<Tag> tags) {
        if (tags.isEmpty()) {
            return Future.succeededFuture();
        }
        return upsert(tx, entityId, tags.stream().map(Tag::key).toArray(String[]::new),
                tags.stream().map(Tag::value).toArray(String[]::new));
    }

    private Future<Void> upsert(SqlClient tx, UUID entityId, String[] keys, String[] values) {
        if (keys.length == 0) {
            return Future.succeededFuture();
        }
        return db.query(tx, """
                insert into tag (entity_id, key, value)
                select $1, k, v from unnest($2::text[], $3::text[]) as t(k, v)
                on conflict (entity_id, key) do update set value = excluded.value
                where tag.value is distinct from excluded.value
                """, Tuple.of(entityId, keys, values)).mapEmpty();
    }

    public Future<Map<UUID, List<Tag>>> byEntities(Collection<UUID> ids) {
        return db.query("select entity_id, key, value from tag where entity_id = any($1) order by key",
                Tuple.of(Rows.uuids(ids))).map(rows -> {
            Map<UUID, List<Tag>> result = new HashMap<>();
            for (Row row : rows) {
                result.computeIfAbsent(row.getUUID("entity_id"), k -> new ArrayList<>())
                        .add(new Tag(row.getString("key"), row.getString("value")));
            }
            return result;
        });
    }

    private static List<Tag> tags(Iterable<Row> rows) {
        List<Tag> tags = new ArrayList<>();
        for (Row row : rows) {
            tags.add(new Tag(row.getString("key"), row.getString("value")));
        }
        return tags;
    }
}
