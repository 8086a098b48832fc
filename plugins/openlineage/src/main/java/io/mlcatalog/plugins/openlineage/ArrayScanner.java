package io.mlcatalog.plugins.openlineage;

import java.io.IOException;

/**
 * Finds the values of a JSON array and checks, on the way, that the whole text is well-formed JSON as Jackson reads it
 * with its defaults (RFC 8259: no comments, trailing commas, leading zeros, NaN or unescaped control characters; and
 * its limits: 1,000 levels of nesting, numbers of 1,000 digits, names of 50,000 bytes, strings of 20,000,000
 * characters), without building or even decoding anything.
 *
 * <p>A batch is read through like this before any of it is written: a malformed body is refused whole, at about a
 * third of what a tokenizer's pass costs (which canonicalizes every field name). The bytes must be well-formed UTF-8,
 * checked before; a leading byte order mark is skipped, as Jackson does.
 */
final class ArrayScanner {
    /** As Jackson's default {@code StreamReadConstraints}: the array itself is the first level. */
    static final int MAX_DEPTH = 1_000;
    static final int MAX_NUMBER_DIGITS = 1_000;
    static final int MAX_NAME_BYTES = 50_000;
    static final int MAX_STRING_CHARS = 20_000_000;

    /** The array's values: how many, and where each starts and ends (exclusive) in the bytes. */
    record Values(int count, int[] starts, int[] ends) {
        int bytes(int index) {
            return ends[index] - starts[index];
        }
    }

    private final byte[] b;
    private int i;
    private int[] starts = new int[16];
    private int[] ends = new int[16];

    private ArrayScanner(byte[] b) {
        this.b = b;
    }

    /**
     * The values of the array the bytes hold.
     *
     * @throws IOException naming what is wrong and where, when the bytes are not one well-formed JSON array
     */
    static Values scan(byte[] bytes) throws IOException {
        ArrayScanner scanner = new ArrayScanner(bytes);
        int count = scanner.array();
        return new Values(count, scanner.starts, scanner.ends);
    }

    /** The number of values of the array the bytes hold (see {@link #scan}). */
    static int count(byte[] bytes) throws IOException {
        return scan(bytes).count();
    }

    private int array() throws IOException {
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            i = 3;
        }
        skipBlank();
        if (peek() != '[') {
            throw error("expected '['");
        }
        int count = events();
        skipBlank();
        if (i < b.length) {
            throw error("a JSON value follows the array: send one array of events");
        }
        return count;
    }

    /**
     * The outermost array, from its opening bracket, and everything in it; returns how many values (events) it holds,
     * keeping where each starts and ends. Nested objects and arrays are walked with a stack of their kinds rather than by
     * recursion: 1,000 levels of nesting must not depend on how deep a thread's stack is.
     */
    private int events() throws IOException {
        boolean[] isObject = new boolean[MAX_DEPTH + 1]; // of the container at each level; level 1 is the outer array
        int depth = 1;
        int count = 0;
        i++; // [
        skipBlank();
        if (peek() == ']') {
            i++;
            return count;
        }
        while (true) {
            // a member of the container at this level starts here
            if (isObject[depth]) {
                name();
            }
            if (depth == 1) {
                if (count == starts.length) {
                    starts = java.util.Arrays.copyOf(starts, count * 2);
                    ends = java.util.Arrays.copyOf(ends, count * 2);
                }
                starts[count] = i;
            }
            int c = peek();
            if (c == '{' || c == '[') {
                checkDepth(depth + 1);
                i++;
                skipBlank();
                if (peek() != (c == '{' ? '}' : ']')) {
                    depth++;
                    isObject[depth] = c == '{';
                    continue; // its first member
                }
                i++; // empty: a whole value
            } else {
                scalar(c);
            }
            // a value ends here, and with it each container that closes after it, until one goes on with a comma
            while (true) {
                if (depth == 1) {
                    ends[count++] = i;
                }
                skipBlank();
                int next = peek();
                if (next == ',') {
                    i++;
                    skipBlank();
                    break;
                }
                int close = isObject[depth] ? '}' : ']';
                if (next != close) {
                    String what = isObject[depth] ? "an object" : "an array";
                    throw error(next == -1 ? "unexpected end of input in " + what + ": '" + (char) close + "' is missing"
                            : "expected ',' or '" + (char) close + "' after a value of " + what);
                }
                i++;
                if (depth == 1) {
                    return count;
                }
                depth--;
            }
        }
    }

    /** A field name and its colon, from {@code i} (no blank before it) to the value after them. */
    private void name() throws IOException {
        if (peek() != '"') {
            throw error(peek() == -1 ? "unexpected end of input in an object" : "expected a field name in double quotes");
        }
        string(true);
        skipBlank();
        if (peek() != ':') {
            throw error("expected ':' after a field name");
        }
        i++;
        skipBlank();
    }

    /** A value that is no object or array, starting at {@code i} with {@code c}. */
    private void scalar(int c) throws IOException {
        switch (c) {
            case '"' -> string(false);
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            case -1 -> throw error("unexpected end of input: a value is missing");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw error("unexpected character " + describe(c) + ": expected a JSON value");
                }
            }
        }
    }

    private void checkDepth(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
    }

    /**
     * A string, or a field name: counted as Jackson counts it against its limits, a name in bytes of UTF-8 and a value in
     * chars (UTF-16 units), both as decoded.
     */
    private void string(boolean name) throws IOException {
        int start = i;
        i++; // "
        long bytes = 0;
        long chars = 0;
        while (i < b.length) {
            int c = b[i++] & 0xff;
            if (c == '"') {
                if (name && bytes > MAX_NAME_BYTES) {
                    i = start;
                    throw error("a field name of " + bytes + " bytes: at most " + MAX_NAME_BYTES + " are read");
                }
                if (!name && chars > MAX_STRING_CHARS) {
                    i = start;
                    throw error("a string of " + chars + " characters: at most " + MAX_STRING_CHARS + " are read");
                }
                return;
            }
            if (c < 0x20) {
                i--;
                throw error("a control character " + describe(c) + " in a string: it must be escaped");
            }
            bytes++;
            if (c >= 0xF0) {
                chars += 2; // a pair of surrogates
            } else if (c < 0x80 || c >= 0xC0) {
                chars++; // continuation bytes (0x80 to 0xBF) add no character
            }
            if (c == '\\') {
                int e = peek();
                i++;
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    }
                    case 'u' -> {
                        int code = 0;
                        for (int k = 0; k < 4; k++) {
                            int h = peek();
                            int digit = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                            if (digit < 0) {
                                throw error("a \\u escape needs four hexadecimal digits");
                            }
                            code = code * 16 + digit;
                            i++;
                        }
                        bytes += code < 0x80 ? 0 : code < 0x800 ? 1 : 2; // its UTF-8 form, one byte of which is counted
                    }
                    default -> {
                        i--;
                        throw error(e == -1 ? "unexpected end of input in a string" : "unknown escape \\" + (char) e + " in a string");
                    }
                }
            }
        }
        throw error("unexpected end of input in a string: '\"' is missing");
    }

    private void number() throws IOException {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        int digitsFrom = i;
        int c = peek();
        if (c == '0') {
            i++;
            if (isDigit(peek())) {
                throw error("a number with a leading zero");
            }
        } else if (isDigit(c)) {
            while (isDigit(peek())) {
                i++;
            }
        } else {
            throw error("expected a digit in a number");
        }
        int intDigits = i - digitsFrom;
        int otherDigits = 0;
        if (peek() == '.') {
            i++;
            int from = i;
            if (!isDigit(peek())) {
                throw error("expected a digit after the decimal point");
            }
            while (isDigit(peek())) {
                i++;
            }
            otherDigits += i - from;
        }
        boolean fraction = otherDigits > 0;
        if (peek() == 'e' || peek() == 'E') {
            fraction = true;
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in the exponent");
            }
            int from = i;
            while (isDigit(peek())) {
                i++;
            }
            otherDigits += i - from;
        }
        if ((fraction ? intDigits + otherDigits : intDigits) > MAX_NUMBER_DIGITS) {
            i = start;
            throw error("a number of more than " + MAX_NUMBER_DIGITS + " digits");
        }
        // what may follow a number: the end of its container, a comma, a blank (else "1x" would pass as 1)
        int next = peek();
        if (!(next == -1 || next == ',' || next == ']' || next == '}' || isBlank(next))) {
            throw error("unexpected character " + describe(next) + " after a number");
        }
    }

    private void literal(String word) throws IOException {
        for (int k = 0; k < word.length(); k++) {
            if (peek() != word.charAt(k)) {
                throw error("unrecognized token: expected " + word);
            }
            i++;
        }
        int next = peek();
        if (!(next == -1 || next == ',' || next == ']' || next == '}' || isBlank(next))) {
            throw error("unrecognized token: expected " + word);
        }
    }

    private void skipBlank() {
        while (i < b.length && isBlank(b[i])) {
            i++;
        }
    }

    private int peek() {
        return i < b.length ? b[i] & 0xff : -1;
    }

    private static boolean isBlank(int c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(int c) {
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02X", c);
    }

    private IOException error(String what) {
        return new IOException(what + " (at byte " + i + ")");
    }
}
