package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.auth.Authenticator;
import io.mlcatalog.server.auth.Budgets;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.graphql.GraphQLService;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /api/v1/lineage?nodeId=…&depth=…}: the lineage around a dataset or a job, in the shape Marquez's API
 * answers it ({@code {"graph": [{"id", "type", "data", "inEdges", "outEdges"}]}}), so that Marquez's web UI and scripts
 * written against Marquez read the catalog.
 *
 * <p>It asks the catalog's own GraphQL API, as the caller: the token's namespaces, the query limits and budgets, and the
 * lineage walk (with its access rule: nodes the token may not read are left out, with whatever is reached only through
 * them) are those of {@code lineage} in GraphQL. What it adds is the translation: runs become their jobs (the namespace
 * and pipeline of a run), artifacts their datasets (named back the OpenLineage way), see {@link MarquezGraph}.
 */
public final class MarquezLineage implements Handler<RoutingContext> {
    /** Marquez's default depth, and the catalog's deepest lineage walk. */
    static final int MAX_DEPTH = 20;
    /** A job's lineage is walked from its newest runs (and its declared datasets), at most this many roots in all. */
    static final int MAX_ROOTS = 5;

    private static final String NODE_FIELDS = """
            nodes { __typename
              ... on Run { id namespace name pipeline externalId status startedAt endedAt jobFacets }
              ... on Artifact { id namespace name uri createdAt facets
                declaredReadBy { namespace name facets } declaredWrittenBy { namespace name facets } } }
            edges { from to kind }""";
    private static final String DATASET_ROOT = """
            query($uri: String!) { artifact(uri: $uri) { id } }""";
    private static final String JOB_ROOT = """
            query($namespace: String!, $name: String!) { job(namespace: $namespace, name: $name) {
              facets runs(first: %d) { edges { node { id namespace name pipeline externalId status startedAt endedAt } } }
              declaredInputs { id namespace name uri createdAt facets }
              declaredOutputs { id namespace name uri createdAt facets } } }""".formatted(MAX_ROOTS);

    private final MarquezCaller caller;

    public MarquezLineage(GraphQLService graphql, ObjectMapper mapper, Authenticator authenticator, Budgets budgets) {
        this(new MarquezCaller(graphql, mapper, authenticator, budgets));
    }

    MarquezLineage(MarquezCaller caller) {
        this.caller = caller;
    }

    @Override
    public void handle(RoutingContext ctx) {
        caller.serve(ctx, "lineage", principal -> {
            MarquezGraph.NodeId node = MarquezGraph.NodeId.parse(MarquezCaller.single(ctx, "nodeId"));
            int depth = depth(MarquezCaller.single(ctx, "depth"));
            return graph(principal, node, depth).thenApply(graph -> Map.of("graph", graph));
        });
    }

    private static int depth(String text) {
        if (text == null) {
            return MAX_DEPTH;
        }
        try {
            int depth = Integer.parseInt(text.strip());
            if (depth >= 1 && depth <= MAX_DEPTH) {
                return depth;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new MarquezCaller.Refused(400, "depth must be a whole number from 1 to " + MAX_DEPTH + ", got '" + MarquezGraph.excerpt(text) + "'");
    }

    /** The graph around a node: its roots found first, then the lineage walked from each, as the caller may see it. */
    private CompletableFuture<List<Map<String, Object>>> graph(Principal principal, MarquezGraph.NodeId node, int depth) {
        MarquezGraph graph = new MarquezGraph(node);
        CompletableFuture<List<String>> roots;
        if (node.dataset()) {
            String uri = io.mlcatalog.spi.naming.OpenLineageDatasets.uri(node.namespace(), node.name());
            roots = query(principal, DATASET_ROOT, Map.of("uri", uri)).thenApply(data -> {
                if (!(data.get("artifact") instanceof Map<?, ?> artifact)) {
                    throw new MarquezCaller.Refused(404, "no dataset " + node.namespace() + ":" + node.name() + " is recorded (its URI would be " + uri + ")");
                }
                return List.of((String) artifact.get("id"));
            });
        } else {
            roots = query(principal, JOB_ROOT, Map.of("namespace", node.namespace(), "name", node.name())).thenApply(data -> {
                if (!(data.get("job") instanceof Map<?, ?> job)) {
                    throw new MarquezCaller.Refused(404, "no job " + node.namespace() + ":" + node.name() + " is recorded");
                }
                return graph.rootJob(MarquezGraph.cast(job), MAX_ROOTS);
            });
        }
        return roots.thenCompose(ids -> {
            if (ids.isEmpty()) {
                return CompletableFuture.completedFuture(graph.nodes());
            }
            StringBuilder q = new StringBuilder("query(");
            Map<String, Object> variables = new LinkedHashMap<>();
            List<String> walks = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                q.append(i == 0 ? "" : ", ").append("$r").append(i).append(": ID!");
                variables.put("r" + i, ids.get(i));
                walks.add("w" + i + ": lineage(from: $r" + i + ", direction: BOTH, depth: " + depth + ") { " + NODE_FIELDS + " }");
            }
            q.append(") { ").append(String.join("\n", walks)).append(" }");
            return query(principal, q.toString(), variables).thenApply(data -> {
                for (int i = 0; i < ids.size(); i++) {
                    graph.add(MarquezGraph.cast(data.get("w" + i)));
                }
                return graph.nodes();
            });
        });
    }

    private CompletableFuture<Map<String, Object>> query(Principal principal, String query, Map<String, Object> variables) {
        return caller.query(principal, query, variables);
    }
}
