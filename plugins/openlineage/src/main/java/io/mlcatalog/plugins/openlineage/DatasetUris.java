package io.mlcatalog.plugins.openlineage;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * OpenLineage names a dataset by namespace and name (its naming conventions: {@code s3://bucket} +
 * {@code path/key}, {@code gs://bucket} + {@code path}, {@code bigquery} + {@code project.dataset.table},
 * {@code file} + {@code /path}, {@code postgres://host:5432} + {@code db.schema.table}); the catalog names
 * an artifact by URI. The same dataset always gets the same URI, so lineage from different tools meets.
 */
final class DatasetUris {
    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*");

    private DatasetUris() {
    }

    static String uri(String namespace, String name) {
        String ns = namespace.strip();
        String n = name.strip();
        String uri;
        if (ns.contains("://")) {
            String base = ns.endsWith("/") ? ns.substring(0, ns.length() - 1) : ns;
            String path = n.startsWith("/") ? n.substring(1) : n;
            uri = path.isEmpty() ? base : base + "/" + path;
        } else if (ns.equals("file")) {
            uri = "file://" + (n.startsWith("/") ? n : "/" + n);
        } else if (SCHEME.matcher(ns).matches()) {
            uri = ns + ":" + n;
        } else {
            // a namespace that is no URI scheme (free text some producers use) still names a distinct place
            uri = "openlineage://" + URLEncoder.encode(ns, StandardCharsets.UTF_8) + "/" + n;
        }
        return encodeSpaces(uri);
    }

    /**
     * A URI holds no whitespace nor control character (and the catalog refuses one that does): those are
     * percent-encoded, as UTF-8, whatever kind of space they are; everything else is left as the producer
     * wrote it, so that a name already in URI form is not encoded twice.
     */
    private static String encodeSpaces(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(String.format("%02X", b & 0xff));
                }
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
