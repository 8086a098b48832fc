package io.mlcatalog.server.model;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * One representation per JSON number: whole numbers as Long, others as Double. Used both for what
 * clients send and for what the database returns, so the same value always compares equal.
 */
public final class JsonNumbers {
    private JsonNumbers() {
    }

    /** The normal form of {@code n}, or null when it is not finite. */
    public static Number normalize(Number n) {
        if (n instanceof Long) {
            return n;
        }
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.longValue();
        }
        if (n instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Number) b.longValue() : (Number) b.doubleValue();
        }
        if (n instanceof BigDecimal d) {
            try {
                return d.longValueExact();
            } catch (ArithmeticException notAWholeLong) {
                return finiteOrNull(d.doubleValue());
            }
        }
        double d = n.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return (long) d;
        }
        return finiteOrNull(d);
    }

    private static Double finiteOrNull(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    }
}
