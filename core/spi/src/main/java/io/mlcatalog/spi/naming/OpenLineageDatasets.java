package io.mlcatalog.spi.naming;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * OpenLineage names a dataset by namespace and name (its naming conventions: {@code s3://bucket} +
 * {@code path/key}, {@code gs://bucket} + {@code path}, {@code bigquery} + {@code project.dataset.table},
 * {@code file} + {@code /path}, {@code postgres://host:5432} + {@code db.schema.table}); the catalog names an
 * artifact by URI. The same dataset always gets the same URI, so lineage from different tools meets.
 *
 * <p>Shared by the OpenLineage receiver, which files datasets under these URIs, and the catalog's
 * Marquez-compatible lineage endpoint, which finds a dataset named the OpenLineage way and names it so back.
 */
public final class OpenLineageDatasets {
    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*");
    private static final String FREE_TEXT = "openlineage://";

    private OpenLineageDatasets() {
    }

    /** A dataset's OpenLineage namespace and name. */
    public record Name(String namespace, String name) {
        public Name {
            Objects.requireNonNull(namespace, "namespace is null");
            Objects.requireNonNull(name, "name is null");
        }
    }

    /** The URI of the artifact a dataset is recorded as. */
    public static String uri(String namespace, String name) {
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
            uri = FREE_TEXT + URLEncoder.encode(ns, StandardCharsets.UTF_8) + "/" + n;
        }
        return encodeSpaces(uri);
    }

    /**
     * The OpenLineage namespace and name of an artifact's URI: the name as recorded ({@code recordedName}, the dataset
     * name as its producer sent it) when it gives the URI back, else the name read off the URI (an artifact no
     * OpenLineage event named: {@code s3://bucket/key} is {@code s3://bucket} + {@code key}).
     */
    public static Name name(String uri, String recordedName) {
        Name read = read(uri);
        if (recordedName != null && !recordedName.isBlank() && uri(read.namespace(), recordedName).equals(uri)) {
            return new Name(read.namespace(), recordedName);
        }
        return read;
    }

    private static Name read(String uri) {
        if (uri.startsWith(FREE_TEXT)) {
            String rest = uri.substring(FREE_TEXT.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                return new Name(URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8), decodeSpaces(rest.substring(slash + 1)));
            }
        }
        if (uri.startsWith("file://")) {
            return new Name("file", decodeSpaces(uri.substring("file://".length())));
        }
        int authority = uri.indexOf("://");
        if (authority > 0) {
            int slash = uri.indexOf('/', authority + 3);
            return slash < 0 ? new Name(uri, "") : new Name(uri.substring(0, slash), decodeSpaces(uri.substring(slash + 1)));
        }
        int colon = uri.indexOf(':');
        if (colon > 0 && SCHEME.matcher(uri.substring(0, colon)).matches()) {
            return new Name(uri.substring(0, colon), decodeSpaces(uri.substring(colon + 1)));
        }
        return new Name("", uri);
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

    /** The name read off a URI, its encoded spaces decoded back (only those: the rest stays as written). */
    private static String decodeSpaces(String s) {
        return s.contains("%20") ? s.replace("%20", " ") : s;
    }
}
