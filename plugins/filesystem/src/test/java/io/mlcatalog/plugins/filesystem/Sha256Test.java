package io.mlcatalog.plugins.filesystem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Hashing streams through one fixed buffer: a file of any size hashes in bounded memory. */
class Sha256Test {
    /** sha256 of 2 GiB of zeros. */
    private static final String TWO_GIB_OF_ZEROS = "sha256:a7c744c13cc101ed66c29f672f92455547889cc586ce6d44fe76ae824958ea51";

    @TempDir
    Path tmp;

    @Test
    void readsThroughOneFixedSizeBuffer() throws IOException {
        long size = 10L * Sha256.BUFFER_BYTES + 123;
        int[] largestRead = {0};
        long[] total = {0};
        ReadableByteChannel zeros = new ReadableByteChannel() {
            long left = size;

            @Override
            public int read(ByteBuffer dst) {
                largestRead[0] = Math.max(largestRead[0], dst.remaining());
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(left, Math.min(dst.remaining(), 7000)); // short reads, as sockets and pipes give
                dst.put(new byte[n]);
                left -= n;
                total[0] += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };

        String digest = Sha256.of(zeros);

        assertThat(largestRead[0]).isEqualTo(Sha256.BUFFER_BYTES);
        assertThat(total[0]).isEqualTo(size);
        assertThat(digest).isEqualTo(Sha256.of(Channels.newChannel(new java.io.ByteArrayInputStream(new byte[(int) size]))));
    }

    @Test
    void knownDigest() throws IOException {
        Path f = Files.writeString(tmp.resolve("abc.txt"), "abc", StandardCharsets.UTF_8);
        assertThat(Sha256.of(f)).isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    /**
     * A 2 GiB (sparse) file hashed by a JVM whose whole heap is 32 MiB: it could not hold a 64th of the file. Takes a
     * few seconds (reading 2 GiB of zeros), which is the point.
     */
    @Test
    void aTwoGibFileHashesInAThirtyTwoMibHeap() throws Exception {
        Path big = tmp.resolve("model.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(2L * 1024 * 1024 * 1024);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(Sha256.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process p = new ProcessBuilder(java, "-Xmx32m", "-cp", classes, Sha256.class.getName(), big.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith(TWO_GIB_OF_ZEROS);
    }
}
