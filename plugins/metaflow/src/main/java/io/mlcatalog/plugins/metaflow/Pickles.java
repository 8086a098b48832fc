package io.mlcatalog.plugins.metaflow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the value of a pickle when it is a scalar (a string, a number, a boolean, None), which is what Parameters and
 * the string artifacts that name datasets hold. Anything else (a dict, a model object) is not read: the catalog keeps
 * its digest, size and type, never runs a pickle. Only the opcodes that protocols 2 to 5 use for scalars are known.
 */
final class Pickles {
    /** A scalar read from a pickle; {@code value} is null for None. */
    record Scalar(Object value) {
    }

    private Pickles() {
    }

    static Optional<Scalar> scalar(byte[] pickle) {
        ByteBuffer b = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        Object value = null;
        boolean read = false;
        try {
            while (b.hasRemaining()) {
                int op = b.get() & 0xff;
                switch (op) {
                    case 0x80 -> b.get(); // PROTO n
                    case 0x95 -> b.getLong(); // FRAME length
                    case 0x94 -> { // MEMOIZE
                    }
                    case '.' -> {
                        return read ? Optional.of(new Scalar(value)) : Optional.empty();
                    }
                    default -> {
                        if (read) {
                            return Optional.empty(); // a second value: a container being built
                        }
                        value = value(op, b);
                        read = true;
                    }
                }
            }
        } catch (NotAScalar | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static final class NotAScalar extends Exception {
        NotAScalar() {
            super(null, null, false, false);
        }
    }

    private static Object value(int op, ByteBuffer b) throws NotAScalar {
        return switch (op) {
            case 0x8c -> text(b, b.get() & 0xff); // SHORT_BINUNICODE
            case 'X' -> text(b, b.getInt()); // BINUNICODE
            case 0x8d -> text(b, Math.toIntExact(b.getLong())); // BINUNICODE8
            case 0x88 -> Boolean.TRUE; // NEWTRUE
            case 0x89 -> Boolean.FALSE; // NEWFALSE
            case 'N' -> null;
            case 'K' -> (long) (b.get() & 0xff); // BININT1
            case 'M' -> (long) (b.getShort() & 0xffff); // BININT2
            case 'J' -> (long) b.getInt(); // BININT
            case 0x8a -> long1(b); // LONG1
            case 'G' -> b.order(ByteOrder.BIG_ENDIAN).getDouble(); // BINFLOAT, big-endian
            default -> throw new NotAScalar();
        };
    }

    private static String text(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** LONG1: n bytes, little-endian two's complement; only those that fit a long. */
    private static Object long1(ByteBuffer b) throws NotAScalar {
        int n = b.get() & 0xff;
        if (n > 8) {
            throw new NotAScalar();
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (b.get() & 0xff) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v |= -1L << (8 * n); // sign-extend
        }
        return v;
    }
}
