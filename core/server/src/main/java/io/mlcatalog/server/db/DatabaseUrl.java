package io.mlcatalog.server.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Where the catalog's PostgreSQL is: parsed from {@code postgresql://user:pass@host:5432/db?sslmode=require}
 * (also {@code postgres://} and {@code jdbc:postgresql://}).
 * {@link #toString()} never shows the password, so the value can be logged.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, Map<String, String> options) {

    public DatabaseUrl {
        requireNonNull(host, "host is null");
        requireNonNull(database, "database is null");
        requireNonNull(user, "user is null");
        options = Map.copyOf(options);
    }

    public static DatabaseUrl parse(String text) {
        requireNonNull(text, "text is null");
        String s = text.strip();
        if (s.startsWith("jdbc:")) {
            s = s.substring("jdbc:".length());
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a database URL (expected postgresql://user:password@host:5432/database): " + redact(text));
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("database URL must start with postgresql:// (got " + redact(text) + ")");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database URL has no host: " + redact(text));
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String database = path.isEmpty() ? "postgres" : decode(path);
        String user = "postgres";
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            if (parts.length == 2) {
                password = decode(parts[1]);
            }
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                options.put(decode(kv[0]), kv.length == 2 ? decode(kv[1]) : "");
            }
        }
        if (options.containsKey("user")) {
            user = options.remove("user");
        }
        if (options.containsKey("password")) {
            password = options.remove("password");
        }
        return new DatabaseUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password, options);
    }

    /** The same server, another database on it. */
    public DatabaseUrl withDatabase(String otherDatabase) {
        return new DatabaseUrl(host, port, otherDatabase, user, password, options);
    }

    public String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/').append(database);
        char sep = '?';
        for (var e : options.entrySet()) {
            url.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = '&';
        }
        return url.toString();
    }

    @Override
    public String toString() {
        return "postgresql://" + user + (password == null ? "" : ":***") + "@" + host + ":" + port + "/" + database;
    }

    /** A URL as the user typed it, with any password replaced, for error messages. */
    static String redact(String text) {
        // up to the last @: a password with an unencoded @ in it is what makes such a URL fail to parse
        return text.replaceAll("(://[^:/@]*:).*@", "$1***@")
                .replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    /** Percent-decoding as in a URL; a '+' stays a '+' (URLDecoder, made for forms, would turn it into a space). */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
