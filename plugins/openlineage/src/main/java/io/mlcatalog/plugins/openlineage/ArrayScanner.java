package io.mlcatalog.plugins.openlineage;

import java.io.IOException;

/**
 * Counts the values of a JSON array and checks, on the way, that the whole text is well-formed JSON (RFC 8259, as
 * strict as Jackson's defaults: no comments, trailing commas, leading zeros, NaN or unescaped control characters; at
 * most 1,000 levels of nesting), without building or even decoding anything.
 *
 * <p>A batch is read through like this before any of it is written: a malformed body is refused whole, at about a
 * third of what a tokenizer's pass costs (which canonicalizes every field name). The bytes must be well-formed UTF-8,
 * checked before; a leading byte order mark is skipped, as Jackson does.
 */
final class ArrayScanner {
    /** As Jackson's default {@code StreamReadConstraints}: the array itself is the first level. */
    static final int MAX_DEPTH = 1_000;

    private final byte[] b;
    private int i;

    private ArrayScanner(byte[] b) {
        this.b = b;
    }

    /**
     * The number of values of the array the bytes hold.
     *
     * @throws IOException naming what is wrong and where, when the bytes are not one well-formed JSON array
     */
    static int count(byte[] bytes) throws IOException {
        return new ArrayScanner(bytes).array();
    }

    private int array() throws IOException {
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            i = 3;
        }
        skipBlank();
        if (peek() != '[') {
            throw error("expected '['");
        }
        i++;
        int count = 0;
        skipBlank();
        if (peek() == ']') {
            i++;
        } else {
            while (true) {
                value(2);
                count++;
                skipBlank();
                int c = peek();
                i++;
                if (c == ']') {
                    break;
                }
                if (c == -1) {
                    throw error("the array is not closed: ']' is missing");
                }
                if (c != ',') {
                    i--;
                    throw error("expected ',' or ']' after a value of the array");
                }
                skipBlank();
            }
        }
        skipBlank();
        if (i < b.length) {
            throw error("a JSON value follows the array: send one array of events");
        }
        return count;
    }

    /** One value, starting at {@code i} (no blank before it), at nesting level {@code depth} if it is an object or array. */
    private void value(int depth) throws IOException {
        int c = peek();
        switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
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

    private void object(int depth) throws IOException {
        checkDepth(depth);
        i++; // {
        skipBlank();
        if (peek() == '}') {
            i++;
            return;
        }
        while (true) {
            if (peek() != '"') {
                throw error(peek() == -1 ? "unexpected end of input in an object" : "expected a field name in double quotes");
            }
            string();
            skipBlank();
            if (peek() != ':') {
                throw error("expected ':' after a field name");
            }
            i++;
            skipBlank();
            value(depth + 1);
            skipBlank();
            int c = peek();
            if (c == '}') {
                i++;
                return;
            }
            if (c != ',') {
                throw error(c == -1 ? "unexpected end of input in an object" : "expected ',' or '}' after a field's value");
            }
            i++;
            skipBlank();
        }
    }

    private void array(int depth) throws IOException {
        checkDepth(depth);
        i++; // [
        skipBlank();
        if (peek() == ']') {
            i++;
            return;
        }
        while (true) {
            value(depth + 1);
            skipBlank();
            int c = peek();
            if (c == ']') {
                i++;
                return;
            }
            if (c != ',') {
                throw error(c == -1 ? "unexpected end of input in an array" : "expected ',' or ']' after a value of an array");
            }
            i++;
            skipBlank();
        }
    }

    private void checkDepth(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
    }

    private void string() throws IOException {
        i++; // "
        while (i < b.length) {
            int c = b[i++] & 0xff;
            if (c == '"') {
                return;
            }
            if (c < 0x20) {
                i--;
                throw error("a control character " + describe(c) + " in a string: it must be escaped");
            }
            if (c == '\\') {
                int e = peek();
                i++;
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    }
                    case 'u' -> {
                        for (int k = 0; k < 4; k++) {
                            int h = peek();
                            if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                                throw error("a \\u escape needs four hexadecimal digits");
                            }
                            i++;
                        }
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
        if (peek() == '-') {
            i++;
        }
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
        if (peek() == '.') {
            i++;
            if (!isDigit(peek())) {
                throw error("expected a digit after the decimal point");
            }
            while (isDigit(peek())) {
                i++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in the exponent");
            }
            while (isDigit(peek())) {
                i++;
            }
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
