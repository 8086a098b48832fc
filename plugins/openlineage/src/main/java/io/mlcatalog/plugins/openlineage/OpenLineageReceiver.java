package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.spi.IngestReceiver;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.ReceivedRequest;
import io.mlcatalog.spi.ReceiverContext;
import io.mlcatalog.spi.ReceiverResponse;
import io.mlcatalog.spi.RecordWriter;
import io.mlcatalog.spi.record.MetadataRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/v1/lineage} (and {@code /ingest/<instance>/}): one event per request, answered 201, or
 * a batch (a JSON array, or newline-delimited JSON) answered with a status per event, so that one bad
 * event does not sink a batch and a client can send again only what failed. A refused event (malformed
 * JSON, a required field missing, a run id that is no UUID) is answered 400 with the JSON path of the
 * problem, and nothing of it is written.
 */
final class OpenLineageReceiver implements IngestReceiver {
    /** Events of a batch written per transaction: short transactions, few round trips. */
    static final int EVENTS_PER_TRANSACTION = 100;

    private final ReceiverContext context;
    private final int maxEventBytes;
    private final int maxBatchEvents;
    // a body is one JSON text: "{…} garbage" is malformed, not an event followed by something to ignore
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Reads one element of an array, the parser left on its last token (the rest of the array follows). */
    private final com.fasterxml.jackson.databind.ObjectReader element = json.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final EventParser parser = new EventParser(json);
    private final EventMapper mapper = new EventMapper();

    OpenLineageReceiver(ReceiverContext context, int maxEventBytes, int maxBatchEvents) {
        this.context = context;
        this.maxEventBytes = maxEventBytes;
        this.maxBatchEvents = maxBatchEvents;
    }

    /** The answer and the records depend on the request alone: it may be stored and replayed (acknowledge: queued). */
    @Override
    public boolean replayable() {
        return true;
    }

    @Override
    public ReceiverResponse handle(ReceivedRequest request, RecordWriter writer) throws Exception {
        if (!request.path().equals("/") && !request.path().equals("/batch")) {
            return error(404, "no such endpoint: POST OpenLineage events to /api/v1/lineage", null);
        }
        if (!request.method().equals("POST")) {
            return error(405, "send OpenLineage events with POST", null);
        }
        if (!Utf8.isWellFormed(request.body())) {
            return error(400, "the body is not valid UTF-8", "$");
        }
        String body = new String(request.body(), StandardCharsets.UTF_8);
        String contentType = request.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        String trimmed = body.stripLeading();
        if (contentType.contains("ndjson") || contentType.contains("jsonl") || contentType.contains("json-seq") || severalTexts(body)) {
            List<String> lines = java.util.Arrays.stream(body.split("\n")).filter(l -> !l.isBlank()).toList();
            return batch(lines.size(), ndjson(lines), request.body().length, writer);
        }
        if (trimmed.startsWith("[")) {
            int count;
            try {
                count = countArray(body);
            } catch (JsonProcessingException e) {
                return error(400, "malformed JSON: " + e.getOriginalMessage(), "$");
            } catch (java.io.IOException e) {
                return error(400, "malformed JSON: " + e.getMessage(), "$");
            }
            return batch(count, arrayElements(body), request.body().length, writer);
        }
        return single(body, request.body().length, writer);
    }

    /**
     * Whether the body holds more than one JSON text: newline-delimited events sent as application/json
     * (clients are not careful with the type), to be read as the batch they are, not as their first event
     * with the rest dropped.
     */
    private boolean severalTexts(String body) {
        if (body.indexOf('\n') < 0) {
            return false;
        }
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() != null;
        } catch (java.io.IOException malformed) {
            return false; // the single-event path says what is wrong with it
        }
    }

    private ReceiverResponse single(String body, int bytes, RecordWriter writer) {
        if (bytes > maxEventBytes) {
            return error(413, "the event has " + bytes + " bytes; at most " + maxEventBytes + " are accepted", "$");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            return error(400, "malformed JSON: " + e.getOriginalMessage(), "$");
        }
        if (node == null) {
            return error(400, "the body is empty: send one OpenLineage event", "$");
        }
        Event event;
        try {
            event = parser.parse(node);
        } catch (EventError e) {
            return error(400, e.getMessage(), e.path());
        }
        try {
            writer.write(mapper.records(event));
        } catch (InvalidRecordException e) {
            return error(400, e.getMessage(), path(e.field()));
        }
        return ReceiverResponse.json(201, "{\"status\":\"accepted\"}");
    }

    /** One event of a batch: its position, its JSON, or why it could not even be read. */
    private record Candidate(int index, JsonNode node, String unreadable) {
    }

    /**
     * The events of an array, one at a time: a batch is read, checked and written a chunk at a time, never held
     * whole as a tree (a 32 MiB batch would be some hundreds of MiB of it). {@link #countArray} has read it through
     * before, so it is well-formed.
     */
    private Iterator<Candidate> arrayElements(String body) throws java.io.IOException {
        JsonParser p = json.createParser(body);
        p.nextToken(); // [
        return new Iterator<>() {
            int index;
            JsonToken next = p.nextToken();

            @Override
            public boolean hasNext() {
                return next != null && next != JsonToken.END_ARRAY;
            }

            @Override
            public Candidate next() {
                try {
                    JsonNode node = element.readValue(p);
                    next = p.nextToken();
                    return new Candidate(index++, node, null);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * The number of values of a JSON array, read through without building them: a malformed body, or one with
     * more after the array, is refused whole before anything of it is written.
     */
    private int countArray(String body) throws java.io.IOException {
        try (JsonParser p = json.createParser(body)) {
            p.nextToken(); // [
            int count = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    throw new java.io.IOException("the array is not closed: ']' is missing");
                }
                p.skipChildren();
                count++;
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new java.io.IOException("a JSON value follows the array (" + after + "): send one array of events");
            }
            return count;
        }
    }

    /** The events of newline-delimited JSON, one line at a time. */
    private Iterator<Candidate> ndjson(List<String> lines) {
        Iterator<String> it = lines.iterator();
        return new Iterator<>() {
            int index;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Candidate next() {
                String line = it.next();
                int at = index++;
                try {
                    return new Candidate(at, json.readTree(line), null);
                } catch (JsonProcessingException e) {
                    return new Candidate(at, null, "malformed JSON: " + e.getOriginalMessage());
                }
            }
        };
    }

    private ReceiverResponse batch(int count, Iterator<Candidate> candidates, int bodyBytes, RecordWriter writer)
            throws JsonProcessingException {
        if (count > maxBatchEvents) {
            return error(413, "the batch has " + count + " events; at most " + maxBatchEvents + " are accepted", "$");
        }
        ObjectNode[] results = new ObjectNode[count];
        List<Parsed> chunk = new ArrayList<>();
        while (candidates.hasNext()) {
            Candidate c;
            try {
                c = candidates.next();
            } catch (java.io.UncheckedIOException unreadable) {
                // read through once already, yet a value fails when built (a string over the parser's limits): it and the
                // rest of the array are refused, what came before is written
                java.util.Set<Integer> pending = new java.util.HashSet<>();
                chunk.forEach(p -> pending.add(p.index()));
                for (int i = 0; i < count; i++) {
                    if (results[i] == null && !pending.contains(i)) {
                        results[i] = rejected(i, "unreadable: " + unreadable.getCause().getMessage(), "$");
                    }
                }
                break;
            }
            if (c.unreadable() != null) {
                results[c.index()] = rejected(c.index(), c.unreadable(), "$");
                continue;
            }
            // no event of a body within the limit can be over it: the events are measured (written out again) only otherwise
            if (c.node() != null && bodyBytes > maxEventBytes && json.writeValueAsBytes(c.node()).length > maxEventBytes) {
                results[c.index()] = rejected(c.index(), "the event is larger than " + maxEventBytes + " bytes", "$");
                continue;
            }
            try {
                chunk.add(new Parsed(c.index(), mapper.records(parser.parse(c.node()))));
            } catch (EventError e) {
                results[c.index()] = rejected(c.index(), e.getMessage(), e.path());
            }
            if (chunk.size() == EVENTS_PER_TRANSACTION) {
                write(chunk, writer, results);
                chunk = new ArrayList<>();
            }
        }
        if (!chunk.isEmpty()) {
            write(chunk, writer, results);
        }
        ArrayNode events = json.createArrayNode();
        int accepted = 0;
        for (ObjectNode r : results) {
            events.add(r);
            accepted += "accepted".equals(r.path("status").asText()) ? 1 : 0;
        }
        ObjectNode body = json.createObjectNode();
        body.put("accepted", accepted);
        body.put("rejected", results.length - accepted);
        body.set("events", events);
        return ReceiverResponse.json(200, json.writeValueAsString(body));
    }

    private record Parsed(int index, List<MetadataRecord> records) {
    }

    /**
     * Writes a chunk of events in one transaction. A record the catalog refuses refuses its event: that
     * event is marked and the rest of the chunk is written again without it.
     */
    private void write(List<Parsed> chunk, RecordWriter writer, ObjectNode[] results) {
        List<Parsed> remaining = new ArrayList<>(chunk);
        while (!remaining.isEmpty()) {
            List<MetadataRecord> records = new ArrayList<>();
            List<Parsed> owners = new ArrayList<>();
            for (Parsed p : remaining) {
                for (MetadataRecord r : p.records()) {
                    records.add(r);
                    owners.add(p);
                }
            }
            try {
                writer.write(records);
                remaining.forEach(p -> results[p.index()] = accepted(p.index()));
                return;
            } catch (InvalidRecordException e) {
                Parsed bad = owners.get(e.index());
                results[bad.index()] = rejected(bad.index(), e.getMessage(), path(e.field()));
                remaining.remove(bad);
            }
        }
    }

    /** The JSON path in the event of a record's field the catalog refused. */
    static String path(String field) {
        if (field == null) {
            return "$";
        }
        String f = field.replaceFirst("^run\\.", "");
        if (f.startsWith("inputs[") || f.startsWith("outputs[")) {
            return "$." + f.replaceFirst("\\]\\..*", "]");
        }
        return switch (f) {
            case "name", "pipeline" -> "$.job.name";
            case "namespace" -> "$.job.namespace";
            case "externalId" -> "$.run.runId";
            case "facets" -> "$.run.facets";
            case "jobFacets" -> "$.job.facets";
            default -> "$";
        };
    }

    private ObjectNode accepted(int index) {
        ObjectNode n = json.createObjectNode();
        n.put("index", index);
        n.put("status", "accepted");
        return n;
    }

    private ObjectNode rejected(int index, String reason, String path) {
        ObjectNode n = json.createObjectNode();
        n.put("index", index);
        n.put("status", "rejected");
        n.put("error", reason);
        n.put("path", path);
        return n;
    }

    private ReceiverResponse error(int status, String message, String path) {
        ObjectNode n = json.createObjectNode();
        n.put("error", message);
        if (path != null) {
            n.put("path", path);
        }
        return ReceiverResponse.json(status, n.toString());
    }
}
