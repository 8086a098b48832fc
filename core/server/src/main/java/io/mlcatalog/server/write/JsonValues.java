package io.mlcatalog.server.write;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.JsonNumbers;
import io.mlcatalog.server.model.Text;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks and normalizes the free-form JSON a client sends (params, metrics, deployment config). */
public final class JsonValues {
    static final int MAX_DEPTH = 20;
    static final int MAX_ELEMENTS = 10_000;
    /** Facets are documents kept whole: more room than params and metrics. */
    public static final int MAX_FACET_ELEMENTS = 100_000;

    private JsonValues() {
    }

    /**
     * A JSON object from a client: only JSON types, strings PostgreSQL can store, bounded depth and size.
     * Numbers are normalized (integers to Long, others to Double) so that the same value read back from
     * the database compares equal and a repeated write is recognized as no change.
     */
    public static Map<String, Object> object(String field, Object value) {
        return object(field, value, MAX_ELEMENTS);
    }

    /** As {@link #object(String, Object)}, with room for {@code maxElements} values (facets hold whole documents). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(String field, Object value, int maxElements) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?>)) {
            throw CatalogException.badInput(field, field + " must be a JSON object");
        }
        int[] budget = {maxElements};
        return (Map<String, Object>) normalize(Where.root(field), value, 0, budget);
    }

    /**
     * Where a value is, built into text only for an error message: a document of thousands of values is checked
     * without building a path for each.
     */
    private record Where(Where parent, String field, String key, int index) {
        static Where root(String field) {
            return new Where(null, field, null, -1);
        }

        Where key(String k) {
            return new Where(this, null, k, -1);
        }

        Where index(int i) {
            return new Where(this, null, null, i);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return field;
            }
            return parent + (key != null ? "." + key : "[" + index + "]");
        }
    }

    private static Object normalize(Where where, Object v, int depth, int[] budget) {
        if (--budget[0] < 0) {
            throw CatalogException.badInput(where.toString(), where + " is too large: it holds more values than the catalog keeps");
        }
        if (depth > MAX_DEPTH) {
            throw CatalogException.badInput(where.toString(), where + " is nested too deeply: at most " + MAX_DEPTH + " levels");
        }
        if (v == null || v instanceof Boolean) {
            return v;
        }
        if (v instanceof String s) {
            jsonString(where, s);
            return s;
        }
        if (v instanceof Number n) {
            Number normal = JsonNumbers.normalize(n);
            if (normal == null) {
                throw CatalogException.badInput(where.toString(), where + " must be a finite number");
            }
            return normal;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                jsonString(where, key);
                out.put(key, normalize(where.key(key), e.getValue(), depth + 1, budget));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            java.util.ArrayList<Object> out = new java.util.ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                out.add(normalize(where.index(i), l.get(i), depth + 1, budget));
            }
            return out;
        }
        throw CatalogException.badInput(where.toString(), where + " is not a JSON value");
    }

    /** {@link Text#jsonString}, naming the place only when the text is refused. */
    private static void jsonString(Where where, String s) {
        try {
            Text.jsonString("", s);
        } catch (CatalogException refused) {
            Text.jsonString(where.toString(), s);
        }
    }
}
