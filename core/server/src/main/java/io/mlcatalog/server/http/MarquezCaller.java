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
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * What every endpoint of Marquez's API does the same way: the caller is authenticated and its request budget counted
 * as for GraphQL, the catalog is asked as the caller (through GraphQL, with the query limits and the cost budget, or
 * through a store with the token's readable namespaces), and the answer, or a refusal, is written in Marquez's shape.
 */
final class MarquezCaller {
    private static final Logger log = LoggerFactory.getLogger(MarquezCaller.class);

    private final GraphQLService graphql;
    private final ObjectMapper mapper;
    private final Authenticator authenticator;
    private final Budgets budgets;

    MarquezCaller(GraphQLService graphql, ObjectMapper mapper, Authenticator authenticator, Budgets budgets) {
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

    /**
     * Serves one request: authenticates it (401 without a valid token), counts it against the token's request budget
     * (429 over it), then answers what {@code answer} gives for the caller, a {@link Refused} as its status.
     */
    void serve(RoutingContext ctx, String what, Function<Principal, CompletionStage<?>> answer) {
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
        Context vertx = Vertx.currentContext();
        CompletionStage<?> body;
        try {
            body = answer.apply(principal);
        } catch (RuntimeException e) {
            body = CompletableFuture.failedFuture(e);
        }
        body.whenComplete((result, failure) -> vertx.runOnContext(v -> {
            Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (cause instanceof Refused r) {
                reply(ctx, r.status, error(r.status, r.getMessage()));
            } else if (cause != null) {
                log.error("{} failed", what, cause);
                reply(ctx, 500, error(500, "internal error"));
            } else {
                reply(ctx, 200, result);
            }
        }));
    }

    /** Runs a query of ours as the caller, with its limits and budget; an error in the answer refuses the request. */
    CompletableFuture<Map<String, Object>> query(Principal principal, String query, Map<String, Object> variables) {
        GraphQLService.Prepared prepared = graphql.prepare(query);
        if (!prepared.ok()) {
            return CompletableFuture.failedFuture(new IllegalStateException("a query of Marquez's API does not parse: " + prepared.errors()));
        }
        Source source = principal.open() ? Source.api("marquez-api")
                : new Source(principal.actor(), Times.now(), null, null, principal.access());
        CostMeter meter = principal.open() ? null : new CostMeter(budgets, principal.tokenId());
        return graphql.execute(query, prepared, null, variables, source, principal, meter).thenApply(result -> {
            if (!result.getErrors().isEmpty()) {
                throw refusal(result);
            }
            return result.getData();
        });
    }

    /** A GraphQL error as this API's answer: a node the caller may not read is one that is not there. */
    private static RuntimeException refusal(ExecutionResult result) {
        GraphQLError first = result.getErrors().get(0);
        Object code = first.getExtensions() == null ? null : first.getExtensions().get("code");
        String message = first.getMessage();
        return switch (String.valueOf(code)) {
            case "NOT_FOUND", "FORBIDDEN" -> new Refused(404, "not found: " + message);
            case "BAD_USER_INPUT" -> new Refused(400, message);
            case "LIMIT_EXCEEDED" -> new Refused(400, message + " (ask for less)");
            case "THROTTLED", "RATE_LIMITED" -> new Refused(429, message);
            default -> new IllegalStateException("a query of Marquez's API failed: " + result.getErrors());
        };
    }

    /** A query parameter given at most once (null when not given). */
    static String single(RoutingContext ctx, String name) {
        java.util.List<String> values = ctx.queryParam(name);
        if (values.size() > 1) {
            throw new Refused(400, name + " is given " + values.size() + " times: give it once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    static Map<String, Object> error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", status);
        body.put("message", message);
        return body;
    }

    void reply(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(Buffer.buffer(mapper.writeValueAsBytes(body)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
