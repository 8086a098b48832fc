package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON value, an event, from a parser straight into plain Java values: maps in field order, lists, strings,
 * booleans, null, whole numbers that fit as Long (the catalog's normal form), larger ones as BigInteger, others as
 * Double. No tree is built on the way: facets go to the catalog as these values, read once.
 *
 * <p>It knows where facets are in an event ({@code run}, {@code job} and {@code dataset} facets; a dataset's of
 * {@code inputs} and {@code outputs}, with their input and output facets): each facet is read against its own bound,
 * and one too large to keep (a huge query plan) is replaced by a note saying how large it was, so that it does not cost
 * its event.
 */
final class EventReader {
    /** A facet with more values than this, or nested deeper, is replaced by a note. */
    static final int MAX_FACET_VALUES = 5_000;
    static final int MAX_FACET_DEPTH = 16;
    /**
     * Outside facets, an object or array nested deeper than this (no field the catalog reads is) is read through and
     * replaced by a note: reading never goes deeper than this in the thread's stack, whatever the parser allows (1,000).
     */
    static final int MAX_PLAIN_DEPTH = 64;

    private enum Role {
        /** The event itself. */
        EVENT,
        /** An object with facets: run, job, dataset. */
        OWNER,
        /** An array of datasets. */
        DATASETS,
        /** An object of named facets. */
        FACETS,
        /** Anything else: read as it is. */
        PLAIN
    }

    private EventReader() {
    }

    /**
     * The value at the parser's current token (which must be the value's first), the parser left on its last token.
     *
     * @throws IOException when the JSON is malformed or over the parser's limits
     */
    static Object read(JsonParser p) throws IOException {
        return read(p, Role.EVENT, 0);
    }

    private static Object read(JsonParser p, Role role, int depth) throws IOException {
        JsonToken t = p.currentToken();
        if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth > MAX_PLAIN_DEPTH) {
            p.skipChildren(); // Jackson reads through without recursion, checking the JSON as it goes
            return Map.of("_mlcatalogDropped", "nested more than " + MAX_PLAIN_DEPTH + " levels deep");
        }
        if (t == JsonToken.START_OBJECT) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                p.nextToken();
                map.put(name, switch (role) {
                    case EVENT -> read(p, switch (name) {
                        case "run", "job", "dataset" -> Role.OWNER;
                        case "inputs", "outputs" -> Role.DATASETS;
                        default -> Role.PLAIN;
                    }, depth + 1);
                    case OWNER -> read(p, switch (name) {
                        case "facets", "inputFacets", "outputFacets" -> Role.FACETS;
                        default -> Role.PLAIN;
                    }, depth + 1);
                    case FACETS -> facet(p);
                    default -> read(p, Role.PLAIN, depth + 1);
                });
            }
            return map;
        }
        if (t == JsonToken.START_ARRAY) {
            List<Object> list = new ArrayList<>();
            Role elements = role == Role.DATASETS ? Role.OWNER : Role.PLAIN;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.add(read(p, elements, depth + 1));
            }
            return list;
        }
        return scalar(p, t);
    }

    private static Object scalar(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new IOException("unexpected end of input: a value is missing");
        }
        return switch (t) {
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + t);
        };
    }

    /** One facet: its value, or, once it has more than MAX_FACET_VALUES values or MAX_FACET_DEPTH levels, a note. */
    private static Object facet(JsonParser p) throws IOException {
        int[] budget = {MAX_FACET_VALUES, 0}; // values still allowed, deepest level seen
        Object value = bounded(p, 0, budget);
        if (value != TOO_LARGE) {
            return value;
        }
        return Map.of("_mlcatalogDropped", "facet too large to keep (" + (MAX_FACET_VALUES - budget[0]) + " values, depth " + budget[1] + ")");
    }

    private static final Object TOO_LARGE = new Object();

    /**
     * The value, or {@link #TOO_LARGE} once over the bounds; the facet is then read through to its end, its values
     * counted and its depth measured (in {@code budget}) for the note.
     */
    private static Object bounded(JsonParser p, int depth, int[] budget) throws IOException {
        budget[0]--;
        budget[1] = Math.max(budget[1], depth);
        if (budget[0] < 0 || depth > MAX_FACET_DEPTH) {
            measureChildren(p, depth, budget);
            return TOO_LARGE;
        }
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                p.nextToken();
                Object v = bounded(p, depth + 1, budget);
                if (v == TOO_LARGE) {
                    measureRest(p, depth, budget);
                    return TOO_LARGE;
                }
                map.put(name, v);
            }
            return map;
        }
        if (t == JsonToken.START_ARRAY) {
            List<Object> list = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                Object v = bounded(p, depth + 1, budget);
                if (v == TOO_LARGE) {
                    measureRest(p, depth, budget);
                    return TOO_LARGE;
                }
                list.add(v);
            }
            return list;
        }
        return scalar(p, t);
    }

    /** Counts what the object or array at the current token (at {@code depth}) holds, reading to its end. */
    private static void measureChildren(JsonParser p, int depth, int[] budget) throws IOException {
        if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
            measureRest(p, depth, budget);
        }
    }

    /**
     * Counts the values left in the object or array (at {@code depth}) the parser is in, reading to its end: with a
     * count of levels, not recursion (a facet may be nested as deep as the parser allows).
     */
    private static void measureRest(JsonParser p, int depth, int[] budget) throws IOException {
        int level = depth; // of the object or array the parser is in
        for (JsonToken t = p.nextToken(); ; t = p.nextToken()) {
            if (t == null) {
                throw new IOException("unexpected end of input");
            }
            if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                if (level == depth) {
                    return;
                }
                level--;
            } else if (t != JsonToken.FIELD_NAME) {
                budget[0]--;
                budget[1] = Math.max(budget[1], level + 1);
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    level++;
                }
            }
        }
    }
}
