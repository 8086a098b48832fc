package io.mlcatalog.server.intake;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * How a request body is kept in the intake queue: LZ4-compressed (block format) when that makes it smaller, as
 * received otherwise. A batch of OpenLineage events, much alike, shrinks to a tenth or less: PostgreSQL then writes
 * that much fewer TOAST rows and WAL for it, which is most of what storing a request costs. LZ4 compresses at GB/s.
 */
final class BodyCodec {
    /** The value of {@code intake_queue.body_encoding} for an LZ4 block. */
    static final String LZ4 = "lz4";
    /** Smaller bodies are kept as they are: nothing worth saving. */
    static final int MIN_BYTES = 512;

    // the native implementation where the platform has one, else the pure-Java one: the same format either way
    private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    /** A body as stored: its bytes and their encoding (null: as received). */
    record Encoded(String encoding, byte[] bytes) {
    }

    private BodyCodec() {
    }

    static Encoded encode(byte[] body) {
        if (body.length < MIN_BYTES) {
            return new Encoded(null, body);
        }
        byte[] out = new byte[COMPRESSOR.maxCompressedLength(body.length)];
        int length = COMPRESSOR.compress(body, 0, body.length, out, 0, out.length);
        if (length >= body.length) {
            return new Encoded(null, body);
        }
        return new Encoded(LZ4, java.util.Arrays.copyOf(out, length));
    }

    /**
     * The body as received.
     *
     * @param bodyBytes its length as received (null for a row stored before bodies were compressed: then as stored)
     * @throws IllegalArgumentException when the stored bytes are not what their encoding says
     */
    static byte[] decode(String encoding, byte[] stored, Integer bodyBytes) {
        if (encoding == null) {
            if (bodyBytes != null && bodyBytes != stored.length) {
                throw new IllegalArgumentException("the body has " + stored.length + " bytes, not the " + bodyBytes + " stored with it");
            }
            return stored;
        }
        if (!encoding.equals(LZ4)) {
            throw new IllegalArgumentException("unknown body encoding '" + encoding + "'");
        }
        if (bodyBytes == null || bodyBytes < 0) {
            throw new IllegalArgumentException("an LZ4 body without its length");
        }
        byte[] body = new byte[bodyBytes];
        int length;
        try {
            length = DECOMPRESSOR.decompress(stored, 0, stored.length, body, 0, body.length);
        } catch (LZ4Exception e) {
            throw new IllegalArgumentException("the LZ4 body is damaged: " + e.getMessage(), e);
        }
        if (length != bodyBytes) {
            throw new IllegalArgumentException("the LZ4 body decompresses to " + length + " bytes, not " + bodyBytes);
        }
        return body;
    }
}
