package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Source;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

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
                Tuple.of(source.name(), entityId, type.dbName(), action, json(before), json(after))).mapEmpty();
    }

    /** The fields whose values differ, as {before, after} maps; empty when nothing changed. */
    public static Diff diff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> b = new TreeMap<>();
        Map<String, Object> a = new TreeMap<>();
        for (String key : after.keySet()) {
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
