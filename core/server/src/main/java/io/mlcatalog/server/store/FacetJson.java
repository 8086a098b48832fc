package io.mlcatalog.server.store;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * A facet document's text, exactly as {@link JsonObject#encode} writes it, without going through Jackson's databind.
 * The text is what a document is stored and found under (its SHA-256, see {@link FacetStore}), so it must not change by a
 * byte: a document whose value holds anything but the plain values a checked document is made of (maps with text keys,
 * lists, text, Long and Integer, finite Double, Boolean, null) is encoded by {@link JsonObject#encode} itself.
 *
 * <p>Why: encoding facet documents with Jackson took about a fifth of the server's CPU while it wrote batched OpenLineage
 * events (a JFR profile: serializer lookups per map and value, the generator's buffers); this walks the values once.
 */
final class FacetJson {
    private FacetJson() {
    }

    /** Thrown for a value this encoder does not write as Jackson would: the document is then encoded by Jackson. */
    private static final class NotPlain extends RuntimeException {
        NotPlain() {
            super(null, null, false, false);
        }
    }

    private static final NotPlain NOT_PLAIN = new NotPlain();

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The text of the JSON object {@code document}, as {@code new JsonObject(document).encode()} gives it. */
    static String encode(Map<String, Object> document) {
        StringBuilder out = BUFFER.get();
        out.setLength(0);
        try {
            map(out, document);
        } catch (NotPlain notPlain) {
            return new JsonObject(document).encode();
        } finally {
            if (out.capacity() > MAX_KEPT_CAPACITY) {
                BUFFER.remove(); // a rare large document's buffer is not kept for good
            }
        }
        return out.toString();
    }

    /**
     * The text is written into a buffer of each thread, reused: a new one grown by doubling to the size of the document
     * took more than half of the encoding's time in a JFR profile (the copies of each growth).
     */
    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(8192));

    private static final int MAX_KEPT_CAPACITY = 1 << 20;

    private static void value(StringBuilder out, Object v) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(out, s);
        } else if (v instanceof Long || v instanceof Integer) {
            out.append(((Number) v).longValue());
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw NOT_PLAIN; // Jackson writes these as quoted text
            }
            out.append(Double.toString(d));
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Map<?, ?> m) {
            map(out, m);
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0, n = l.size(); i < n; i++) {
                if (i > 0) {
                    out.append(',');
                }
                value(out, l.get(i));
            }
            out.append(']');
        } else {
            throw NOT_PLAIN; // JsonObject, JsonArray, Instant, bytes, other numbers: Jackson's own serializers
        }
    }

    private static void map(StringBuilder out, Map<?, ?> m) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw NOT_PLAIN;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, key);
            out.append(':');
            value(out, e.getValue());
        }
        out.append('}');
    }

    /** Jackson's escapes: {@code "} and {@code \}, the short forms of \b \t \n \f \r, other controls as a six-character escape (backslash, u, 00, two upper-case hex digits); the rest as is. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        int start = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, start, i);
            start = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        out.append(s, start, s.length()).append('"');
    }
}
