package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.spi.IngestReceiver;
import io.mlcatalog.spi.ForbiddenRecordException;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.ReceivedRequest;
import io.mlcatalog.spi.ReceiverContext;
import io.mlcatalog.spi.ReceiverResponse;
import io.mlcatalog.spi.RecordWriter;
import io.mlcatalog.spi.record.MetadataRecord;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/v1/lineage} (and {@code /ingest/<instance>/}): one event per request, answered 201, or
 * a batch (a JSON array, or newline-delimited JSON) answered with a status per event, so that one bad
 * event does not sink a batch and a client can send again only what failed. A refused event (malformed
 * JSON, a required field missing or of the wrong type) is answered 400 with the JSON path of the problem,
 * and nothing of it is written.
 */
final class OpenLineageReceiver implements IngestReceiver {
    /** Events of a batch written per transaction: short transactions, few round trips. */
    static final int EVENTS_PER_TRANSACTION = 100;

    private final ReceiverContext context;
    private final int maxEventBytes;
    private final int maxBatchEvents;
    private final ObjectMapper json = new ObjectMapper();
    private final EventParser parser;
    private final EventMapper mapper;

    OpenLineageReceiver(ReceiverContext context, int maxEventBytes, int maxBatchEvents, boolean requireUuidRunIds) {
        this.context = context;
        this.maxEventBytes = maxEventBytes;
        this.maxBatchEvents = maxBatchEvents;
        this.parser = new EventParser(requireUuidRunIds);
        this.mapper = new EventMapper(requireUuidRunIds);
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
        byte[] body = request.body();
        switch (Utf8.checkJsonText(body)) {
            case NOT_UTF8 -> {
                return error(400, "the body is not valid UTF-8", "$");
            }
            case NUL -> {
                // JSON in UTF-8 has none; a parser reading bytes would take the body for UTF-16 or UTF-32
                return error(400, "the body holds a NUL byte: send JSON in UTF-8 (not UTF-16 or UTF-32)", "$");
            }
            default -> {
            }
        }
        // parsed from the bytes as they came (checked well-formed above): no String copy of a body of megabytes
        String contentType = request.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        boolean ndjson = contentType.contains("ndjson") || contentType.contains("jsonl") || contentType.contains("json-seq");
        // an array is one JSON text; anything else with a line break may be several, newline-delimited events
        if (ndjson || (firstNonBlank(body) != '[' && severalTexts(body))) {
            List<int[]> lines = lines(body);
            return batch(lines.size(), ndjson(body, lines), writer);
        }
        if (firstNonBlank(body) == '[') {
            ArrayScanner.Values values;
            try {
                // read through before any of it is written: a malformed array is refused whole
                values = ArrayScanner.scan(body);
            } catch (java.io.IOException e) {
                return error(400, "malformed JSON: " + e.getMessage(), "$");
            }
            return batch(values.count(), arrayElements(body, values), writer);
        }
        return single(body, writer);
    }

    /** The first byte that is not blank, after a byte order mark if there is one; -1 for none. */
    private static int firstNonBlank(byte[] body) {
        boolean bom = body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF;
        for (int i = bom ? 3 : 0; i < body.length; i++) {
            if (!blank(body[i])) {
                return body[i];
            }
        }
        return -1;
    }

    private static boolean blank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** The lines of newline-delimited JSON that are not blank, as {offset, length}. */
    private static List<int[]> lines(byte[] body) {
        List<int[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                boolean blankLine = true;
                for (int j = start; j < i && blankLine; j++) {
                    blankLine = blank(body[j]);
                }
                if (!blankLine) {
                    lines.add(new int[]{start, i - start});
                }
                start = i + 1;
            }
        }
        return lines;
    }

    /**
     * Whether the body holds more than one JSON text: newline-delimited events sent as application/json
     * (clients are not careful with the type), to be read as the batch they are, not as their first event
     * with the rest dropped.
     */
    private boolean severalTexts(byte[] body) {
        if (!contains(body, (byte) '\n')) {
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

    private static boolean contains(byte[] body, byte b) {
        for (byte x : body) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }

    private ReceiverResponse single(byte[] body, RecordWriter writer) {
        if (body.length > maxEventBytes) {
            return error(413, "the event has " + body.length + " bytes; at most " + maxEventBytes + " are accepted", "$");
        }
        if (firstNonBlank(body) == -1) {
            return error(400, "the body is empty: send one OpenLineage event", "$");
        }
        Object value;
        try {
            value = readEvent(body, 0, body.length);
        } catch (java.io.IOException e) {
            return error(400, malformed(e), "$");
        }
        Event event;
        try {
            event = parser.parse(value);
        } catch (EventError e) {
            return error(400, e.getMessage(), e.path());
        }
        try {
            writer.write(mapper.records(event));
        } catch (InvalidRecordException e) {
            // 403: the sender may not write in the event's namespace; 400: the event is wrong in itself
            return error(e instanceof ForbiddenRecordException ? 403 : 400, e.getMessage(), path(e.field()));
        }
        if (event.warnings().isEmpty()) {
            return ReceiverResponse.json(201, "{\"status\":\"accepted\"}");
        }
        ObjectNode accepted = json.createObjectNode();
        accepted.put("status", "accepted");
        warn(accepted, event.warnings());
        return ReceiverResponse.json(201, accepted.toString());
    }

    /** One event of a batch: its position, and its value as read or why it could not be read. */
    private record Candidate(int index, Object value, String unreadable) {
    }

    /**
     * The events of an array, one at a time, each read by a parser of its own from where the scan found it: a batch is
     * read, checked and written a chunk at a time, never held whole (a 32 MiB batch would be some hundreds of MiB of
     * maps); an event over the size limit is refused without being read; one a parser's limits refuse costs only itself.
     */
    private Iterator<Candidate> arrayElements(byte[] body, ArrayScanner.Values values) {
        return new Iterator<>() {
            int index;

            @Override
            public boolean hasNext() {
                return index < values.count();
            }

            @Override
            public Candidate next() {
                int at = index++;
                return read(body, values.starts()[at], values.bytes(at), at);
            }
        };
    }

    /** One event of a batch, at {@code offset} of the body: its value, or why it cannot be read. */
    private Candidate read(byte[] body, int offset, int length, int index) {
        if (length > maxEventBytes) {
            return new Candidate(index, null, "the event has " + length + " bytes; at most " + maxEventBytes + " are accepted");
        }
        try {
            return new Candidate(index, readEvent(body, offset, length), null);
        } catch (java.io.IOException e) {
            return new Candidate(index, null, malformed(e));
        }
    }

    /**
     * The one JSON value of {@code length} bytes at {@code offset}, as {@link EventReader} reads it.
     *
     * @throws java.io.IOException when there is none, more than one, or it is malformed
     */
    private Object readEvent(byte[] body, int offset, int length) throws java.io.IOException {
        try (JsonParser p = json.createParser(body, offset, length)) {
            if (p.nextToken() == null) {
                throw new java.io.IOException("no JSON value");
            }
            Object value = EventReader.read(p);
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new java.io.IOException("a JSON value follows the event (" + after + "): send one event, or a batch as a JSON "
                        + "array or newline-delimited JSON");
            }
            return value;
        }
    }

    private static String malformed(java.io.IOException e) {
        return "malformed JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
    }

    /** The events of newline-delimited JSON, one line at a time. */
    private Iterator<Candidate> ndjson(byte[] body, List<int[]> lines) {
        Iterator<int[]> it = lines.iterator();
        return new Iterator<>() {
            int index;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Candidate next() {
                int[] line = it.next();
                return read(body, line[0], line[1], index++);
            }
        };
    }

    private ReceiverResponse batch(int count, Iterator<Candidate> candidates, RecordWriter writer)
            throws JsonProcessingException {
        if (count > maxBatchEvents) {
            return error(413, "the batch has " + count + " events; at most " + maxBatchEvents + " are accepted", "$");
        }
        ObjectNode[] results = new ObjectNode[count];
        List<Parsed> chunk = new ArrayList<>();
        while (candidates.hasNext()) {
            Candidate c = candidates.next();
            if (c.unreadable() != null) {
                results[c.index()] = rejected(c.index(), c.unreadable(), "$");
                continue;
            }
            try {
                Event event = parser.parse(c.value());
                chunk.add(new Parsed(c.index(), mapper.records(event), event.warnings()));
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

    private record Parsed(int index, List<MetadataRecord> records, List<String> warnings) {
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
                remaining.forEach(p -> results[p.index()] = warn(accepted(p.index()), p.warnings()));
                return;
            } catch (InvalidRecordException e) {
                Parsed bad = owners.get(e.index());
                results[bad.index()] = rejected(bad.index(), e.getMessage(), path(e.field()));
                if (e instanceof ForbiddenRecordException) {
                    results[bad.index()].put("code", "FORBIDDEN");
                }
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

    /** What the catalog assumed to accept an event, told to its sender. */
    private static ObjectNode warn(ObjectNode answer, List<String> warnings) {
        if (!warnings.isEmpty()) {
            warnings.forEach(answer.putArray("warnings")::add);
        }
        return answer;
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
