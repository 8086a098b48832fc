package io.mlcatalog.plugins.metaflow;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where a Metaflow datastore lies: a folder on a disk, or a prefix of an S3 bucket (the same layout under it). Paths
 * are relative to the datastore's root, with {@code /} between names; "" is the root.
 */
interface Store extends AutoCloseable {
    /** The names of the folders right under {@code path} (sorted). */
    List<String> folders(String path) throws IOException;

    /** The names of the files right under {@code path} (sorted). */
    List<String> files(String path) throws IOException;

    /** The file's bytes, or empty when there is none. */
    Optional<byte[]> read(String path) throws IOException;

    /** When the object at {@code path} (a run) was created, in epoch ms, where the store knows it from its listing; else null. */
    default Long created(String path) throws IOException {
        return null;
    }

    /** Forgets what was read before: called at the start of each poll, so that a store that keeps answers reads afresh. */
    default void refresh() {
    }

    /** The path as its owner would say it (a file path, an s3:// URI), for messages. */
    String describe(String path);

    @Override
    default void close() {
    }

    static String join(String a, String b) {
        return a.isEmpty() ? b : a + "/" + b;
    }
}
