package io.mlcatalog.plugins.openlineage;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checks an event against what the OpenLineage spec (2-0-x) requires, naming the JSON path of the first
 * problem: {@code eventTime} (one without an offset is taken as UTC, with a warning), {@code producer}, and for a run event {@code run.runId}, {@code job.namespace}
 * and {@code job.name}; {@code eventType}, when present, one of the spec's.
 *
 * <p>The spec says a runId is a UUID, and every producer we know sends one; but OpenLineage's own consumer
 * compatibility scenarios do not ({@code "runId": "run_id"}), and a consumer must accept them. So by default any
 * runId is taken: a run is known by its job and its runId together, so two jobs sending the same made-up id are
 * still two runs. An instance with {@code requireUuidRunIds} refuses a runId that is no UUID, as the spec reads.
 */
final class EventParser {
    static final Set<String> EVENT_TYPES = Set.of("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER");

    private final boolean requireUuidRunIds;

    EventParser(boolean requireUuidRunIds) {
        this.requireUuidRunIds = requireUuidRunIds;
    }

    /** An event as {@link EventReader} reads it. */
    @SuppressWarnings("unchecked")
    Event parse(Object value) throws EventError {
        if (!(value instanceof Map<?, ?>)) {
            throw new EventError("$", "an event is a JSON object");
        }
        Map<String, Object> e = (Map<String, Object>) value;
        List<String> warnings = new ArrayList<>(1);
        Instant eventTime = time(e, "eventTime", warnings);
        String producer = text(e, "$", "producer");
        if (e.containsKey("run")) {
            Map<String, Object> run = object(e, "$", "run");
            String runId = text(run, "$.run", "runId");
            if (requireUuidRunIds && !isUuid(runId)) {
                throw new EventError("$.run.runId", "run.runId must be a UUID, got '" + excerpt(runId) + "'");
            }
            String eventType = null;
            if (e.get("eventType") != null) {
                if (!(e.get("eventType") instanceof String type)) {
                    throw new EventError("$.eventType", "eventType must be a string");
                }
                eventType = type;
                if (!EVENT_TYPES.contains(eventType)) {
                    throw new EventError("$.eventType", "unknown eventType '" + excerpt(eventType) + "': expected one of START, RUNNING, "
                            + "COMPLETE, ABORT, FAIL, OTHER");
                }
            }
            Event.Job job = job(e);
            return new Event(Event.Kind.RUN, eventTime, producer, eventType, runId, facets(run, "$.run"), job,
                    datasets(e, "inputs"), datasets(e, "outputs"), null, warnings);
        }
        if (claimsToBeRunEvent(e)) {
            // without this, a run event that lost its run would be taken for a job event and accepted
            throw new EventError("$.run", "run is required: a run event (one with an eventType) names its run");
        }
        if (e.containsKey("dataset")) {
            return new Event(Event.Kind.DATASET, eventTime, producer, null, null, Map.of(), null, List.of(), List.of(),
                    dataset(object(e, "$", "dataset"), "$.dataset"), warnings);
        }
        if (e.containsKey("job")) {
            return new Event(Event.Kind.JOB, eventTime, producer, null, null, Map.of(), job(e), datasets(e, "inputs"),
                    datasets(e, "outputs"), null, warnings);
        }
        throw new EventError("$", "not an OpenLineage event: it has no run, job or dataset");
    }

    /** A run event says so with its eventType (dataset and job events have none) or its schemaURL. */
    private static boolean claimsToBeRunEvent(Map<String, Object> e) {
        return e.get("eventType") != null || (e.get("schemaURL") instanceof String url && url.endsWith("/RunEvent"));
    }

    private Event.Job job(Map<String, Object> e) throws EventError {
        Map<String, Object> job = object(e, "$", "job");
        return new Event.Job(text(job, "$.job", "namespace"), text(job, "$.job", "name"), facets(job, "$.job"));
    }

    private List<Event.Dataset> datasets(Map<String, Object> e, String field) throws EventError {
        Object list = e.get(field);
        if (list == null) {
            return List.of();
        }
        if (!(list instanceof List<?> items)) {
            throw new EventError("$." + field, field + " must be an array of datasets");
        }
        List<Event.Dataset> datasets = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String path = "$." + field + "[" + i + "]";
            if (!(items.get(i) instanceof Map<?, ?>)) {
                throw new EventError(path, "a dataset is an object with namespace and name");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> d = (Map<String, Object>) items.get(i);
            datasets.add(dataset(d, path));
        }
        return datasets;
    }

    private Event.Dataset dataset(Map<String, Object> d, String path) throws EventError {
        Map<String, Object> facets = facets(d, path);
        // input and output facets (data quality, row counts) are facets of the dataset as this run saw it
        for (String extra : List.of("inputFacets", "outputFacets")) {
            Map<String, Object> more = facets(d, path, extra);
            if (!more.isEmpty()) {
                facets = new java.util.LinkedHashMap<>(facets);
                facets.putAll(more);
            }
        }
        return new Event.Dataset(text(d, path, "namespace"), text(d, path, "name"), facets);
    }

    private Map<String, Object> facets(Map<String, Object> owner, String path) throws EventError {
        return facets(owner, path, "facets");
    }

    /** Named facets, as the reader left them: plain values, each within its bound or replaced by a note. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> facets(Map<String, Object> owner, String path, String field) throws EventError {
        Object f = owner.get(field);
        if (f == null) {
            return Map.of();
        }
        if (!(f instanceof Map<?, ?>)) {
            throw new EventError(path + "." + field, field + " must be an object of named facets");
        }
        return (Map<String, Object>) f;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> owner, String path, String field) throws EventError {
        Object v = owner.get(field);
        if (v == null) {
            throw new EventError(path + "." + field, field + " is required");
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new EventError(path + "." + field, field + " must be an object");
        }
        return (Map<String, Object>) v;
    }

    private static String text(Map<String, Object> owner, String path, String field) throws EventError {
        Object v = owner.get(field);
        if (v == null) {
            throw new EventError(path + "." + field, field + " is required");
        }
        if (!(v instanceof String text)) {
            throw new EventError(path + "." + field, field + " must be a string");
        }
        if (text.isBlank()) {
            throw new EventError(path + "." + field, field + " must not be blank");
        }
        return text;
    }

    /**
     * The event's time. The spec asks for an offset; some older producers send a local date-time without one (Airflow
     * 1.x integrations, hand-written emitters). Such a time is taken as UTC, the offset every OpenLineage client writes,
     * and {@code warnings} says so: the sender is told what the catalog assumed rather than refused.
     */
    private static Instant time(Map<String, Object> e, String field, List<String> warnings) throws EventError {
        String text = text(e, "$", field);
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e1) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                try {
                    Instant utc = LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
                    warnings.add(field + " '" + excerpt(text) + "' has no offset: taken as UTC (" + utc + ")");
                    return utc;
                } catch (DateTimeParseException e3) {
                    throw new EventError("$." + field, field + " must be an ISO 8601 date-time, got '" + excerpt(text) + "'");
                }
            }
        }
    }

    /** Whether the text is a UUID in its standard form (8-4-4-4-12 hex digits), which {@link UUID#fromString} is lax about. */
    static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    static String excerpt(String s) {
        String c = s.replaceAll("\\p{Cntrl}", "?");
        return c.length() > 60 ? c.substring(0, 60) + "…" : c;
    }
}
