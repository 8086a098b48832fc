package io.mlcatalog.testkit.testplugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.spi.IngestReceiver;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.ReceivedRequest;
import io.mlcatalog.spi.ReceiverContext;
import io.mlcatalog.spi.ReceiverFactory;
import io.mlcatalog.spi.ReceiverResponse;
import io.mlcatalog.spi.RecordWriter;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.MetadataRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A receiver that takes {@code POST /ingest/<instance>/artifacts} with
 * {@code {"artifacts": [{"uri": …, "digest": …, "id": …}]}} and records them. It answers 202 with
 * {@code {"written": n}}, 422 with {@code {"rejected": reason}} when the catalog refuses a record
 * (then nothing of the request is written), 400 when the body is not such JSON, and 404 elsewhere.
 * {@code GET /ingest/<instance>/thread} answers the name of the thread that handled it.
 */
public final class JsonReceiver implements IngestReceiver {
    public static final String TYPE = "test-json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String namespace;

    private JsonReceiver(ReceiverContext context) {
        this.namespace = context.config().require("namespace");
    }

    public static final class Factory implements ReceiverFactory {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public List<Setting> settings() {
            return List.of(Setting.optional("namespace", Setting.Type.STRING, "received", "the namespace of the artifacts"));
        }

        @Override
        public IngestReceiver create(ReceiverContext context) {
            return new JsonReceiver(context);
        }
    }

    @Override
    public ReceiverResponse handle(ReceivedRequest request, RecordWriter writer) throws Exception {
        if (request.method().equals("GET") && request.path().equals("/thread")) {
            return ReceiverResponse.json(200, JSON.writeValueAsString(Map.of("thread", Thread.currentThread().getName())));
        }
        if (!request.method().equals("POST") || !request.path().equals("/artifacts")) {
            return ReceiverResponse.json(404, "{\"error\":\"POST /artifacts\"}");
        }
        List<MetadataRecord> records = new ArrayList<>();
        try {
            JsonNode body = JSON.readTree(request.body());
            if (body == null || !body.path("artifacts").isArray()) {
                return ReceiverResponse.json(400, "{\"error\":\"expected {\\\"artifacts\\\": [...]}\"}");
            }
            for (JsonNode a : body.path("artifacts")) {
                records.add(ArtifactRecord.builder(namespace, a.path("uri").asText()).digest(a.path("digest").asText(null))
                        .kind(ArtifactKind.DATASET).externalId(a.path("id").asText(null)).build());
            }
        } catch (IOException e) {
            return ReceiverResponse.json(400, "{\"error\":\"not JSON\"}");
        }
        try {
            writer.write(records);
        } catch (InvalidRecordException e) {
            return ReceiverResponse.json(422, JSON.writeValueAsString(Map.of("rejected", e.getMessage())));
        }
        return ReceiverResponse.json(202, "{\"written\":" + records.size() + "}");
    }
}
