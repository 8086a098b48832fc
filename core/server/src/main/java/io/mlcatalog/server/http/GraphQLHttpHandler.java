package io.mlcatalog.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.language.OperationDefinition;
import io.mlcatalog.server.auth.Authenticator;
import io.mlcatalog.server.auth.Budgets;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.db.ReadReplica;
import io.mlcatalog.server.graphql.CostMeter;
import io.mlcatalog.server.graphql.Errors;
import io.mlcatalog.server.graphql.GraphQLService;
import io.mlcatalog.server.model.ErrorCode;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.model.Times;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /graphql} as the GraphQL-over-HTTP spec has it: POST with a JSON body, or GET with query
 * parameters (queries only: a mutation over GET is refused with 405); responses in
 * {@code application/graphql-response+json} (a document that cannot run answers 400) or, for clients
 * that ask for it, {@code application/json} (200 for every well-formed request).
 */
public final class GraphQLHttpHandler implements Handler<RoutingContext> {
    static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    static final String JSON = "application/json";
    private static final Logger log = LoggerFactory.getLogger(GraphQLHttpHandler.class);

    private final GraphQLService graphql;
    private final ObjectMapper mapper;
    private final Authenticator authenticator;
    private final Budgets budgets;
    private final PersistedQueries persisted;
    private final io.mlcatalog.server.metrics.CatalogMetrics metrics;
    private final Reads reads;

    /**
     * A streaming replica to read from: the same schema and resolvers over the replica's connections ({@code graphql}),
     * and where each read goes ({@code replica}).
     */
    public record Reads(GraphQLService graphql, ReadReplica replica) {
    }

    public GraphQLHttpHandler(GraphQLService graphql, ObjectMapper mapper, Authenticator authenticator, Budgets budgets,
                              PersistedQueries persisted, io.mlcatalog.server.metrics.CatalogMetrics metrics) {
        this(graphql, mapper, authenticator, budgets, persisted, metrics, null);
    }

    /** As above, with queries read from a replica when {@code reads} is not null (mutations always go to the primary). */
    public GraphQLHttpHandler(GraphQLService graphql, ObjectMapper mapper, Authenticator authenticator, Budgets budgets,
                              PersistedQueries persisted, io.mlcatalog.server.metrics.CatalogMetrics metrics, Reads reads) {
        this.reads = reads;
        this.metrics = metrics;
        this.budgets = budgets;
        this.persisted = persisted;
        this.graphql = graphql;
        this.mapper = mapper;
        this.authenticator = authenticator;
    }

    /** What a client asked: the GraphQL request parameters. */
    record Request(String query, String operationName, Map<String, Object> variables, String persistedHash) {
    }

    /** A request the handler refuses before GraphQL sees it. */
    static final class Refused extends RuntimeException {
        final int status;
        final ErrorCode code;

        Refused(int status, ErrorCode code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        String media = negotiate(ctx.request().getHeader("Accept"));
        if (media == null) {
            reply(ctx, 406, JSON, error("the response can be application/graphql-response+json or application/json; "
                    + "the Accept header allows neither", ErrorCode.BAD_USER_INPUT, null));
            return;
        }
        // who asks comes first: a request without a valid token learns nothing, not even whether its query parses
        Authenticator.Outcome who = authenticator.authenticate(ctx.request().getHeader("Authorization"), HttpAuth.wrongPlace(ctx.request()));
        if (!who.ok()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"mlcatalog\"");
            reply(ctx, 401, media, error(who.refusal(), ErrorCode.UNAUTHENTICATED, null));
            return;
        }
        Principal principal = who.principal();
        try {
            budgets.request(principal.tokenId());
        } catch (Budgets.OverBudget e) {
            ctx.response().putHeader("Retry-After", String.valueOf(e.retryAfterSeconds));
            reply(ctx, 429, media, throttled("this token has used its budget of " + e.status.maximumAvailable()
                    + " requests a minute; try again in " + e.retryAfterSeconds + " s", e.retryAfterSeconds));
            return;
        }
        Request request;
        try {
            request = ctx.request().method() == HttpMethod.GET ? fromQueryString(ctx) : fromBody(ctx);
            request = resolve(request, principal, persisted);
        } catch (Refused r) {
            if (r.status == 405) {
                ctx.response().putHeader("Allow", "GET, POST");
            }
            reply(ctx, r.status, media, error(r.getMessage(), r.code, null));
            return;
        }
        GraphQLService.Prepared prepared = graphql.prepare(request.query());
        if (!prepared.ok()) {
            reply(ctx, GRAPHQL_RESPONSE.equals(media) ? 400 : 200, media, errors(prepared.errors()));
            return;
        }
        OperationDefinition selected = prepared.operation(request.operationName());
        if (selected != null && selected.getOperation() == OperationDefinition.Operation.SUBSCRIPTION) {
            reply(ctx, 400, media, error("a subscription is served over a WebSocket: connect to /graphql with the graphql-transport-ws "
                    + "protocol (the graphql-ws client does)", ErrorCode.BAD_USER_INPUT, null));
            return;
        }
        if (ctx.request().method() == HttpMethod.GET) {
            OperationDefinition op = selected;
            if (op != null && op.getOperation() != OperationDefinition.Operation.QUERY) {
                ctx.response().putHeader("Allow", "POST");
                reply(ctx, 405, media, error("only queries can be sent with GET; send mutations with POST",
                        ErrorCode.BAD_USER_INPUT, null));
                return;
            }
        }
        if (reads == null) {
            execute(ctx, media, graphql, request, prepared, selected, principal, null);
            return;
        }
        if (selected != null && selected.getOperation() == OperationDefinition.Operation.MUTATION) {
            // the client reads its write from the replica by sending this position back (MLCatalog-Min-LSN)
            execute(ctx, media, graphql, request, prepared, selected, principal, () -> reads.replica().written()
                    .onSuccess(lsn -> ctx.response().putHeader(ReadReplica.WRITTEN_HEADER, lsn)).<Void>mapEmpty().otherwiseEmpty());
            return;
        }
        Future<ReadReplica.Target> target;
        try {
            target = reads.replica().choose(ctx.request().getHeader(ReadReplica.MIN_HEADER));
        } catch (IllegalArgumentException e) {
            reply(ctx, 400, media, error(e.getMessage(), ErrorCode.BAD_USER_INPUT, null));
            return;
        }
        Request asked = request;
        target.onComplete(chosen -> {
            ReadReplica.Target t = chosen.succeeded() ? chosen.result() : ReadReplica.Target.PRIMARY;
            ctx.response().putHeader(ReadReplica.READ_FROM_HEADER, t.header());
            reads.replica().count(t);
            execute(ctx, media, t == ReadReplica.Target.REPLICA ? reads.graphql() : graphql, asked, prepared, selected, principal, null);
        });
    }

    /**
     * Runs the operation on {@code service} and answers; {@code beforeReply} (or null) runs first, once the operation is
     * done (the position of a write).
     */
    private void execute(RoutingContext ctx, String media, GraphQLService service, Request request, GraphQLService.Prepared prepared,
                         OperationDefinition selected, Principal principal, java.util.function.Supplier<Future<Void>> beforeReply) {
        // a token's writes are asserted, and logged, under its name; the client header is for open catalogs
        Source source = principal.open() ? Source.api(clientName(ctx))
                : new Source(principal.actor(), Times.now(), null, null, principal.access());
        Context vertxContext = Vertx.currentContext();
        CostMeter meter = principal.open() ? null : new CostMeter(budgets, principal.tokenId());
        long started = System.nanoTime();
        String operationName = request.operationName() != null ? request.operationName() : selected != null ? selected.getName() : null;
        String type = selected == null ? null : selected.getOperation().name().toLowerCase(Locale.ROOT);
        service.execute(request.query(), prepared, request.operationName(), request.variables(), source, principal, meter)
                .whenComplete((result, failure) -> vertxContext.runOnContext(v -> {
                    metrics.graphql(operationName, type, failure != null || meter != null && meter.refused() != null ? "refused"
                            : result.getErrors().isEmpty() ? "ok" : "errors", System.nanoTime() - started);
                    if (failure != null) {
                        log.error("GraphQL execution failed", failure);
                        reply(ctx, 500, media, error("internal error", ErrorCode.INTERNAL_ERROR, null));
                        return;
                    }
                    Map<String, Object> body = body(result);
                    if (meter != null && meter.extension() != null) {
                        body.put("extensions", Map.of("cost", meter.extension()));
                    }
                    if (meter != null && meter.refused() != null) {
                        // over budget: refused before any field ran, nothing written
                        ctx.response().putHeader("Retry-After", String.valueOf(meter.refused().retryAfterSeconds));
                        reply(ctx, 429, media, body);
                        return;
                    }
                    int status = !result.isDataPresent() && GRAPHQL_RESPONSE.equals(media) ? 400 : 200;
                    if (beforeReply == null) {
                        reply(ctx, status, media, body);
                    } else {
                        beforeReply.get().onComplete(x -> reply(ctx, status, media, body));
                    }
                }));
    }

    private static String clientName(RoutingContext ctx) {
        String client = ctx.request().getHeader("X-MLCatalog-Client");
        if (client == null || client.isBlank() || client.length() > 100 || !client.matches("[A-Za-z0-9._@/-]+")) {
            return null;
        }
        return client;
    }

    /**
     * The media type of the response: of ours, the one the Accept header gives the higher quality, or null
     * when it allows neither. As RFC 9110 (12.5.1) has it, a type named in the header takes its quality
     * from there, not from a wildcard: a client that gives one of ours q=0 and any type q=1 gets the other.
     * On a tie a type named beats one a wildcard stands for, and the first named beats the second; with none named
     * (a wildcard only) it is application/json.
     */
    static String negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return JSON; // the spec asks servers to treat a missing Accept as legacy application/json
        }
        Double graphqlResponse = null;
        Double json = null;
        Double application = null;
        Double any = null;
        String namedFirst = null;
        for (String part : accept.split(",")) {
            String[] fields = part.trim().split(";");
            String type = fields[0].trim().toLowerCase(Locale.ROOT);
            double q = quality(fields);
            switch (type) {
                case GRAPHQL_RESPONSE -> graphqlResponse = graphqlResponse == null ? q : graphqlResponse;
                case JSON -> json = json == null ? q : json;
                case "application/*" -> application = application == null ? q : application;
                case "*/*" -> any = any == null ? q : any;
                default -> {
                }
            }
            if (namedFirst == null && (type.equals(GRAPHQL_RESPONSE) || type.equals(JSON))) {
                namedFirst = type;
            }
        }
        double wildcard = application != null ? application : any != null ? any : 0;
        double graphqlQ = graphqlResponse != null ? graphqlResponse : wildcard;
        double jsonQ = json != null ? json : wildcard;
        if (graphqlQ <= 0 && jsonQ <= 0) {
            return null;
        }
        if (graphqlQ != jsonQ) {
            return graphqlQ > jsonQ ? GRAPHQL_RESPONSE : JSON;
        }
        if (graphqlResponse != null && json != null) {
            return namedFirst;
        }
        if (graphqlResponse == null && json == null) {
            // only a wildcard (*/*, application/*): an older client that named nothing, answered as the spec's
            // SHOULD asks, in application/json, which every client reads
            return JSON;
        }
        return json != null ? JSON : GRAPHQL_RESPONSE;
    }

    /** The q parameter of one element of an Accept header (1 without one; the name is case-insensitive). */
    private static double quality(String[] fields) {
        for (int i = 1; i < fields.length; i++) {
            String f = fields[i].trim().toLowerCase(Locale.ROOT);
            if (f.startsWith("q=")) {
                try {
                    double q = Double.parseDouble(f.substring(2));
                    return Double.isNaN(q) ? 0 : q;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }

    private Request fromQueryString(RoutingContext ctx) {
        String query = ctx.request().getParam("query");
        String variables = ctx.request().getParam("variables");
        Map<String, Object> vars = null;
        if (variables != null && !variables.isBlank()) {
            vars = object(parse(variables), "variables");
        }
        String extensions = ctx.request().getParam("extensions");
        return new Request(query, ctx.request().getParam("operationName"), vars,
                extensions == null || extensions.isBlank() ? null : persistedHash(parse(extensions)));
    }

    /** {@code extensions.persistedQuery.sha256Hash} (Apollo's), or null. */
    static String persistedHash(JsonNode extensions) {
        if (extensions == null || !extensions.isObject()) {
            return null;
        }
        JsonNode hash = extensions.path("persistedQuery").path("sha256Hash");
        if (hash.isMissingNode() || hash.isNull()) {
            return null;
        }
        if (!hash.isTextual() || !hash.asText().matches("[0-9a-fA-F]{64}")) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "extensions.persistedQuery.sha256Hash must be 64 hex digits");
        }
        return hash.asText();
    }

    /**
     * The query to run: the text sent, or the persisted query its hash names; for a reader, when the catalog requires it,
     * only a persisted one. The WebSocket's subscribe messages are resolved here too.
     */
    static Request resolve(Request r, Principal principal, PersistedQueries persisted) {
        String query = r.query() == null || r.query().isBlank() ? null : r.query();
        if (query == null && r.persistedHash() == null) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "the request has no query");
        }
        if (query == null) {
            query = persisted.query(r.persistedHash());
            if (query == null) {
                throw new Refused(400, ErrorCode.NOT_FOUND, "no persisted query has the hash " + r.persistedHash()
                        + (persisted.size() == 0 ? " (this catalog has none)" : "") + ": send the query text");
            }
        } else if (r.persistedHash() != null && !PersistedQueries.hash(query).equalsIgnoreCase(r.persistedHash())) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent");
        }
        if (persisted.requiredForReaders() && principal.role() == io.mlcatalog.server.auth.Role.READER && !persisted.contains(query)) {
            throw new Refused(403, ErrorCode.FORBIDDEN, "reader tokens may run only the persisted queries of this catalog: send "
                    + "extensions.persistedQuery.sha256Hash of one of them (or a query whose text is one of them)");
        }
        return new Request(query, r.operationName(), r.variables(), r.persistedHash());
    }

    private Request fromBody(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).trim().startsWith(JSON)) {
            throw new Refused(415, ErrorCode.BAD_USER_INPUT, "send the request as Content-Type: application/json");
        }
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "the request body is empty; expected {\"query\": \"…\"}");
        }
        JsonNode json = parse(body.getBytes());
        if (!json.isObject()) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "the request body must be a JSON object like {\"query\": \"…\"}");
        }
        JsonNode query = json.get("query");
        if (query != null && !query.isNull() && !query.isTextual()) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "query must be a string");
        }
        JsonNode op = json.get("operationName");
        if (op != null && !op.isNull() && !op.isTextual()) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "operationName must be a string");
        }
        JsonNode vars = json.get("variables");
        return new Request(query == null || query.isNull() ? null : query.asText(),
                op == null || op.isNull() ? null : op.asText(),
                vars == null || vars.isNull() ? null : object(vars, "variables"), persistedHash(json.get("extensions")));
    }

    private JsonNode parse(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "the request body is not valid JSON: " + jsonProblem(e));
        }
    }

    private JsonNode parse(String text) {
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, "variables is not valid JSON: " + jsonProblem(e));
        }
    }

    private static String jsonProblem(java.io.IOException e) {
        String m = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
            m += " (line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() + ")";
        }
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(JsonNode node, String what) {
        if (!node.isObject()) {
            throw new Refused(400, ErrorCode.BAD_USER_INPUT, what + " must be a JSON object");
        }
        return mapper.convertValue(node, Map.class);
    }

    static Map<String, Object> body(ExecutionResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!result.getErrors().isEmpty()) {
            body.putAll(errors(result.getErrors()));
        }
        if (result.isDataPresent()) {
            body.put("data", result.getData());
        }
        return body;
    }

    static Map<String, Object> errors(List<? extends GraphQLError> errors) {
        List<Map<String, Object>> list = new ArrayList<>(errors.size());
        errors.forEach(e -> list.add(Errors.toSpecification(e)));
        return Map.of("errors", list);
    }

    private static Map<String, Object> throttled(String message, long retryAfterSeconds) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("code", ErrorCode.THROTTLED.name());
        ext.put("retryAfterSeconds", retryAfterSeconds);
        return Map.of("errors", List.of(Map.of("message", message, "extensions", ext)));
    }

    static Map<String, Object> error(String message, ErrorCode code, String field) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("code", code.name());
        if (field != null) {
            ext.put("field", field);
        }
        return Map.of("errors", List.of(Map.of("message", message, "extensions", ext)));
    }

    private void reply(RoutingContext ctx, int status, String media, Map<String, Object> body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", media + "; charset=utf-8")
                    .end(ResponseJson.write(mapper, body));
        } catch (java.io.IOException e) {
            log.error("could not serialize a GraphQL response", e);
            ctx.response().setStatusCode(500).end();
        }
    }
}
