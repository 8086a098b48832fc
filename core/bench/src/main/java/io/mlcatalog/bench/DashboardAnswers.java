package io.mlcatalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The dashboard benchmark's answers in one comparable form. mlcatalog's GraphQL, PostGraphile's GraphQL
 * and the hand-written SQL give the same data in three JSON shapes; each is turned into the same lines of
 * text (ids without their type prefix, instants in UTC, JSON objects with sorted keys, the lists whose order
 * no query asks for sorted), so that two systems agree exactly when their texts are equal.
 */
final class DashboardAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper SORTED = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** The three dashboard queries. */
    enum Query {
        RUNS("latest 50 runs with code version, inputs, outputs and model versions"),
        MODEL("a model with its versions and aliases"),
        DEPLOYMENTS("deployments active at an instant");

        final String title;

        Query(String title) {
            this.title = title;
        }
    }

    /** Who answered: the JSON shape of the answer. */
    enum Shape {
        MLCATALOG, POSTGRAPHILE, SQL
    }

    private DashboardAnswers() {
    }

    /** The comparable text of an answer, or throws {@link IllegalArgumentException} saying what is wrong with it. */
    static String normalize(Query query, Shape shape, byte[] body, int length) {
        JsonNode root;
        try {
            root = JSON.readTree(body, 0, length);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        return normalize(query, shape, root);
    }

    static String normalize(Query query, Shape shape, JsonNode root) {
        if (shape != Shape.SQL) {
            if (root.has("errors")) {
                throw new IllegalArgumentException("errors in the answer: " + excerpt(root.path("errors").toString()));
            }
            root = root.path("data");
            if (!root.isObject()) {
                throw new IllegalArgumentException("no data in the answer");
            }
        }
        return switch (query) {
            case RUNS -> runs(shape, root);
            case MODEL -> model(shape, root);
            case DEPLOYMENTS -> deployments(shape, root);
        };
    }

    // ------------------------------------------------------------------ the three queries

    private static String runs(Shape shape, JsonNode data) {
        List<JsonNode> nodes = switch (shape) {
            case MLCATALOG -> nodes(data.path("runs").path("edges"), "node");
            case POSTGRAPHILE -> list(data.path("allRuns").path("nodes"));
            case SQL -> list(data);
        };
        StringBuilder out = new StringBuilder();
        for (JsonNode r : nodes) {
            boolean pg = shape == Shape.POSTGRAPHILE;
            JsonNode code = pg ? r.path("codeVersionByCodeVersionId") : r.path("codeVersion");
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            List<String> versions = new ArrayList<>();
            if (pg) {
                list(r.path("lineageEdgesByToId").path("nodes")).forEach(e -> inputs.add(artifact(e.path("artifactByFromId"))));
                list(r.path("lineageEdgesByFromId").path("nodes")).forEach(e -> outputs.add(artifact(e.path("artifactByToId"))));
                list(r.path("modelVersionsByRunId").path("nodes")).forEach(v ->
                        versions.add(text(v.path("modelByModelId").path("name")) + ":" + text(v.path("version"))));
            } else {
                list(r.path("inputs")).forEach(a -> inputs.add(artifact(a)));
                list(r.path("outputs")).forEach(a -> outputs.add(artifact(a)));
                list(r.path("modelVersions")).forEach(v -> versions.add(text(v.path("model").path("name")) + ":" + text(v.path("version"))));
            }
            out.append("run ").append(id(r.path(pg ? "rowId" : "id")))
                    .append(" name=").append(text(r.path("name")))
                    .append(" status=").append(text(r.path("status")))
                    .append(" started=").append(instant(r.path("startedAt")))
                    .append(" params=").append(canonical(r.path("params")))
                    .append(" metrics=").append(canonical(r.path("metrics")))
                    .append(" code=").append(code.isObject() ? text(code.path("repository")) + "@" + text(code.path(pg ? "commitSha" : "commit")) : "-")
                    .append(" inputs=").append(sorted(inputs))
                    .append(" outputs=").append(sorted(outputs))
                    .append(" versions=").append(sorted(versions))
                    .append('\n');
        }
        return out.toString();
    }

    private static String model(Shape shape, JsonNode data) {
        JsonNode m = switch (shape) {
            case MLCATALOG -> data.path("model");
            case POSTGRAPHILE -> data.path("modelByNamespaceAndName");
            case SQL -> data;
        };
        if (!m.isObject()) {
            return "no model\n";
        }
        boolean pg = shape == Shape.POSTGRAPHILE;
        StringBuilder out = new StringBuilder();
        out.append("model ").append(id(m.path(pg ? "rowId" : "id"))).append(' ').append(text(m.path("namespace"))).append('/')
                .append(text(m.path("name"))).append('\n');
        List<JsonNode> versions = switch (shape) {
            case MLCATALOG -> nodes(m.path("versions").path("edges"), "node");
            case POSTGRAPHILE -> list(m.path("modelVersionsByModelId").path("nodes"));
            case SQL -> list(m.path("versions"));
        };
        for (JsonNode v : versions) {
            out.append("version ").append(id(v.path(pg ? "rowId" : "id"))).append(' ').append(text(v.path("version"))).append(" created=")
                    .append(instant(v.path("createdAt"))).append('\n');
        }
        List<JsonNode> aliases = pg ? list(m.path("aliasesByModelId").path("nodes")) : list(m.path("aliases"));
        for (JsonNode a : aliases) {
            JsonNode version = switch (shape) {
                case MLCATALOG -> a.path("modelVersion").path("version");
                case POSTGRAPHILE -> a.path("modelVersionByModelVersionId").path("version");
                case SQL -> a.path("version");
            };
            out.append("alias ").append(text(a.path("name"))).append(" -> ").append(text(version)).append(" since=")
                    .append(instant(a.path("since"))).append('\n');
        }
        return out.toString();
    }

    private static String deployments(Shape shape, JsonNode data) {
        List<JsonNode> nodes = switch (shape) {
            case MLCATALOG -> nodes(data.path("deployments").path("edges"), "node");
            case POSTGRAPHILE -> list(data.path("allDeployments").path("nodes"));
            case SQL -> list(data);
        };
        StringBuilder out = new StringBuilder();
        for (JsonNode d : nodes) {
            String version = switch (shape) {
                case MLCATALOG -> text(d.path("modelVersion").path("model").path("name")) + ":" + text(d.path("modelVersion").path("version"));
                case POSTGRAPHILE -> text(d.path("modelVersionByModelVersionId").path("modelByModelId").path("name")) + ":"
                        + text(d.path("modelVersionByModelVersionId").path("version"));
                case SQL -> text(d.path("model")) + ":" + text(d.path("version"));
            };
            out.append("deployment ").append(id(d.path(shape == Shape.POSTGRAPHILE ? "rowId" : "id"))).append(' ')
                    .append(text(d.path("environment"))).append('/').append(text(d.path("target")))
                    .append(" status=").append(text(d.path("status")))
                    .append(" started=").append(instant(d.path("startedAt")))
                    .append(" ended=").append(instant(d.path("endedAt")))
                    .append(" serves=").append(version)
                    .append('\n');
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ pieces

    private static List<JsonNode> list(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("expected a list, found " + excerpt(array.toString()));
        }
        List<JsonNode> out = new ArrayList<>(array.size());
        array.forEach(out::add);
        return out;
    }

    private static List<JsonNode> nodes(JsonNode edges, String field) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : list(edges)) {
            out.add(e.path(field));
        }
        return out;
    }

    private static String artifact(JsonNode a) {
        return text(a.path("uri")) + "#" + text(a.path("digest"));
    }

    /** A global id ("Run:uuid") or a plain uuid: the uuid. */
    static String id(JsonNode id) {
        String s = text(id);
        return s.substring(s.indexOf(':') + 1);
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "-" : n.asText();
    }

    /** An ISO date-time with any offset, as the UTC instant it names; "-" for none. */
    static String instant(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return "-";
        }
        String s = n.asText();
        try {
            return OffsetDateTime.parse(s).toInstant().toString();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a date-time: " + s);
        }
    }

    /** A JSON value with its object keys sorted; "-" for none. */
    static String canonical(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return "-";
        }
        try {
            return SORTED.writeValueAsString(JSON.treeToValue(n, Object.class));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static String sorted(List<String> items) {
        List<String> copy = new ArrayList<>(items);
        copy.sort(null);
        return copy.toString();
    }

    /** Where two comparable texts first differ, for the message of a failed check. */
    static String firstDifference(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(nothing)";
            String y = i < b.length ? b[i] : "(nothing)";
            if (!x.equals(y)) {
                return "line " + (i + 1) + ": expected " + excerpt(x) + "\n    but found " + excerpt(y);
            }
        }
        return "no difference";
    }

    static String excerpt(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }

    /** For tests: an answer from a JSON text. */
    static String normalize(Query query, Shape shape, String json) {
        byte[] b = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return normalize(query, shape, b, b.length);
    }
}
