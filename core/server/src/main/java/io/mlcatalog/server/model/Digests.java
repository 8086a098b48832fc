package io.mlcatalog.server.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Content digests, written {@code <algorithm>:<value>}. Hex digests are lower-cased so that the
 * same content always has the same key. An unknown format is refused: a digest the catalog cannot
 * compare is worse than none.
 */
public final class Digests {
    private static final Pattern HEX_DIGEST = Pattern.compile("(sha256|sha512|sha1|md5|metaflow-sha1):([0-9a-fA-F]+)");
    private static final Pattern OPAQUE_DIGEST = Pattern.compile("(etag|s3-version|gcs-generation|version|mlflow-dataset):([\\x21-\\x7e]{1,256})");
    private static final String FORMATS = "sha256:<64 hex>, sha512:<128 hex>, sha1:<40 hex>, md5:<32 hex>, metaflow-sha1:<40 hex>, "
            + "etag:<etag>, s3-version:<version id>, gcs-generation:<generation>, version:<dataset version>, mlflow-dataset:<MLflow's dataset digest>";

    private Digests() {
    }

    /** Validates and normalizes an optional digest. */
    public static String normalize(String field, String digest) {
        if (digest == null || digest.isBlank()) {
            return null;
        }
        String d = digest.strip();
        // the algorithm is a name, whatever case it arrives in ("SHA256:" from some tools)
        int colon = d.indexOf(':');
        if (colon > 0) {
            d = d.substring(0, colon).toLowerCase(Locale.ROOT) + d.substring(colon);
        }
        var hex = HEX_DIGEST.matcher(d);
        if (hex.matches()) {
            String algorithm = hex.group(1);
            String value = hex.group(2).toLowerCase(Locale.ROOT);
            int expected = switch (algorithm) {
                case "sha256" -> 64;
                case "sha512" -> 128;
                case "sha1", "metaflow-sha1" -> 40;
                default -> 32;
            };
            if (value.length() != expected) {
                throw CatalogException.badInput(field, "a " + algorithm + " digest has " + expected + " hex digits, got "
                        + value.length());
            }
            return algorithm + ":" + value;
        }
        var opaque = OPAQUE_DIGEST.matcher(d);
        if (opaque.matches()) {
            // ETags arrive quoted from HTTP headers; the quotes are not part of the value
            String value = opaque.group(2);
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (value.isEmpty()) {
                throw CatalogException.badInput(field, "digest value is empty");
            }
            return opaque.group(1) + ":" + value;
        }
        throw CatalogException.badInput(field, "unknown digest format '" + Text.excerpt(d) + "': expected one of " + FORMATS);
    }
}
