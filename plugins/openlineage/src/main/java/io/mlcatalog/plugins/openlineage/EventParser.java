package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checks an event against what the OpenLineage spec (2-0-x) requires, naming the JSON path of the first
 * problem: {@code eventTime}, {@code producer}, and for a run event {@code run.runId} (a UUID),
 * {@code job.namespace} and {@code job.name}; {@code eventType}, when present, one of the spec's.
 */
final class EventParser {
    static final Set<String> EVENT_TYPES = Set.of("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER");

    private final ObjectMapper json;

    EventParser(ObjectMapper json) {
        this.json = json;
    }

    Event parse(JsonNode e) throws EventError {
        if (e == null || !e.isObject()) {
            throw new EventError("$", "an event is a JSON object");
        }
        Instant eventTime = time(e, "eventTime");
        String producer = text(e, "$", "producer");
        if (e.has("run")) {
            JsonNode run = object(e, "$", "run");
            String runId = text(run, "$.run", "runId");
            try {
                UUID.fromString(runId);
            } catch (IllegalArgumentException notUuid) {
                throw new EventError("$.run.runId", "run.runId must be a UUID, got '" + excerpt(runId) + "'");
            }
            String eventType = null;
            if (e.has("eventType") && !e.get("eventType").isNull()) {
                if (!e.get("eventType").isTextual()) {
                    throw new EventError("$.eventType", "eventType must be a string");
                }
                eventType = e.get("eventType").asText();
                if (!EVENT_TYPES.contains(eventType)) {
                    throw new EventError("$.eventType", "unknown eventType '" + excerpt(eventType) + "': expected one of START, RUNNING, "
                            + "COMPLETE, ABORT, FAIL, OTHER");
                }
            }
            Event.Job job = job(e);
            return new Event(Event.Kind.RUN, eventTime, producer, eventType, runId, facets(run, "$.run"), job,
                    datasets(e, "inputs"), datasets(e, "outputs"), null);
        }
        if (claimsToBeRunEvent(e)) {
            // without this, a run event that lost its run would be taken for a job event and accepted
            throw new EventError("$.run", "run is required: a run event (one with an eventType) names its run");
        }
        if (e.has("dataset")) {
            return new Event(Event.Kind.DATASET, eventTime, producer, null, null, Map.of(), null, List.of(), List.of(),
                    dataset(object(e, "$", "dataset"), "$.dataset"));
        }
        if (e.has("job")) {
            return new Event(Event.Kind.JOB, eventTime, producer, null, null, Map.of(), job(e), datasets(e, "inputs"),
                    datasets(e, "outputs"), null);
        }
        throw new EventError("$", "not an OpenLineage event: it has no run, job or dataset");
    }

    /** A run event says so with its eventType (dataset and job events have none) or its schemaURL. */
    private static boolean claimsToBeRunEvent(JsonNode e) {
        return (e.has("eventType") && !e.get("eventType").isNull())
                || e.path("schemaURL").asText().endsWith("/RunEvent");
    }

    private Event.Job job(JsonNode e) throws EventError {
        JsonNode job = object(e, "$", "job");
        return new Event.Job(text(job, "$.job", "namespace"), text(job, "$.job", "name"), facets(job, "$.job"));
    }

    private List<Event.Dataset> datasets(JsonNode e, String field) throws EventError {
        JsonNode list = e.get(field);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new EventError("$." + field, field + " must be an array of datasets");
        }
        List<Event.Dataset> datasets = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String path = "$." + field + "[" + i + "]";
            if (!list.get(i).isObject()) {
                throw new EventError(path, "a dataset is an object with namespace and name");
            }
            datasets.add(dataset(list.get(i), path));
        }
        return datasets;
    }

    private Event.Dataset dataset(JsonNode d, String path) throws EventError {
        Map<String, Object> facets = new LinkedHashMap<>(facets(d, path));
        // input and output facets (data quality, row counts) are facets of the dataset as this run saw it
        for (String extra : List.of("inputFacets", "outputFacets")) {
            facets.putAll(facets(d, path, extra));
        }
        return new Event.Dataset(text(d, path, "namespace"), text(d, path, "name"), facets);
    }

    private Map<String, Object> facets(JsonNode owner, String path) throws EventError {
        return facets(owner, path, "facets");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> facets(JsonNode owner, String path, String field) throws EventError {
        JsonNode f = owner.get(field);
        if (f == null || f.isNull()) {
            return Map.of();
        }
        if (!f.isObject()) {
            throw new EventError(path + "." + field, field + " must be an object of named facets");
        }
        return (Map<String, Object>) plain(f);
    }

    /**
     * A JSON tree as plain Java values (maps in field order, lists, strings, numbers as parsed, booleans, null): what
     * {@code convertValue(node, Map.class)} gives, without writing the tree out and reading it again.
     */
    static Object plain(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                map.put(e.getKey(), plain(e.getValue()));
            }
            return map;
        }
        if (n.isArray()) {
            List<Object> list = new java.util.ArrayList<>(n.size());
            n.forEach(x -> list.add(plain(x)));
            return list;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isNumber()) {
            return n.numberValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNull() || n.isMissingNode()) {
            return null;
        }
        throw new IllegalArgumentException("not a JSON value: " + n.getNodeType());
    }

    private static JsonNode object(JsonNode owner, String path, String field) throws EventError {
        JsonNode v = owner.get(field);
        if (v == null || v.isNull()) {
            throw new EventError(path + "." + field, field + " is required");
        }
        if (!v.isObject()) {
            throw new EventError(path + "." + field, field + " must be an object");
        }
        return v;
    }

    private static String text(JsonNode owner, String path, String field) throws EventError {
        JsonNode v = owner.get(field);
        if (v == null || v.isNull()) {
            throw new EventError(path + "." + field, field + " is required");
        }
        if (!v.isTextual()) {
            throw new EventError(path + "." + field, field + " must be a string");
        }
        if (v.asText().isBlank()) {
            throw new EventError(path + "." + field, field + " must not be blank");
        }
        return v.asText();
    }

    private static Instant time(JsonNode e, String field) throws EventError {
        String text = text(e, "$", field);
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e1) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                throw new EventError("$." + field, field + " must be an ISO 8601 date-time with an offset, got '" + excerpt(text) + "'");
            }
        }
    }

    static String excerpt(String s) {
        String c = s.replaceAll("\\p{Cntrl}", "?");
        return c.length() > 60 ? c.substring(0, 60) + "…" : c;
    }
}
