package io.mlcatalog.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Writes a GraphQL response (maps, lists, strings, numbers, booleans and nulls, as graphql-java completes them)
 * straight into the response buffer with a streaming generator. The same bytes as {@link ObjectMapper#writeValueAsBytes}
 * of the same map: each value goes to the generator call Jackson's own serializer for its type makes, and a value of
 * any other type (a JSON scalar's node, say) is handed to the mapper as it is. Looking up a serializer for each of the
 * thousands of values of a large answer was about a tenth of the server's time on the dashboard queries.
 */
final class ResponseJson {
    private ResponseJson() {
    }

    static Buffer write(ObjectMapper mapper, Object body) throws IOException {
        Buffer buffer = Buffer.buffer(1024);
        try (JsonGenerator g = mapper.getFactory().createGenerator(new BufferOutput(buffer))) {
            value(mapper, g, body);
        }
        return buffer;
    }

    private static void value(ObjectMapper mapper, JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Map<?, ?> map && stringKeys(map)) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName((String) e.getKey());
                value(mapper, g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                value(mapper, g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            mapper.writeValue(g, v);
        }
    }

    /** A map whose keys are all strings (graphql-java's always are); any other is left to the mapper's key serializers. */
    private static boolean stringKeys(Map<?, ?> map) {
        for (Object k : map.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** The generator's output, appended to the buffer the response is sent from (no intermediate byte array). */
    private static final class BufferOutput extends OutputStream {
        private final Buffer buffer;

        BufferOutput(Buffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public void write(int b) {
            buffer.appendByte((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buffer.appendBytes(b, off, len);
        }
    }
}
