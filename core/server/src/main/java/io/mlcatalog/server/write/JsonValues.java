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
        return (Map<String, Object>) normalize(Where.root(field), null, -1, value, 0, budget);
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

    /** Where the value under {@code key} (or at {@code index}, or, with neither, {@code parent} itself) is. */
    private static Where at(Where parent, String key, int index) {
        return key != null ? parent.key(key) : index >= 0 ? parent.index(index) : parent;
    }

    /** Normalizes the value under {@code key} or at {@code index} of {@code parent}: its place is built only when needed. */
    private static Object normalize(Where parent, String key, int index, Object v, int depth, int[] budget) {
        if (--budget[0] < 0) {
            Where where = at(parent, key, index);
            throw CatalogException.badInput(where.toString(), where + " is too large: it holds more values than the catalog keeps");
        }
        if (depth > MAX_DEPTH) {
            Where where = at(parent, key, index);
            throw CatalogException.badInput(where.toString(), where + " is nested too deeply: at most " + MAX_DEPTH + " levels");
        }
        if (v == null || v instanceof Boolean) {
            return v;
        }
        if (v instanceof String s) {
            jsonString(parent, key, index, s);
            return s;
        }
        if (v instanceof Number n) {
            Number normal = JsonNumbers.normalize(n);
            if (normal == null) {
                Where where = at(parent, key, index);
                throw CatalogException.badInput(where.toString(), where + " must be a finite number");
            }
            return normal.equals(n) ? n : normal;
        }
        Where where = at(parent, key, index);
        // a value already in normal form is returned as it is, not copied: the usual document (string keys, Long and
        // Double numbers) is only walked, and a copy is made from the first entry that changes
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = null;
            int seen = 0;
            for (var e : m.entrySet()) {
                String name = e.getKey() instanceof String k ? k : String.valueOf(e.getKey());
                jsonString(where, null, -1, name);
                Object value = normalize(where, name, -1, e.getValue(), depth + 1, budget);
                if (out == null && (value != e.getValue() || name != e.getKey())) {
                    out = copyOfFirst(m, seen);
                }
                if (out != null) {
                    out.put(name, value);
                }
                seen++;
            }
            return out == null ? m : out;
        }
        if (v instanceof List<?> l) {
            java.util.ArrayList<Object> out = null;
            for (int i = 0; i < l.size(); i++) {
                Object value = normalize(where, null, i, l.get(i), depth + 1, budget);
                if (out == null && value != l.get(i)) {
                    out = new java.util.ArrayList<>(l.size());
                    out.addAll(l.subList(0, i));
                }
                if (out != null) {
                    out.add(value);
                }
            }
            return out == null ? l : out;
        }
        throw CatalogException.badInput(where.toString(), where + " is not a JSON value");
    }

    /** The first {@code n} entries of {@code m} (already in normal form), in a map the rest can be added to. */
    private static Map<String, Object> copyOfFirst(Map<?, ?> m, int n) {
        Map<String, Object> out = new LinkedHashMap<>();
        var it = m.entrySet().iterator();
        for (int i = 0; i < n; i++) {
            var e = it.next();
            out.put((String) e.getKey(), e.getValue());
        }
        return out;
    }

    /** {@link Text#jsonString}, naming the place (as {@link #at}) only when the text is refused. */
    private static void jsonString(Where parent, String key, int index, String s) {
        try {
            Text.jsonString("", s);
        } catch (CatalogException refused) {
            Text.jsonString(at(parent, key, index).toString(), s);
        }
    }
}
