package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import graphql.language.OperationDefinition;
import io.mlcatalog.server.auth.Authenticator;
import io.mlcatalog.server.auth.Budgets;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.graphql.CostMeter;
import io.mlcatalog.server.graphql.GraphQLService;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.ErrorCode;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.model.Times;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * GraphQL over a WebSocket on {@code /graphql}, in the {@code graphql-transport-ws} protocol (the one the
 * {@code graphql-ws} client speaks): {@code connection_init} (with the token, as {@code {"Authorization": "Bearer …"}} in
 * its payload, or the upgrade request's header), then {@code subscribe} messages, each answered with {@code next}
 * messages and a {@code complete}, until the client sends {@code complete} for it. Queries and mutations are answered
 * once; subscriptions ({@code Subscription.events}) until they end.
 *
 * <p>The token is checked at {@code connection_init}, and again for every event a subscription delivers: a token revoked
 * or expired meanwhile ends its subscriptions with an error. Closes with the protocol's codes: 4400 for a message it
 * cannot read, 4401 for a subscribe before the connection is acknowledged, 4403 for a token refused, 4406 without the
 * subprotocol, 4408 when no {@code connection_init} comes in time, 4409 for an id already subscribed, 4429 for a second
 * {@code connection_init}.
 */
public final class GraphQLWebSocket implements Handler<RoutingContext> {
    public static final String SUBPROTOCOL = "graphql-transport-ws";
    private static final Logger log = LoggerFactory.getLogger(GraphQLWebSocket.class);
    static final long INIT_TIMEOUT_MS = 10_000;
    static final int MAX_SUBSCRIPTIONS = 100;
    private final AtomicInteger open = new AtomicInteger();

    private final GraphQLService graphql;
    private final ObjectMapper mapper;
    private final Authenticator authenticator;
    private final Budgets budgets;
    private final PersistedQueries persisted;

    public GraphQLWebSocket(GraphQLService graphql, ObjectMapper mapper, Authenticator authenticator, Budgets budgets, PersistedQueries persisted) {
        this.graphql = graphql;
        this.mapper = mapper;
        this.authenticator = authenticator;
        this.budgets = budgets;
        this.persisted = persisted;
    }

    /** Subscriptions open on this node now, over every connection. */
    public int openSubscriptions() {
        return open.get();
    }

    @Override
    public void handle(RoutingContext ctx) {
        String upgrade = ctx.request().getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        ctx.request().toWebSocket().onSuccess(ws -> new Connection(ws, header).start())
                .onFailure(e -> log.debug("WebSocket upgrade failed: {}", e.toString()));
    }

    /** One client's connection. Its state is touched on its own context only. */
    private final class Connection {
        private final ServerWebSocket ws;
        private final String upgradeAuthorization;
        private final Context context;
        private final Map<String, Subscription> running = new HashMap<>();
        private String authorization;
        private Principal principal;
        private boolean initialised;
        private boolean closed;

        Connection(ServerWebSocket ws, String upgradeAuthorization) {
            this.ws = ws;
            this.upgradeAuthorization = upgradeAuthorization;
            this.context = Vertx.currentContext();
        }

        void start() {
            if (!SUBPROTOCOL.equals(ws.subProtocol())) {
                close(4406, "Subprotocol not acceptable: use " + SUBPROTOCOL);
                return;
            }
            long timer = context.owner().setTimer(INIT_TIMEOUT_MS, id -> {
                if (!initialised) {
                    close(4408, "Connection initialisation timeout");
                }
            });
            ws.textMessageHandler(this::message);
            ws.binaryMessageHandler(b -> close(4400, "binary messages are not part of " + SUBPROTOCOL));
            ws.closeHandler(v -> {
                closed = true;
                context.owner().cancelTimer(timer);
                running.values().forEach(Subscription::cancel);
                open.addAndGet(-running.size());
                running.clear();
            });
        }

        private void message(String text) {
            JsonNode m;
            try {
                m = mapper.readTree(text);
            } catch (Exception e) {
                close(4400, "the message is not JSON");
                return;
            }
            if (m == null || !m.isObject() || !m.path("type").isTextual()) {
                close(4400, "a message is a JSON object with a type");
                return;
            }
            switch (m.path("type").asText()) {
                case "connection_init" -> init(m.path("payload"));
                case "ping" -> send(ordered("type", "pong"));
                case "pong" -> {
                }
                case "subscribe" -> subscribe(m);
                case "complete" -> {
                    Subscription s = running.remove(m.path("id").asText());
                    if (s != null) {
                        s.cancel();
                        open.decrementAndGet();
                    }
                }
                default -> close(4400, "unknown message type '" + excerpt(m.path("type").asText()) + "'");
            }
        }

        private void init(JsonNode payload) {
            if (initialised) {
                close(4429, "Too many initialisation requests");
                return;
            }
            String fromPayload = null;
            if (payload.isObject()) {
                for (String key : List.of("Authorization", "authorization")) {
                    if (payload.path(key).isTextual()) {
                        fromPayload = payload.path(key).asText();
                    }
                }
                if (fromPayload == null && payload.path("headers").path("Authorization").isTextual()) {
                    fromPayload = payload.path("headers").path("Authorization").asText();
                }
            }
            authorization = fromPayload != null ? fromPayload : upgradeAuthorization;
            Authenticator.Outcome who = authenticator.authenticate(authorization, null);
            if (!who.ok()) {
                close(4403, "Forbidden: " + who.refusal());
                return;
            }
            principal = who.principal();
            initialised = true;
            send(ordered("type", "connection_ack"));
        }

        private void subscribe(JsonNode m) {
            if (!initialised) {
                close(4401, "Unauthorized: send connection_init first");
                return;
            }
            String id = m.path("id").asText("");
            if (id.isEmpty() || id.length() > 128) {
                close(4400, "a subscribe message has an id (at most 128 characters)");
                return;
            }
            if (running.containsKey(id)) {
                close(4409, "Subscriber for " + excerpt(id) + " already exists");
                return;
            }
            JsonNode payload = m.path("payload");
            String query;
            try {
                // the query text or a persisted query's hash, as over HTTP (and only persisted ones for readers, if required)
                query = GraphQLHttpHandler.resolve(new GraphQLHttpHandler.Request(payload.path("query").asText(null), null, null,
                        GraphQLHttpHandler.persistedHash(payload.path("extensions"))), principal, persisted).query();
            } catch (GraphQLHttpHandler.Refused r) {
                error(id, r.getMessage(), r.code);
                return;
            }
            try {
                budgets.request(principal.tokenId());
            } catch (Budgets.OverBudget e) {
                error(id, "this token has used its budget of " + e.status.maximumAvailable() + " requests a minute; try again in "
                        + e.retryAfterSeconds + " s", ErrorCode.THROTTLED);
                return;
            }
            GraphQLService.Prepared prepared = graphql.prepare(query);
            if (!prepared.ok()) {
                send(ordered("id", id, "type", "error", "payload", GraphQLHttpHandler.errors(prepared.errors()).get("errors")));
                return;
            }
            String operationName = payload.path("operationName").isTextual() ? payload.path("operationName").asText() : null;
            OperationDefinition op = prepared.operation(operationName);
            boolean subscription = op != null && op.getOperation() == OperationDefinition.Operation.SUBSCRIPTION;
            if (subscription && running.size() >= MAX_SUBSCRIPTIONS) {
                error(id, "a connection may hold " + MAX_SUBSCRIPTIONS + " subscriptions at most", ErrorCode.LIMIT_EXCEEDED);
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> variables = payload.path("variables").isObject() ? mapper.convertValue(payload.path("variables"), Map.class) : Map.of();
            Source source = principal.open() ? Source.api(null) : new Source(principal.actor(), Times.now(), null, null, principal.access());
            // every event a subscription delivers asks again who this is: the token may be revoked, its grants changed
            String presented = authorization;
            Supplier<Principal> now = () -> {
                Authenticator.Outcome who = authenticator.authenticate(presented, null);
                if (!who.ok()) {
                    throw new CatalogException(ErrorCode.UNAUTHENTICATED, who.refusal(), null);
                }
                return who.principal();
            };
            Placeholder placeholder = new Placeholder();
            if (subscription) {
                running.put(id, placeholder);
                open.incrementAndGet();
            }
            // its cost is charged to the token's budget as over HTTP (a subscription's once, when it starts)
            CostMeter meter = principal.open() ? null : new CostMeter(budgets, principal.tokenId());
            graphql.execute(query, prepared, operationName, variables, source, principal, meter, now).whenComplete((result, failure) ->
                    context.runOnContext(v -> {
                        if (failure != null) {
                            log.error("GraphQL execution over a WebSocket failed", failure);
                            forget(id, placeholder);
                            error(id, "internal error", ErrorCode.INTERNAL_ERROR);
                            return;
                        }
                        if (subscription && result.getData() instanceof Publisher<?> events && result.getErrors().isEmpty()) {
                            if (running.get(id) != placeholder) {
                                return; // completed by the client meanwhile, or the connection closed
                            }
                            @SuppressWarnings("unchecked")
                            Publisher<ExecutionResult> results = (Publisher<ExecutionResult>) events;
                            results.subscribe(new Forwarder(id, placeholder));
                            return;
                        }
                        forget(id, placeholder);
                        if (subscription) {
                            // refused before it began (a filter naming a namespace the token may not read)
                            send(ordered("id", id, "type", "error", "payload", GraphQLHttpHandler.errors(result.getErrors()).get("errors")));
                            return;
                        }
                        send(ordered("id", id, "type", "next", "payload", GraphQLHttpHandler.body(result)));
                        send(ordered("id", id, "type", "complete"));
                    }));
        }

        private void forget(String id, Subscription s) {
            if (running.get(id) == s) {
                running.remove(id);
                open.decrementAndGet();
            }
        }

        /** Sends a subscription's results, one at a time: the next is asked for once the last one is written. */
        private final class Forwarder implements Subscriber<ExecutionResult> {
            private final String id;
            private final Placeholder placeholder;
            private Subscription upstream;

            Forwarder(String id, Placeholder placeholder) {
                this.id = id;
                this.placeholder = placeholder;
            }

            @Override
            public void onSubscribe(Subscription s) {
                context.runOnContext(v -> {
                    upstream = s;
                    if (closed || running.get(id) != placeholder) {
                        s.cancel();
                        return;
                    }
                    placeholder.upstream = s;
                    s.request(1);
                });
            }

            @Override
            public void onNext(ExecutionResult r) {
                context.runOnContext(v -> {
                    if (closed || running.get(id) != placeholder) {
                        return;
                    }
                    write(ordered("id", id, "type", "next", "payload", GraphQLHttpHandler.body(r)))
                            .onComplete(written -> context.runOnContext(x -> {
                                if (!closed && running.get(id) == placeholder) {
                                    upstream.request(1);
                                }
                            }));
                });
            }

            @Override
            public void onError(Throwable t) {
                context.runOnContext(v -> {
                    if (running.get(id) != placeholder) {
                        return;
                    }
                    forget(id, placeholder);
                    ErrorCode code = t instanceof CatalogException ce ? ce.code() : ErrorCode.INTERNAL_ERROR;
                    if (code == ErrorCode.INTERNAL_ERROR && !(t instanceof IllegalStateException)) {
                        log.error("a subscription failed", t);
                    }
                    error(id, t instanceof CatalogException || t instanceof IllegalStateException ? t.getMessage() : "internal error",
                            t instanceof IllegalStateException ? ErrorCode.LIMIT_EXCEEDED : code);
                });
            }

            @Override
            public void onComplete() {
                context.runOnContext(v -> {
                    if (running.get(id) == placeholder) {
                        forget(id, placeholder);
                        send(ordered("id", id, "type", "complete"));
                    }
                });
            }
        }

        private void error(String id, String message, ErrorCode code) {
            send(ordered("id", id, "type", "error", "payload", List.of(ordered("message", message, "extensions", Map.of("code", code.name())))));
        }

        private io.vertx.core.Future<Void> write(Map<String, Object> message) {
            if (closed) {
                return io.vertx.core.Future.succeededFuture();
            }
            try {
                return ws.writeTextMessage(mapper.writeValueAsString(message));
            } catch (Exception e) {
                log.error("could not write a WebSocket message", e);
                return io.vertx.core.Future.failedFuture(e);
            }
        }

        private void send(Map<String, Object> message) {
            write(message);
        }

        private void close(int code, String reason) {
            if (!closed) {
                closed = true;
                ws.close((short) code, closeReason(reason));
            }
        }
    }

    /** A subscription being set up: its place in the connection's map, and later what it forwards from. */
    private static final class Placeholder implements Subscription {
        volatile Subscription upstream;

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }
    }

    private static String excerpt(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    /** A close frame's reason holds 123 bytes at most. */
    static String closeReason(String reason) {
        String r = reason.length() > 120 ? reason.substring(0, 120) : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** A message's fields in the order given (type first, as clients log them). */
    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
