package io.mlcatalog.plugins.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.spi.IngestReceiver;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.ReceivedRequest;
import io.mlcatalog.spi.ReceiverContext;
import io.mlcatalog.spi.ReceiverResponse;
import io.mlcatalog.spi.RecordWriter;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * {@code POST /ingest/<instance>/}: one deployment event per request, in the documented shape or as
 * GitHub's {@code deployment_status} (told apart by the {@code X-GitHub-Event} header), written in one
 * transaction. Answers 200 with what was done ({@code recorded}, or {@code ignored} and why), 400 with
 * the field at fault for an event it refuses (nothing of it is written), 401 when the instance has a
 * secret and the request is not signed with it.
 */
final class DeploymentWebhook implements IngestReceiver {
    private static final Set<String> NOTHING_TO_END = Set.of("target", "model", "version");

    private final ReceiverContext context;
    private final String namespace;
    private final Signature signature;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    DeploymentWebhook(ReceiverContext context, String namespace, Signature signature) {
        this.context = context;
        this.namespace = namespace;
        this.signature = signature;
    }

    @Override
    public ReceiverResponse handle(ReceivedRequest request, RecordWriter writer) throws Exception {
        if (!request.path().equals("/")) {
            return error(404, "no such endpoint: POST deployment events to /ingest/" + context.instance() + "/", null);
        }
        if (!request.method().equals("POST")) {
            return error(405, "send deployment events with POST", null);
        }
        if (signature != null && !signature.matches(request.body(), request.header(Signature.HEADER).orElse(null))) {
            return error(401, request.header(Signature.HEADER).isEmpty()
                    ? "the request is not signed: send " + Signature.HEADER + ": sha256=<HMAC-SHA256 of the body with the shared secret, hex>"
                    : "the signature does not match the body (" + Signature.HEADER + ": sha256=<HMAC-SHA256 of the body with the shared secret>)",
                    null);
        }
        JsonNode body;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(request.body())).toString();
            body = json.readTree(text);
        } catch (CharacterCodingException e) {
            return error(400, "the body is not valid UTF-8", null);
        } catch (JsonProcessingException e) {
            return error(400, "malformed JSON: " + e.getOriginalMessage(), null);
        }
        String github = request.header("X-GitHub-Event").orElse(null);
        DeploymentEvent event;
        try {
            if (github == null) {
                event = DeploymentEvent.documented(body, namespace);
            } else if (github.equals("ping")) {
                return ReceiverResponse.json(200, "{\"status\":\"pong\"}");
            } else if (!github.equals("deployment_status")) {
                return ignored("GitHub's '" + github + "' events are not recorded: send deployment_status events only");
            } else {
                event = DeploymentEvent.github(body, namespace, json);
                if (event == null) {
                    return ignored("deployment_status '" + body.path("deployment_status").path("state").asText()
                            + "' records nothing: success starts a deployment, inactive ends it, failure and error end it as failed");
                }
            }
        } catch (EventError e) {
            return error(400, e.getMessage(), e.field());
        }
        try {
            writer.write(event.records(context.clock().instant()));
        } catch (InvalidRecordException e) {
            boolean nothingToEnd = event.ends() && e.field() != null && NOTHING_TO_END.contains(e.field());
            if (nothingToEnd && (event.action() == DeploymentEvent.Action.FAILED || github != null)) {
                // a deployment that failed before it served (or GitHub marking one inactive that was never recorded)
                return ignored("nothing to end: " + reason(e));
            }
            return error(e instanceof io.mlcatalog.spi.ForbiddenRecordException ? 403 : 400, reason(e), event.field(e.field()));
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("status", "recorded");
        answer.put("action", event.action().name().toLowerCase(java.util.Locale.ROOT));
        return ReceiverResponse.json(200, answer.toString());
    }

    /** With a secret configured, every request is checked against its signature here. */
    @Override
    public boolean authenticatesRequests() {
        return signature != null;
    }

    /** The catalog's reason, without the record's position (the request is one event). */
    private static String reason(InvalidRecordException e) {
        String m = e.getMessage();
        int colon = m.indexOf("Record: ");
        return colon >= 0 ? m.substring(colon + "Record: ".length()) : m;
    }

    private ReceiverResponse ignored(String reason) {
        ObjectNode n = json.createObjectNode();
        n.put("status", "ignored");
        n.put("reason", reason);
        return ReceiverResponse.json(200, n.toString());
    }

    private ReceiverResponse error(int status, String message, String field) {
        ObjectNode n = json.createObjectNode();
        n.put("error", message);
        if (field != null) {
            n.put("field", field);
        }
        return ReceiverResponse.json(status, n.toString());
    }
}
