package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.testing.TestCatalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds lineage graphs the way clients do, through the public mutations, and reads them back with the
 * lineage query. Every id it returns is the global id the API itself answers with.
 */
final class GraphWrites {
    static final String LINEAGE = """
            query($from: ID!, $direction: LineageDirection, $depth: Int, $asOf: DateTime, $perHopLimit: Int) {
              lineage(from: $from, direction: $direction, depth: $depth, asOf: $asOf, perHopLimit: $perHopLimit) {
                root { ...ids }
                nodes { ...ids }
                edges { from to kind since until assertedBy { source } }
                depthReached truncated } }
            fragment ids on LineageNode {
              __typename ... on CodeVersion { id } ... on Run { id } ... on Artifact { id } ... on ModelVersion { id }
              ... on Deployment { id } }""";

    private final TestCatalog catalog;

    GraphWrites(TestCatalog catalog) {
        this.catalog = catalog;
    }

    /** A run that read {@code inputs} and wrote {@code outputs} (URIs, no digest), optionally at a commit of {@code repository}. */
    String run(String namespace, String name, Instant started, Instant ended, List<String> inputs, List<String> outputs, String commit) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("namespace", namespace);
        input.put("name", name);
        input.put("status", ended == null ? "RUNNING" : "SUCCEEDED");
        input.put("startedAt", started.toString());
        if (ended != null) {
            input.put("endedAt", ended.toString());
        }
        if (commit != null) {
            input.put("repository", "https://git.example/" + namespace);
            input.put("commit", commit);
        }
        input.put("inputs", artifacts(namespace, inputs));
        input.put("outputs", artifacts(namespace, outputs));
        return upsertRun(input);
    }

    /** upsertRun with exactly this input; the run's id. */
    String upsertRun(Map<String, Object> input) {
        return catalog.graphql("mutation($input: RunInput!) { upsertRun(input: $input) { id } }", Map.of("input", input)).ok()
                .path("upsertRun").path("id").asText();
    }

    private static List<Map<String, Object>> artifacts(String namespace, List<String> uris) {
        List<Map<String, Object>> list = new ArrayList<>();
        uris.forEach(uri -> list.add(Map.of("namespace", namespace, "uri", uri)));
        return list;
    }

    /** Registers {@code version} of {@code model} from a run (may be null) with a model file (may be null); its id. */
    String version(String namespace, String model, String version, String runId, String artifactUri, Instant createdAt) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("namespace", namespace);
        input.put("model", model);
        input.put("version", version);
        input.put("createdAt", createdAt.toString());
        if (runId != null) {
            input.put("runId", runId);
        }
        if (artifactUri != null) {
            input.put("artifact", Map.of("namespace", namespace, "uri", artifactUri, "kind", "MODEL"));
        }
        return catalog.graphql("mutation($input: ModelVersionInput!) { registerModelVersion(input: $input) { id } }",
                Map.of("input", input)).ok().path("registerModelVersion").path("id").asText();
    }

    void alias(String namespace, String model, String alias, String version, Instant at) {
        catalog.graphql("""
                mutation($ns: String!, $model: String!, $alias: String!, $version: String!, $at: DateTime) {
                  setAlias(namespace: $ns, model: $model, alias: $alias, version: $version, at: $at) { name } }""",
                Map.of("ns", namespace, "model", model, "alias", alias, "version", version, "at", at.toString())).ok();
    }

    /** Starts a deployment (a canary when {@code trafficPercent} is below 100); its id. */
    String deploy(String namespace, String environment, String target, String model, String version, Instant at, Double trafficPercent) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("namespace", namespace);
        input.put("environment", environment);
        input.put("target", target);
        input.put("model", model);
        input.put("version", version);
        input.put("startedAt", at.toString());
        input.put("deployedBy", "deploy-bot");
        if (trafficPercent != null) {
            input.put("trafficPercent", trafficPercent);
        }
        return catalog.graphql("mutation($input: DeploymentInput!) { startDeployment(input: $input) { id } }", Map.of("input", input))
                .ok().path("startDeployment").path("id").asText();
    }

    void endDeployment(String id, Instant at) {
        catalog.graphql("mutation($id: ID!, $at: DateTime) { endDeployment(id: $id, at: $at) { id } }",
                Map.of("id", id, "at", at.toString())).ok();
    }

    // ------------------------------------------------------------------ reading

    /** The lineage query's answer; null arguments are left out, so their defaults apply. */
    TestCatalog.Result lineage(String from, String direction, Integer depth, Instant asOf, Integer perHopLimit) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("from", from);
        if (direction != null) {
            vars.put("direction", direction);
        }
        if (depth != null) {
            vars.put("depth", depth);
        }
        if (asOf != null) {
            vars.put("asOf", asOf.toString());
        }
        if (perHopLimit != null) {
            vars.put("perHopLimit", perHopLimit);
        }
        return catalog.graphql(LINEAGE, vars);
    }

    /** The ids of a graph's nodes, in the order returned. */
    static List<String> nodes(JsonNode graph) {
        List<String> ids = new ArrayList<>();
        graph.path("nodes").forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    /** A graph's edges as {@code from -KIND-> to}. */
    static Set<String> edges(JsonNode graph) {
        Set<String> edges = new LinkedHashSet<>();
        graph.path("edges").forEach(e -> edges.add(edge(e.path("from").asText(), e.path("kind").asText(), e.path("to").asText())));
        return edges;
    }

    static String edge(String from, String kind, String to) {
        return from + " -" + kind + "-> " + to;
    }

    // ------------------------------------------------------------------ ids, as the catalog derives them

    static String artifact(String uri) {
        return artifact(uri, null);
    }

    /** The id of the artifact at {@code uri} with {@code digest} (normalized, as the catalog stores it). */
    static String artifact(String uri, String digest) {
        return GlobalId.of(NodeType.ARTIFACT, Ids.artifact(uri, digest));
    }

    static String codeVersion(String namespace, String commit) {
        return GlobalId.of(NodeType.CODE_VERSION, Ids.codeVersion("https://git.example/" + namespace, commit));
    }

    static String sha(char c) {
        return String.valueOf(c).repeat(40);
    }
}
