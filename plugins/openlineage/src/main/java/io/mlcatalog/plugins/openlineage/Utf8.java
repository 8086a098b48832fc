package io.mlcatalog.plugins.openlineage;

/**
 * Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
 * without decoding them, before a JSON parser reads them as UTF-8.
 */
final class Utf8 {
    private Utf8() {
    }

    /** What {@link #checkJsonText} found. */
    enum Check {
        OK,
        NOT_UTF8,
        /** Well-formed UTF-8, but with a NUL byte, which JSON text never holds (UTF-16 or UTF-32 text does). */
        NUL
    }

    static boolean isWellFormed(byte[] b) {
        return check(b, true) == Check.OK;
    }

    /** Whether the bytes can be JSON text in UTF-8: well-formed, and without a NUL byte. */
    static Check checkJsonText(byte[] b) {
        return check(b, false);
    }

    private static Check check(byte[] b, boolean nulAllowed) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i];
            if (c > 0) {
                i++;
                continue;
            }
            if (c == 0) {
                if (!nulAllowed) {
                    return Check.NUL;
                }
                i++;
                continue;
            }
            c &= 0xFF;
            if (c >= 0xC2 && c <= 0xDF) {
                if (i + 1 >= n || !continuation(b[i + 1])) {
                    return Check.NOT_UTF8;
                }
                i += 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (i + 2 >= n || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
                    return Check.NOT_UTF8;
                }
                int c1 = b[i + 1] & 0xFF;
                if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
                    return Check.NOT_UTF8; // overlong, or a surrogate
                }
                i += 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (i + 3 >= n || !continuation(b[i + 1]) || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
                    return Check.NOT_UTF8;
                }
                int c1 = b[i + 1] & 0xFF;
                if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
                    return Check.NOT_UTF8; // overlong, or above U+10FFFF
                }
                i += 4;
            } else {
                return Check.NOT_UTF8; // a continuation byte first, C0/C1 (overlong), or F5 and above
            }
        }
        return Check.OK;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
