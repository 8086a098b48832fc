package io.mlcatalog.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A GraphQL answer reduced, with a streaming parser, to what the benchmark checks: the scalar values at
 * each path (arrays appear as {@code [0]} for their first element only) and the length of each array at
 * its first occurrence. For example {@code data.lineage.nodes[0].id} and {@code data.lineage.nodes} (a
 * count).
 */
final class JsonSummary {
    private static final JsonFactory JSON = new JsonFactory();

    final Map<String, String> values = new HashMap<>();
    final Map<String, Integer> lengths = new HashMap<>();
    String problem;

    String value(String path) {
        return values.get(path);
    }

    int length(String path) {
        return lengths.getOrDefault(path, -1);
    }

    boolean hasErrors() {
        return lengths.containsKey("errors") || values.keySet().stream().anyMatch(k -> k.startsWith("errors"));
    }

    static JsonSummary of(byte[] body, int length) {
        JsonSummary s = new JsonSummary();
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                s.problem = "the body is not a JSON object";
                return s;
            }
            s.object(p, "", true);
        } catch (IOException e) {
            s.problem = "the body is not valid JSON: " + e.getMessage();
        }
        return s;
    }

    /** Reads an object whose START_OBJECT was just read. {@code record}: whether this element's scalars are kept. */
    private void object(JsonParser p, String path, boolean record) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            value(p, t, path.isEmpty() ? name : path + "." + name, record);
        }
    }

    private void value(JsonParser p, JsonToken t, String path, boolean record) throws IOException {
        switch (t) {
            case START_OBJECT -> object(p, path, record);
            case START_ARRAY -> {
                int n = 0;
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    value(p, e, path + "[0]", record && n == 0);
                    n++;
                }
                if (record) {
                    lengths.putIfAbsent(path, n);
                }
            }
            default -> {
                if (record) {
                    values.putIfAbsent(path, t == JsonToken.VALUE_NULL ? null : p.getText());
                }
            }
        }
    }
}
