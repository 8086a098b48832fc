package io.mlcatalog.server.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reading columns into plain Java values. */
final class Rows {
    private Rows() {
    }

    static UUID uuid(Row row, String column) {
        return row.getUUID(column);
    }

    static OffsetDateTime time(Row row, String column) {
        return row.getOffsetDateTime(column);
    }

    static List<String> strings(Row row, String column) {
        String[] values = row.getArrayOfStrings(column);
        return values == null ? List.of() : List.of(values);
    }

    /** A jsonb column as plain maps, lists and scalars (what the GraphQL JSON scalar and Jackson expect). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonObject(Row row, String column) {
        Object v = row.getValue(column);
        return v == null ? null : (Map<String, Object>) plain(v);
    }

    static Object json(Row row, String column) {
        Object v = row.getValue(column);
        return v == null ? null : plain(v);
    }

    static Object plain(Object v) {
        if (v instanceof JsonObject o) {
            Map<String, Object> m = new LinkedHashMap<>();
            o.forEach(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (v instanceof JsonArray a) {
            List<Object> l = new ArrayList<>(a.size());
            a.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, x) -> m.put(String.valueOf(k), plain(x)));
            return m;
        }
        if (v instanceof List<?> list) {
            List<Object> l = new ArrayList<>(list.size());
            list.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (v instanceof Number n) {
            return io.mlcatalog.server.model.JsonNumbers.normalize(n);
        }
        return v;
    }

    /** The ids a batch of {@code … returning id} statements returned, over all its result sets. */
    static java.util.Set<UUID> returnedIds(io.vertx.sqlclient.RowSet<Row> result) {
        java.util.Set<UUID> ids = new java.util.HashSet<>();
        for (io.vertx.sqlclient.RowSet<Row> rs = result; rs != null; rs = rs.next()) {
            rs.forEach(r -> ids.add(r.getUUID(0)));
        }
        return ids;
    }

    static UUID[] uuids(java.util.Collection<UUID> ids) {
        return ids.toArray(UUID[]::new);
    }

    static List<String> list(String[] values) {
        return values == null ? List.of() : Arrays.asList(values);
    }
}
