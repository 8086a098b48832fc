package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import io.mlcatalog.server.auth.Authenticator;
import io.mlcatalog.server.auth.Budgets;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.graphql.CostMeter;
import io.mlcatalog.server.graphql.GraphQLService;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.model.Times;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(MarquezLineage.class);
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

    private final GraphQLService graphql;
    private final ObjectMapper mapper;
    private final Authenticator authenticator;
    private final Budgets budgets;

    public MarquezLineage(GraphQLService graphql, ObjectMapper mapper, Authenticator authenticator, Budgets budgets) {
        this.graphql = graphql;
        this.mapper = mapper;
        this.authenticator = authenticator;
        this.budgets = budgets;
    }

    /** A refusal, answered in Marquez's error shape. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        Authenticator.Outcome who = authenticator.authenticate(ctx.request().getHeader("Authorization"), HttpAuth.wrongPlace(ctx.request()));
        if (!who.ok()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"mlcatalog\"");
            reply(ctx, 401, error(401, who.refusal()));
            return;
        }
        Principal principal = who.principal();
        try {
            budgets.request(principal.tokenId());
        } catch (Budgets.OverBudget e) {
            ctx.response().putHeader("Retry-After", String.valueOf(e.retryAfterSeconds));
            reply(ctx, 429, error(429, "this token has used its budget of " + e.status.maximumAvailable()
                    + " requests a minute; try again in " + e.retryAfterSeconds + " s"));
            return;
        }
        MarquezGraph.NodeId node;
        int depth;
        try {
            node = MarquezGraph.NodeId.parse(single(ctx, "nodeId"));
            depth = depth(single(ctx, "depth"));
        } catch (Refused r) {
            reply(ctx, r.status, error(r.status, r.getMessage()));
            return;
        }
        Context vertx = Vertx.currentContext();
        graph(principal, node, depth).whenComplete((graph, failure) -> vertx.runOnContext(v -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (cause instanceof Refused r) {
                reply(ctx, r.status, error(r.status, r.getMessage()));
            } else if (cause != null) {
                log.error("lineage for {} failed", node, cause);
                reply(ctx, 500, error(500, "internal error"));
            } else {
                reply(ctx, 200, Map.of("graph", graph));
            }
        }));
    }

    private static String single(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.size() > 1) {
            throw new Refused(400, name + " is given " + values.size() + " times: give it once");
        }
        return values.isEmpty() ? null : values.get(0);
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
        throw new Refused(400, "depth must be a whole number from 1 to " + MAX_DEPTH + ", got '" + MarquezGraph.excerpt(text) + "'");
    }

    /** The graph around a node: its roots found first, then the lineage walked from each, as the caller may see it. */
    private CompletableFuture<List<Map<String, Object>>> graph(Principal principal, MarquezGraph.NodeId node, int depth) {
        MarquezGraph graph = new MarquezGraph(node);
        CompletableFuture<List<String>> roots;
        if (node.dataset()) {
            String uri = io.mlcatalog.spi.naming.OpenLineageDatasets.uri(node.namespace(), node.name());
            roots = query(principal, DATASET_ROOT, Map.of("uri", uri)).thenApply(data -> {
                if (!(data.get("artifact") instanceof Map<?, ?> artifact)) {
                    throw new Refused(404, "no dataset " + node.namespace() + ":" + node.name() + " is recorded (its URI would be " + uri + ")");
                }
                return List.of((String) artifact.get("id"));
            });
        } else {
            roots = query(principal, JOB_ROOT, Map.of("namespace", node.namespace(), "name", node.name())).thenApply(data -> {
                if (!(data.get("job") instanceof Map<?, ?> job)) {
                    throw new Refused(404, "no job " + node.namespace() + ":" + node.name() + " is recorded");
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

    /** Runs a query of ours as the caller, with its limits and budget; an error in the answer refuses the request. */
    private CompletableFuture<Map<String, Object>> query(Principal principal, String query, Map<String, Object> variables) {
        GraphQLService.Prepared prepared = graphql.prepare(query);
        if (!prepared.ok()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the lineage query does not parse: " + prepared.errors()));
        }
        Source source = principal.open() ? Source.api("marquez-lineage")
                : new Source(principal.actor(), Times.now(), null, null, principal.access());
        CostMeter meter = principal.open() ? null : new CostMeter(budgets, principal.tokenId());
        return graphql.execute(query, prepared, null, variables, source, principal, meter).thenApply(result -> {
            if (!result.getErrors().isEmpty()) {
                throw refusal(result);
            }
            return result.getData();
        });
    }

    /** A GraphQL error as this endpoint's answer: a node the caller may not read is one that is not there. */
    private static RuntimeException refusal(ExecutionResult result) {
        GraphQLError first = result.getErrors().get(0);
        Object code = first.getExtensions() == null ? null : first.getExtensions().get("code");
        String message = first.getMessage();
        return switch (String.valueOf(code)) {
            case "NOT_FOUND", "FORBIDDEN" -> new Refused(404, "not found: " + message);
            case "BAD_USER_INPUT" -> new Refused(400, message);
            case "LIMIT_EXCEEDED" -> new Refused(400, message + " (ask for a smaller depth)");
            case "THROTTLED", "RATE_LIMITED" -> new Refused(429, message);
            default -> new IllegalStateException("the lineage query failed: " + result.getErrors());
        };
    }

    static Map<String, Object> error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", status);
        body.put("message", message);
        return body;
    }

    private void reply(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(Buffer.buffer(mapper.writeValueAsBytes(body)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
