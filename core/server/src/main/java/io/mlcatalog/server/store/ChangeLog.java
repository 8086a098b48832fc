package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Source;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import io.mlcatalog.server.model.Change;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The append-only change log. Writers append only when something really changed, so a repeated
 * write leaves no trace here.
 */
public final class ChangeLog {
    private final Db db;

    public ChangeLog(Db db) {
        this.db = db;
    }

    public Future<Void> append(SqlClient tx, Source source, UUID entityId, NodeType type, String action,
                               Map<String, Object> before, Map<String, Object> after) {
        return db.query(tx, """
                        insert into change_log (at, actor, entity_id, entity_type, action, before, after)
                        values (now(), $1, $2, $3, $4, $5, $6)
                        """,
                Tuple.of(source.actor(), entityId, type.dbName(), action, json(before), json(after))).mapEmpty();
    }

    /** One entry to append. */
    public record Entry(Source source, UUID entityId, NodeType type, String action, Map<String, Object> before, Map<String, Object> after) {
    }

    /** Appends entries in one statement. */
    public Future<Void> appendAll(SqlClient tx, List<Entry> entries) {
        if (entries.isEmpty()) {
            return Future.succeededFuture();
        }
        int n = entries.size();
        String[] actors = new String[n];
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        String[] actions = new String[n];
        String[] befores = new String[n];
        String[] afters = new String[n];
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            actors[i] = e.source().actor();
            ids[i] = e.entityId();
            types[i] = e.type().dbName();
            actions[i] = e.action();
            JsonObject before = json(e.before());
            JsonObject after = json(e.after());
            befores[i] = before == null ? null : before.encode();
            afters[i] = after == null ? null : after.encode();
        }
        // one statement, the entries in their order (the log's ids are its order)
        return db.query(tx, """
                insert into change_log (at, actor, entity_id, entity_type, action, before, after)
                select now(), actor, entity_id, entity_type, action, before::jsonb, after::jsonb
                from unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) with ordinality
                  as e(actor, entity_id, entity_type, action, before, after, position)
                order by position
                """, Tuple.of(actors, ids, types, actions, befores, afters)).mapEmpty();
    }

    /** An entity's changes, newest first, after the change with sequence {@code afterSeq} (null: from the newest). */
    public Future<List<Change>> page(UUID entity, int first, Long afterSeq) {
        return db.query("""
                select id, at, actor, entity_id, entity_type, action, before, after from change_log
                where entity_id = $1 and ($2::bigint is null or id < $2)
                order by id desc limit $3
                """, Tuple.of(entity, afterSeq, first)).map(rows -> {
            List<Change> changes = new ArrayList<>();
            for (Row r : rows) {
                changes.add(new Change(r.getLong("id"), r.getOffsetDateTime("at"), r.getString("actor"), r.getUUID("entity_id"),
                        NodeType.fromDbName(r.getString("entity_type")), r.getString("action"), Rows.jsonObject(r, "before"),
                        Rows.jsonObject(r, "after")));
            }
            return changes;
        });
    }

    public Future<Integer> count(UUID entity) {
        return db.query("select count(*) from change_log where entity_id = $1", Tuple.of(entity))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** The fields whose values differ, as {before, after} maps; empty when nothing changed. */
    public static Diff diff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> b = new TreeMap<>();
        Map<String, Object> a = new TreeMap<>();
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(after.keySet());
        keys.addAll(before.keySet()); // a field a snapshot leaves out when unset (an artifact's goneAt) counts when it goes
        for (String key : keys) {
            if (!Objects.equals(before.get(key), after.get(key))) {
                b.put(key, before.get(key));
                a.put(key, after.get(key));
            }
        }
        return new Diff(b, a);
    }

    public record Diff(Map<String, Object> before, Map<String, Object> after) {
        public boolean isEmpty() {
            return after.isEmpty();
        }
    }

    private static JsonObject json(Map<String, Object> m) {
        if (m == null) {
            return null;
        }
        JsonObject o = new JsonObject();
        m.forEach((k, v) -> o.put(k, v instanceof java.time.OffsetDateTime t ? io.mlcatalog.server.model.Times.format(t)
                : v instanceof UUID u ? u.toString() : v instanceof Enum<?> e ? e.name() : v));
        return o;
    }
}
