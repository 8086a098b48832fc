package io.mlcatalog.server.http;

import io.mlcatalog.spi.naming.OpenLineageDatasets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The catalog's lineage, as Marquez draws it: a graph of jobs and datasets. A run is drawn as its job (its namespace
 * and pipeline, else its name), every run of a job as the one node; an artifact as its dataset (its URI named back the
 * OpenLineage way: {@code s3://bucket/key} is {@code s3://bucket} + {@code key}), every version of it as the one node.
 * A consumed edge is dataset → job, a produced one job → dataset; the graph's other nodes (code versions, model
 * versions, deployments) and edges have no place in Marquez's shape and are left out.
 */
final class MarquezGraph {
    /** A node named Marquez's way: {@code dataset:<namespace>:<name>} or {@code job:<namespace>:<name>}. */
    record NodeId(boolean dataset, String namespace, String name) {
        /**
         * Reads a node id as Marquez writes one. The namespace may hold colons of its own ({@code s3://bucket},
         * {@code postgres://host:5432}): the one that ends it is the first not followed by {@code //} or a digit.
         */
        static NodeId parse(String text) {
            if (text == null || text.isBlank()) {
                throw new MarquezCaller.Refused(400, "nodeId is required: dataset:<namespace>:<name> or job:<namespace>:<name>");
            }
            boolean dataset = text.startsWith("dataset:");
            if (!dataset && !text.startsWith("job:")) {
                throw new MarquezCaller.Refused(400, "nodeId must be dataset:<namespace>:<name> or job:<namespace>:<name>, got '"
                        + excerpt(text) + "'");
            }
            String rest = text.substring(dataset ? "dataset:".length() : "job:".length());
            int end = -1;
            for (int i = rest.indexOf(':'); i >= 0; i = rest.indexOf(':', i + 1)) {
                boolean scheme = rest.startsWith("//", i + 1);
                boolean port = i + 1 < rest.length() && Character.isDigit(rest.charAt(i + 1));
                if (!scheme && !port) {
                    end = i;
                    break;
                }
            }
            if (end <= 0 || end == rest.length() - 1 || text.length() > 4096) {
                throw new MarquezCaller.Refused(400, "nodeId must be dataset:<namespace>:<name> or job:<namespace>:<name>, got '"
                        + excerpt(text) + "'");
            }
            return new NodeId(dataset, rest.substring(0, end), rest.substring(end + 1));
        }

        @Override
        public String toString() {
            return (dataset ? "dataset:" : "job:") + namespace + ":" + name;
        }
    }

    private final NodeId root;
    /** Each node's data, by node id. */
    private final Map<String, Map<String, Object>> nodes = new TreeMap<>();
    private final Map<String, TreeSet<String>> in = new TreeMap<>();
    private final Map<String, TreeSet<String>> out = new TreeMap<>();
    /** The node id each run and artifact of the walks is drawn as, by global id. */
    private final Map<String, String> drawnAs = new LinkedHashMap<>();

    MarquezGraph(NodeId root) {
        this.root = root;
    }

    /**
     * The root job, as the catalog's {@code job} answers it: drawn with its facets, its newest runs and its declared
     * datasets. Returns the ids to walk from: its newest runs, then its declared datasets, at most {@code max}.
     */
    List<String> rootJob(Map<String, Object> job, int max) {
        String id = root.toString();
        Map<String, Object> data = jobData(root.namespace(), root.name());
        data.put("facets", job.get("facets"));
        nodes.put(id, data);
        List<String> walkFrom = new ArrayList<>();
        Map<String, Object> runs = cast(job.get("runs"));
        for (Object edge : (List<?>) runs.get("edges")) {
            Map<String, Object> run = cast(cast(edge).get("node"));
            run(run);
            walkFrom.add((String) run.get("id"));
        }
        for (Object input : (List<?>) job.get("declaredInputs")) {
            edge(artifact(cast(input)), id);
            walkFrom.add((String) cast(input).get("id"));
        }
        for (Object output : (List<?>) job.get("declaredOutputs")) {
            edge(id, artifact(cast(output)));
            walkFrom.add((String) cast(output).get("id"));
        }
        return walkFrom.stream().distinct().limit(max).toList();
    }

    /** A lineage graph as the catalog's GraphQL {@code lineage} answers it (what the caller may see of it). */
    void add(Map<String, Object> lineage) {
        for (Object n : (List<?>) lineage.get("nodes")) {
            Map<String, Object> node = cast(n);
            switch ((String) node.get("__typename")) {
                case "Run" -> run(node);
                case "Artifact" -> declarations(node, artifact(node));
                default -> {
                    // code versions, model versions, deployments: not in Marquez's shape
                }
            }
        }
        for (Object e : (List<?>) lineage.get("edges")) {
            Map<String, Object> edge = cast(e);
            String from = drawnAs.get((String) edge.get("from"));
            String to = drawnAs.get((String) edge.get("to"));
            if (from != null && to != null && ("CONSUMED".equals(edge.get("kind")) || "PRODUCED".equals(edge.get("kind")))) {
                edge(from, to);
            }
        }
    }

    /** The graph in Marquez's shape, nodes by id; a job's inputs and outputs are the datasets its edges join. */
    List<Map<String, Object>> nodes() {
        if (!nodes.containsKey(root.toString())) {
            // a dataset found but not reached (nothing of it the caller may read was walked): still the root
            nodes.put(root.toString(), root.dataset() ? datasetData(root.namespace(), root.name(), null, null) : jobData(root.namespace(), root.name()));
        }
        List<Map<String, Object>> graph = new ArrayList<>(nodes.size());
        nodes.forEach((id, data) -> {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", id);
            boolean dataset = id.startsWith("dataset:");
            node.put("type", dataset ? "DATASET" : "JOB");
            if (!dataset) {
                data.put("inputs", datasetIds(in.get(id)));
                data.put("outputs", datasetIds(out.get(id)));
            }
            node.put("data", data);
            node.put("inEdges", edges(in.get(id), id, true));
            node.put("outEdges", edges(out.get(id), id, false));
            graph.add(node);
        });
        return graph;
    }

    private String run(Map<String, Object> run) {
        String namespace = (String) run.get("namespace");
        String job = run.get("pipeline") != null ? (String) run.get("pipeline") : (String) run.get("name");
        String id = new NodeId(false, namespace, job).toString();
        drawnAs.put((String) run.get("id"), id);
        Map<String, Object> data = nodes.computeIfAbsent(id, k -> jobData(namespace, job));
        if (run.get("jobFacets") instanceof Map<?, ?> facets && !facets.isEmpty()) {
            data.put("facets", facets); // a job's facets are shared by its runs: any run's are the job's
        }
        String startedAt = (String) run.get("startedAt");
        String endedAt = (String) run.get("endedAt");
        String at = startedAt != null ? startedAt : endedAt;
        if (at != null && (data.get("createdAt") == null || Times.before(at, (String) data.get("createdAt")))) {
            data.put("createdAt", at);
        }
        String last = endedAt != null ? endedAt : startedAt;
        if (last != null && (data.get("updatedAt") == null || Times.before((String) data.get("updatedAt"), last))) {
            data.put("updatedAt", last);
        }
        Map<String, Object> latest = cast(data.get("latestRun"));
        if (at != null && (latest == null || latest.get("startedAt") == null || Times.before((String) latest.get("startedAt"), at))) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", run.get("externalId") != null ? run.get("externalId") : run.get("id"));
            r.put("state", state((String) run.get("status")));
            r.put("startedAt", startedAt);
            r.put("endedAt", endedAt);
            data.put("latestRun", r);
        }
        return id;
    }

    private String artifact(Map<String, Object> artifact) {
        OpenLineageDatasets.Name name = OpenLineageDatasets.name((String) artifact.get("uri"), (String) artifact.get("name"));
        String id = new NodeId(true, name.namespace(), name.name()).toString();
        drawnAs.put((String) artifact.get("id"), id);
        String createdAt = (String) artifact.get("createdAt");
        Map<String, Object> data = nodes.get(id);
        if (data == null) {
            nodes.put(id, datasetData(name.namespace(), name.name(), (String) artifact.get("uri"), createdAt));
            data = nodes.get(id);
        }
        if (createdAt != null && (data.get("createdAt") == null || Times.before(createdAt, (String) data.get("createdAt")))) {
            data.put("createdAt", createdAt);
        }
        // the dataset's facets are its versions', of each name the newest version's
        Map<String, Object> facets = artifact.get("facets") == null ? Map.of() : cast(artifact.get("facets"));
        Map<String, Object> merged = new TreeMap<>();
        boolean newer = createdAt != null && (data.get("updatedAt") == null || !Times.before(createdAt, (String) data.get("updatedAt")));
        if (newer) {
            merged.putAll(cast(data.get("facets")));
            merged.putAll(facets);
            data.put("updatedAt", createdAt);
        } else {
            merged.putAll(facets);
            merged.putAll(cast(data.get("facets")));
        }
        data.put("facets", merged);
        data.put("fields", fields(merged));
        return id;
    }

    /** The jobs that declare they read or write a dataset (job events: static lineage), drawn with their edges to it. */
    private void declarations(Map<String, Object> artifact, String dataset) {
        for (String side : List.of("declaredReadBy", "declaredWrittenBy")) {
            if (!(artifact.get(side) instanceof List<?> jobs)) {
                continue;
            }
            for (Object j : jobs) {
                Map<String, Object> job = cast(j);
                String id = new NodeId(false, (String) job.get("namespace"), (String) job.get("name")).toString();
                Map<String, Object> data = nodes.computeIfAbsent(id, k -> jobData((String) job.get("namespace"), (String) job.get("name")));
                if (job.get("facets") instanceof Map<?, ?> facets && !facets.isEmpty()) {
                    data.put("facets", facets);
                }
                if (side.equals("declaredReadBy")) {
                    edge(dataset, id);
                } else {
                    edge(id, dataset);
                }
            }
        }
    }

    private void edge(String origin, String destination) {
        out.computeIfAbsent(origin, k -> new TreeSet<>()).add(destination);
        in.computeIfAbsent(destination, k -> new TreeSet<>()).add(origin);
    }

    private static Map<String, Object> jobData(String namespace, String name) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", Map.of("namespace", namespace, "name", name));
        data.put("type", "BATCH");
        data.put("name", name);
        data.put("simpleName", name);
        data.put("namespace", namespace);
        data.put("createdAt", null);
        data.put("updatedAt", null);
        data.put("inputs", List.of());
        data.put("outputs", List.of());
        data.put("latestRun", null);
        data.put("facets", Map.of());
        return data;
    }

    private static Map<String, Object> datasetData(String namespace, String name, String uri, String createdAt) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", Map.of("namespace", namespace, "name", name));
        data.put("type", "DB_TABLE");
        data.put("name", name);
        data.put("physicalName", name);
        data.put("namespace", namespace);
        data.put("sourceName", namespace);
        data.put("uri", uri);
        data.put("createdAt", createdAt);
        data.put("updatedAt", createdAt);
        data.put("fields", List.of());
        data.put("tags", List.of());
        data.put("facets", Map.of());
        return data;
    }

    /** A dataset's fields, as its schema facet lists them. */
    static List<Map<String, Object>> fields(Map<String, Object> facets) {
        List<Map<String, Object>> fields = new ArrayList<>();
        if (facets != null && facets.get("schema") instanceof Map<?, ?> schema && schema.get("fields") instanceof List<?> list) {
            for (Object f : list) {
                if (f instanceof Map<?, ?> field && field.get("name") instanceof String name) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("name", name);
                    out.put("type", field.get("type") instanceof String t ? t : null);
                    out.put("tags", List.of());
                    out.put("description", field.get("description") instanceof String d ? d : null);
                    fields.add(out);
                }
            }
        }
        return fields;
    }

    /** The Marquez ids ({@code {namespace, name}}) of these datasets. */
    @SuppressWarnings("unchecked")
    private List<Object> datasetIds(TreeSet<String> ids) {
        List<Object> result = new ArrayList<>();
        if (ids != null) {
            ids.forEach(id -> result.add(nodes.get(id).get("id")));
        }
        return result;
    }

    private static List<Map<String, String>> edges(TreeSet<String> others, String id, boolean incoming) {
        List<Map<String, String>> edges = new ArrayList<>();
        if (others != null) {
            for (String other : others) {
                Map<String, String> e = new LinkedHashMap<>();
                e.put("origin", incoming ? other : id);
                e.put("destination", incoming ? id : other);
                edges.add(e);
            }
        }
        return edges;
    }

    /** A run's status as Marquez names run states. */
    static String state(String status) {
        return switch (status) {
            case "SUCCEEDED" -> "COMPLETED";
            case "FAILED" -> "FAILED";
            case "ABORTED" -> "ABORTED";
            default -> "RUNNING";
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object value) {
        return (Map<String, Object>) value;
    }

    static String excerpt(String s) {
        String c = s.replaceAll("\\p{Cntrl}", "?");
        return c.length() > 80 ? c.substring(0, 80) + "…" : c;
    }

    /** Instants as the API writes them (ISO 8601 with an offset). */
    private static final class Times {
        static boolean before(String a, String b) {
            return java.time.OffsetDateTime.parse(a).isBefore(java.time.OffsetDateTime.parse(b));
        }
    }
}
