package io.mlcatalog.server.model;

import java.util.regex.Pattern;

/** Artifact URIs and repository locations. */
public final class Uris {
    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:.+");

    private Uris() {
    }

    /**
     * An artifact URI: a scheme and something after it, no whitespace or control characters
     * ({@code s3://bucket/key}, {@code file:///data/x.parquet}, {@code bigquery:project.dataset.table}).
     */
    public static String artifactUri(String field, String uri) {
        String u = Text.name(field, uri, Text.URI_BYTES);
        if (!SCHEME.matcher(u).matches()) {
            throw CatalogException.badInput(field, "not a URI: expected <scheme>:<location>, for example s3://bucket/key or "
                    + "file:///data/train.parquet, got '" + Text.excerpt(u) + "'");
        }
        for (int i = 0; i < u.length(); i++) {
            if (Character.isWhitespace(u.charAt(i))) {
                throw CatalogException.badInput(field, "a URI cannot contain whitespace (percent-encode it as %20)");
            }
        }
        return u;
    }

    /** The last path segment of a URI, as a default artifact name. */
    public static String lastSegment(String uri) {
        String u = uri;
        while (u.endsWith("/") && u.length() > 1) {
            u = u.substring(0, u.length() - 1);
        }
        int cut = Math.max(u.lastIndexOf('/'), u.lastIndexOf(':'));
        String name = cut >= 0 && cut < u.length() - 1 ? u.substring(cut + 1) : u;
        return name.isEmpty() ? uri : name;
    }

    /**
     * A repository as one canonical text, so that {@code https://github.com/acme/churn.git/} and
     * {@code https://github.com/acme/churn} name the same code.
     */
    public static String repository(String field, String repository) {
        String r = Text.name(field, repository, Text.URI_BYTES);
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        if (r.endsWith(".git") && r.length() > 4) {
            r = r.substring(0, r.length() - 4);
        }
        if (r.isEmpty()) {
            throw CatalogException.badInput(field, field + " must not be blank");
        }
        return r;
    }

    /** A full commit sha (40 hex digits for SHA-1 repositories, 64 for SHA-256 ones), lower-cased. */
    public static String commit(String field, String commit) {
        String c = Text.name(field, commit, 64).toLowerCase(java.util.Locale.ROOT);
        if (!c.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
            throw CatalogException.badInput(field, "a commit is a full sha: 40 (or 64) hex digits, got '" + Text.excerpt(c) + "'");
        }
        return c;
    }
}
