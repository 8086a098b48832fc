package io.mlcatalog.server.model;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * One representation per JSON number: whole numbers that fit a long as Long, others as Double. Used both
 * for what clients send and for what the database returns, so the same value always compares equal.
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
        if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            // Every whole number that fits a long is a Long, whatever its size: a client's 1e15 or 2.5e15
            // comes back from jsonb as an integer, and must compare equal to it (a repeated write is no
            // change). Take the decimal a JSON writer prints (Double.toString), which is what the database
            // stored: above 2^53 it differs from (long) d, e.g. 2^60 is written 1.15292150460684698E18.
            return new BigDecimal(Double.toString(d)).longValueExact();
        }
        return finiteOrNull(d);
    }

    private static Double finiteOrNull(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    }
}
