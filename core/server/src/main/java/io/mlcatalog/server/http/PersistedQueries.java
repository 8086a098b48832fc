package io.mlcatalog.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The allow-list of persisted queries: every {@code *.graphql} file of a folder, known by the SHA-256 of its text
 * (hex, as Apollo's {@code extensions.persistedQuery.sha256Hash} gives it). A client sends the hash instead of the
 * text; readers can be held to these queries alone ({@code --require-persisted-queries}), so that a leaked reader token
 * can run only what the dashboards run.
 */
public final class PersistedQueries {
    public static final PersistedQueries NONE = new PersistedQueries(Map.of(), false);

    private final Map<String, String> byHash;
    private final boolean requiredForReaders;

    private PersistedQueries(Map<String, String> byHash, boolean requiredForReaders) {
        this.byHash = Map.copyOf(byHash);
        this.requiredForReaders = requiredForReaders;
    }

    /** Reads the folder's {@code *.graphql} files (not its subfolders). */
    public static PersistedQueries load(Path folder, boolean requiredForReaders) {
        if (folder == null) {
            if (requiredForReaders) {
                throw new IllegalArgumentException("persisted queries are required for readers, but no folder of them is given "
                        + "(--persisted-queries DIR)");
            }
            return NONE;
        }
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("the persisted queries folder " + folder + " does not exist");
        }
        Map<String, String> queries = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".graphql")).sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                queries.put(hash(text), text);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the persisted queries in " + folder + ": " + e.getMessage());
        }
        return new PersistedQueries(queries, requiredForReaders);
    }

    public static String hash(String query) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The query with that hash, or null. */
    public String query(String sha256Hash) {
        return byHash.get(sha256Hash.toLowerCase(java.util.Locale.ROOT));
    }

    public boolean contains(String query) {
        return byHash.containsKey(hash(query));
    }

    public boolean requiredForReaders() {
        return requiredForReaders;
    }

    public int size() {
        return byHash.size();
    }
}
