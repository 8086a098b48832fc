package io.mlcatalog.server.store;

import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The conditions of a listing's optional filters. A condition is SQL text written in a store, with
 * {@code ?} where a value goes; the value is always bound as a parameter ({@code $n}), never spliced
 * into the text.
 */
public final class Where {
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();

    /** Adds a condition with its values, one per {@code ?}. */
    public Where and(String condition, Object... vals) {
        StringBuilder sql = new StringBuilder();
        int v = 0;
        for (int i = 0; i < condition.length(); i++) {
            char c = condition.charAt(i);
            if (c == '?') {
                values.add(vals[v++]);
                sql.append('$').append(values.size());
            } else {
                sql.append(c);
            }
        }
        if (v != vals.length) {
            throw new IllegalArgumentException("condition has " + v + " placeholders but " + vals.length + " values: " + condition);
        }
        conditions.add(sql.toString());
        return this;
    }

    /** Adds the keyset condition for the page after {@code cursor}. */
    public Where after(String timeColumn, String idColumn, Cursor cursor) {
        if (cursor != null) {
            and("(" + timeColumn + ", " + idColumn + ") < (?, ?)", cursor.at(), cursor.id());
        }
        return this;
    }

    /** {@code where …} or the empty string. */
    public String sql() {
        return conditions.isEmpty() ? "" : "where " + String.join(" and ", conditions);
    }

    /** The placeholder for one more value, to use after {@link #sql()} (for example in LIMIT). */
    public String next(Object value) {
        values.add(value);
        return "$" + values.size();
    }

    public Tuple tuple() {
        return Tuple.wrap(new ArrayList<>(values));
    }

    /** Escapes LIKE wildcards so a user's text matches literally. */
    public static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
