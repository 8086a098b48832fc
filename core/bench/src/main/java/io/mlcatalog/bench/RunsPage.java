package io.mlcatalog.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * Checks an answer to the runs query with a streaming parser (cheap: the client shares the CPUs with
 * the server): no top-level {@code errors}, and {@code data.runs.edges} holds the expected number of
 * edges, each with a node that has an id.
 */
final class RunsPage {
    private static final JsonFactory JSON = new JsonFactory();

    private RunsPage() {
    }

    /** Null when the answer is right, else what is wrong with it. */
    static String problem(byte[] body, int length, int expectedEdges) {
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "the body is not a JSON object";
            }
            int edges = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("errors")) {
                    return "errors in the answer: " + excerpt(body, length);
                } else if (field.equals("data") && value == JsonToken.START_OBJECT) {
                    edges = edges(p);
                    if (edges < -1) {
                        return "an edge without a node, or a node without an id";
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (edges == -1) {
                return "no data.runs.edges in the answer: " + excerpt(body, length);
            }
            if (edges != expectedEdges) {
                return edges + " edges instead of " + expectedEdges;
            }
            return null;
        } catch (IOException e) {
            return "the body is not valid JSON: " + e.getMessage();
        }
    }

    /** Inside {@code data}: the number of edges of {@code runs}, -1 if absent, -2 if an edge is wrong. */
    private static int edges(JsonParser p) throws IOException {
        int edges = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("runs") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken v = p.nextToken();
                    if (f.equals("edges") && v == JsonToken.START_ARRAY) {
                        edges = 0;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            if (!edgeHasNode(p)) {
                                return -2;
                            }
                            edges++;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return edges;
    }

    /** Reads one edge object to its end: whether its node is an object with a non-empty id. */
    private static boolean edgeHasNode(JsonParser p) throws IOException {
        boolean ok = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("node") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken v = p.nextToken();
                    if (f.equals("id") && v == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
                        ok = true;
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return ok;
    }

    static String excerpt(byte[] body, int length) {
        String s = new String(body, 0, Math.min(length, 300), java.nio.charset.StandardCharsets.UTF_8);
        return length > 300 ? s + "…" : s;
    }
}
