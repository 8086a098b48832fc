package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.testkit.TestingCatalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a client can read about runs, artifacts and their edges, over GraphQL, in a canonical
 * order: two catalogs that hold the same facts have equal states. Leaves out only what records when
 * a fact arrived ({@code assertedBy.observedAt}): that differs between two ingests by design.
 */
final class CatalogState {
    static final String RUNS = """
            query($after: String) { runs(first: 50, after: $after) { pageInfo { hasNextPage endCursor } edges { node {
              id namespace name pipeline externalId status startedAt endedAt user params metrics tags { key value }
              parent { id } codeVersion { id repository commit } facets jobFacets
              inputs { id } outputs { id } assertedBy { source externalId } } } } }""";
    static final String ARTIFACTS = """
            query($after: String) { artifacts(first: 50, after: $after) { pageInfo { hasNextPage endCursor } edges { node {
              id namespace name uri digest sizeBytes mediaType kind createdAt facets assertedBy { source externalId } } } } }""";
    /** The edges leaving one node, as an aliased field: a request asks for many nodes at once. */
    static final String EDGES = """
            e%d: lineage(from: "%s", direction: DOWNSTREAM, depth: 1, perHopLimit: 100) {
              edges { from to kind since until assertedBy { source externalId } } }
            """;
    private static final int NODES_PER_REQUEST = 20;

    private CatalogState() {
    }

    /** {@code {runs: [...], artifacts: [...], edges: [...]}}, each sorted by id. */
    static ObjectNode of(TestingCatalog catalog) {
        return of(catalog, null);
    }

    /**
     * The state of one namespace (its runs, its artifacts, the edges leaving them), with every id replaced
     * by what identifies the node apart from the namespace (a run's name and externalId, an artifact's URI)
     * and the namespace's name by {@code NS}: the states of two namespaces that were sent the same events
     * (with the namespace in every name) are equal.
     */
    static String ofNamespace(TestingCatalog catalog, String namespace) {
        ObjectNode state = of(catalog, namespace);
        String text = state.toString();
        for (JsonNode r : state.get("runs")) {
            text = text.replace(r.path("id").asText(), "run(" + r.path("name").asText() + "/" + r.path("externalId").asText() + ")");
        }
        for (JsonNode a : state.get("artifacts")) {
            text = text.replace(a.path("id").asText(), "artifact(" + a.path("uri").asText() + ")");
        }
        // sorted again: the order by id was an order by ids that hold the namespace
        try {
            ObjectNode normalized = (ObjectNode) LineageHttp.JSON.readTree(text.replace(namespace, "NS"));
            List<JsonNode> runs = new ArrayList<>();
            normalized.get("runs").forEach(r -> {
                sortById((ArrayNode) r.get("inputs"));
                sortById((ArrayNode) r.get("outputs"));
                runs.add(r);
            });
            List<JsonNode> artifacts = new ArrayList<>();
            normalized.get("artifacts").forEach(artifacts::add);
            normalized.set("runs", sorted(runs, "id"));
            normalized.set("artifacts", sorted(artifacts, "id"));
            List<JsonNode> edges = new ArrayList<>();
            normalized.get("edges").forEach(edges::add);
            edges.sort(Comparator.comparing(e -> e.path("from").asText() + ">" + e.path("kind").asText() + ">" + e.path("to").asText()));
            ArrayNode e = normalized.putArray("edges");
            edges.forEach(e::add);
            return normalized.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode of(TestingCatalog catalog, String namespace) {
        List<JsonNode> runs = all(catalog, namespace == null ? RUNS : RUNS.replace("first: 50", "first: 50, filter: {namespace: $ns}")
                .replace("$after: String", "$after: String, $ns: String"), "runs", namespace);
        List<JsonNode> artifacts = all(catalog, namespace == null ? ARTIFACTS
                : ARTIFACTS.replace("first: 50", "first: 50, filter: {namespace: $ns}").replace("$after: String", "$after: String, $ns: String"),
                "artifacts", namespace);
        runs.forEach(r -> {
            sortById((ArrayNode) r.get("inputs"));
            sortById((ArrayNode) r.get("outputs"));
            sortBy((ArrayNode) r.get("assertedBy"), "source");
            sortBy((ArrayNode) r.get("tags"), "key");
        });
        artifacts.forEach(a -> sortBy((ArrayNode) a.get("assertedBy"), "source"));
        // every edge leaves a run, an artifact or a code version: the downstream edges of all of them are all the edges
        Map<String, JsonNode> edges = new HashMap<>();
        List<String> from = new ArrayList<>();
        runs.forEach(r -> from.add(r.path("id").asText()));
        artifacts.forEach(a -> from.add(a.path("id").asText()));
        runs.forEach(r -> {
            if (r.path("codeVersion").has("id")) {
                from.add(r.path("codeVersion").path("id").asText());
            }
        });
        for (int i = 0; i < from.size(); i += NODES_PER_REQUEST) {
            StringBuilder query = new StringBuilder("{");
            for (int j = i; j < Math.min(from.size(), i + NODES_PER_REQUEST); j++) {
                query.append(String.format(EDGES, j, from.get(j)));
            }
            JsonNode data = catalog.query(query.append('}').toString());
            data.forEach(graph -> graph.path("edges").forEach(e -> {
                sortBy((ArrayNode) e.get("assertedBy"), "source");
                edges.put(e.path("from").asText() + ">" + e.path("kind").asText() + ">" + e.path("to").asText(), e);
            }));
        }
        ObjectNode state = LineageHttp.JSON.createObjectNode();
        state.set("runs", sorted(runs, "id"));
        state.set("artifacts", sorted(artifacts, "id"));
        List<String> keys = new ArrayList<>(edges.keySet());
        keys.sort(null);
        ArrayNode e = state.putArray("edges");
        keys.forEach(k -> e.add(edges.get(k)));
        return state;
    }

    /** Where two states differ: one line per differing leaf ({@code $.runs[3].startedAt: A ≠ B}), empty when equal. */
    static List<String> diff(JsonNode expected, JsonNode actual) {
        List<String> lines = new ArrayList<>();
        diff("$", expected, actual, lines);
        return lines;
    }

    /** {@link #diff(JsonNode, JsonNode)} of two states as text ({@link #ofNamespace}). */
    static List<String> diff(String expected, String actual) {
        try {
            return diff(LineageHttp.JSON.readTree(expected), LineageHttp.JSON.readTree(actual));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> lines) {
        if (a.equals(b)) {
            return;
        }
        if (a.isObject() && b.isObject()) {
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                diff(path + "." + n, a.path(n), b.path(n), lines);
            }
        } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                diff(path + "[" + i + "]" + label(a.get(i)), a.get(i), b.get(i), lines);
            }
        } else {
            lines.add(path + ": " + excerpt(a) + " ≠ " + excerpt(b));
        }
    }

    private static String label(JsonNode n) {
        String name = n.path("name").asText(n.path("uri").asText(n.path("kind").asText("")));
        return name.isEmpty() ? "" : "(" + name + ")";
    }

    private static String excerpt(JsonNode n) {
        String s = n.isMissingNode() ? "(absent)" : n.toString();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static List<JsonNode> all(TestingCatalog catalog, String query, String field, String namespace) {
        List<JsonNode> nodes = new ArrayList<>();
        String after = null;
        while (true) {
            Map<String, Object> vars = new HashMap<>();
            vars.put("after", after);
            if (namespace != null) {
                vars.put("ns", namespace);
            }
            JsonNode page = catalog.query(query, vars).path(field);
            page.path("edges").forEach(e -> nodes.add(e.path("node")));
            if (!page.path("pageInfo").path("hasNextPage").asBoolean()) {
                return nodes;
            }
            after = page.path("pageInfo").path("endCursor").asText();
        }
    }

    private static ArrayNode sorted(List<JsonNode> nodes, String key) {
        ArrayNode array = LineageHttp.JSON.createArrayNode();
        nodes.stream().sorted(Comparator.comparing(n -> n.path(key).asText())).forEach(array::add);
        return array;
    }

    private static void sortById(ArrayNode array) {
        sortBy(array, "id");
    }

    private static void sortBy(ArrayNode array, String key) {
        if (array == null) {
            return;
        }
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        items.sort(Comparator.comparing((JsonNode n) -> n.path(key).asText()).thenComparing(JsonNode::toString));
        array.removeAll();
        items.forEach(array::add);
    }
}
