package io.mlcatalog.plugins.filesystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The sha256 of a file, read as a stream through one fixed buffer of {@link #BUFFER_BYTES}: memory does not grow with
 * the file, so a 2 GiB model hashes in the same few kilobytes of heap as a 2 KiB one.
 */
public final class Sha256 {
    /** The one buffer a hash reads through. */
    public static final int BUFFER_BYTES = 64 * 1024;

    private Sha256() {
    }

    /** {@code sha256:<hex>} of a file's content. */
    public static String of(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return of(channel);
        }
    }

    /** {@code sha256:<hex>} of everything a channel yields, read {@link #BUFFER_BYTES} at a time at most. */
    public static String of(ReadableByteChannel channel) throws IOException {
        MessageDigest digest = newDigest();
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            digest.update(buffer);
            buffer.clear();
            if (Thread.currentThread().isInterrupted()) {
                // the host abandoned the poll (its timeout): stop reading a large file
                throw new java.io.InterruptedIOException("hashing interrupted");
            }
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Hashes the files named on the command line: for the bounded-memory test, run in a JVM with a small heap. */
    public static void main(String[] args) throws IOException {
        for (String a : args) {
            System.out.println(of(Path.of(a)) + "  " + a);
        }
    }
}
