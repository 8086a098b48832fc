package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.UUID;

/** Hand-built OpenLineage events for tests: a valid run event to start from, and ways to break it. */
final class Events {
    static final String PRODUCER = "https://github.com/acme/pipelines/v1";

    private Events() {
    }

    /** A valid run event (spec 2-0-2) of {@code job} in {@code namespace}. */
    static ObjectNode run(String eventType, String time, String runId, String namespace, String job) {
        ObjectNode e = LineageHttp.JSON.createObjectNode();
        e.put("eventType", eventType);
        e.put("eventTime", time);
        e.put("producer", PRODUCER);
        e.put("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent");
        e.putObject("run").put("runId", runId).putObject("facets");
        ObjectNode j = e.putObject("job");
        j.put("namespace", namespace);
        j.put("name", job);
        j.putObject("facets");
        e.putArray("inputs");
        e.putArray("outputs");
        return e;
    }

    /** An event given as a JSON tree, as {@link EventReader} reads it from a request's bytes. */
    static Object read(JsonNode event) {
        try (var tokens = LineageHttp.JSON.treeAsTokens(event)) {
            tokens.nextToken();
            return EventReader.read(tokens);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ObjectNode run(String eventType, String time) {
        return run(eventType, time, UUID.randomUUID().toString(), "ns", "job");
    }

    static ObjectNode dataset(String namespace, String name) {
        ObjectNode d = LineageHttp.JSON.createObjectNode();
        d.put("namespace", namespace);
        d.put("name", name);
        d.putObject("facets");
        return d;
    }

    static ObjectNode input(ObjectNode event, String namespace, String name) {
        ObjectNode d = dataset(namespace, name);
        ((ArrayNode) event.get("inputs")).add(d);
        return d;
    }

    static ObjectNode output(ObjectNode event, String namespace, String name) {
        ObjectNode d = dataset(namespace, name);
        ((ArrayNode) event.get("outputs")).add(d);
        return d;
    }

    static ObjectNode runFacets(ObjectNode event) {
        return (ObjectNode) event.get("run").get("facets");
    }

    static ObjectNode jobFacets(ObjectNode event) {
        return (ObjectNode) event.get("job").get("facets");
    }

    /** A parent run facet pointing at {@code runId} of {@code job} in {@code namespace}. */
    static ObjectNode parent(ObjectNode event, String runId, String namespace, String job) {
        ObjectNode p = runFacets(event).putObject("parent");
        p.put("_producer", PRODUCER);
        p.put("_schemaURL", "https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet");
        p.putObject("run").put("runId", runId);
        p.putObject("job").put("namespace", namespace).put("name", job);
        return p;
    }

    /** The event with the value at a dotted path ({@code run.runId}) removed. */
    static ObjectNode without(ObjectNode event, String path) {
        ObjectNode copy = event.deepCopy();
        String[] parts = path.split("\\.");
        JsonNode owner = copy;
        for (int i = 0; i < parts.length - 1; i++) {
            owner = owner.get(parts[i]);
        }
        ((ObjectNode) owner).remove(parts[parts.length - 1]);
        return copy;
    }
}
