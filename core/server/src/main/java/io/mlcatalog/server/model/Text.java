package io.mlcatalog.server.model;

import java.nio.charset.StandardCharsets;

/**
 * Checks on the text clients send. PostgreSQL cannot store NUL nor unpaired surrogates, and names
 * end up in btree keys with a size limit, so both are refused here with the field's path instead of
 * failing deep in a statement.
 */
public final class Text {
    public static final int NAME_BYTES = 512;
    public static final int SHORT_NAME_BYTES = 256;
    public static final int URI_BYTES = 2048;
    public static final int FREE_TEXT_BYTES = 65_536;

    private Text() {
    }

    /** A required name: not blank, no control characters, at most {@code maxBytes} of UTF-8. */
    public static String name(String field, String value, int maxBytes) {
        if (value == null) {
            throw CatalogException.badInput(field, field + " is required");
        }
        String v = value.strip();
        if (v.isEmpty()) {
            throw CatalogException.badInput(field, field + " must not be blank");
        }
        checkCharacters(field, v, false);
        checkLength(field, v, maxBytes);
        return v;
    }

    /** An optional name; blank counts as absent. */
    public static String optionalName(String field, String value, int maxBytes) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return name(field, value, maxBytes);
    }

    /** Optional free text (descriptions, messages): newlines and tabs allowed. */
    public static String freeText(String field, String value) {
        return freeText(field, value, FREE_TEXT_BYTES);
    }

    /** Optional free text of at most {@code maxBytes} of UTF-8. */
    public static String freeText(String field, String value, int maxBytes) {
        if (value == null) {
            return null;
        }
        checkCharacters(field, value, true);
        checkLength(field, value, maxBytes);
        return value;
    }

    /** Checks a string inside a JSON value: any character PostgreSQL's jsonb can hold. */
    public static void jsonString(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw CatalogException.badInput(field, field + " contains a NUL character (\\u0000), which cannot be stored");
            }
            i = checkSurrogate(field, value, i);
        }
    }

    static void checkLength(String field, String value, int maxBytes) {
        // cheap bound first: a UTF-8 char is at most 3 bytes per UTF-16 unit
        if (value.length() * 3 > maxBytes && value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw CatalogException.badInput(field, field + " is too long: at most " + maxBytes + " bytes of UTF-8, got "
                    + value.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    private static void checkCharacters(String field, String value, boolean allowLineBreaks) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw CatalogException.badInput(field, field + " contains a NUL character (U+0000) at position " + i
                        + ", which cannot be stored");
            }
            if (Character.isISOControl(c) && !(allowLineBreaks && (c == '\n' || c == '\r' || c == '\t'))) {
                throw CatalogException.badInput(field, field + " contains a control character (U+"
                        + String.format("%04X", (int) c) + ") at position " + i);
            }
            i = checkSurrogate(field, value, i);
        }
    }

    private static int checkSurrogate(String field, String value, int i) {
        char c = value.charAt(i);
        if (Character.isHighSurrogate(c)) {
            if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                return i + 1;
            }
            throw CatalogException.badInput(field, field + " is not valid Unicode (unpaired surrogate at position " + i + ")");
        }
        if (Character.isLowSurrogate(c)) {
            throw CatalogException.badInput(field, field + " is not valid Unicode (unpaired surrogate at position " + i + ")");
        }
        return i;
    }

    /** A short excerpt of a client's value for an error message. */
    public static String excerpt(String s) {
        if (s == null) {
            return "null";
        }
        String cleaned = s.replaceAll("\\p{Cntrl}", "?");
        if (cleaned.length() <= 60) {
            return cleaned;
        }
        // never half a surrogate pair: the excerpt goes into a JSON error message
        int end = Character.isHighSurrogate(cleaned.charAt(59)) ? 59 : 60;
        return cleaned.substring(0, end) + "…";
    }
}
