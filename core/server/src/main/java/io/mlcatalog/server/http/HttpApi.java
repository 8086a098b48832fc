package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.graphql.GraphQLService;
import io.mlcatalog.server.model.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.mlcatalog.server.auth.Authenticator;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.graphql.GraphiQLHandler;
import io.vertx.ext.web.handler.graphql.GraphiQLHandlerOptions;

import java.util.Map;

/**
 * The HTTP routes: /graphql (also a WebSocket for subscriptions), /graphiql, /ui/ (the incident page), /metrics, /health,
 * /ready, and GET /api/v1/lineage, /api/v1/namespaces…, /api/v1/jobs…, /api/v1/search (Marquez's read API).
 */
public final class HttpApi {
    /** The version of the cytoscape WebJar the page draws graphs with (the pom's cytoscape.version). */
    static final String CYTOSCAPE = "3.33.1";

    private HttpApi() {
    }

    public static Router router(Vertx vertx, GraphQLService graphql, Db db, Limits limits, ObjectMapper mapper, IngestHandler ingest,
                                Map<String, String> wellKnownPaths, Authenticator authenticator, io.mlcatalog.server.auth.Budgets budgets,
                                PersistedQueries persisted, boolean graphiql, io.mlcatalog.server.metrics.CatalogMetrics metrics,
                                GraphQLHttpHandler.Reads reads) {
        Router router = Router.router(vertx);
        // before the ingest routes: OpenLineage clients POST to /api/v1/lineage, Marquez's UI and scripts GET from it
        MarquezCaller marquez = new MarquezCaller(graphql, mapper, authenticator, budgets);
        router.get("/api/v1/lineage").handler(new MarquezLineage(marquez));
        // the rest of Marquez's read API: namespaces, jobs, runs, datasets, search
        new MarquezApi(marquez, new io.mlcatalog.server.store.MarquezStore(db)).route(router);
        Handler<RoutingContext> ingestBody = ingest.bodyReader();
        router.route("/ingest/:instance").handler(ingest.gate()).handler(ingestBody).handler(ingest);
        router.route("/ingest/:instance/*").handler(ingest.gate()).handler(ingestBody).handler(ingest);
        wellKnownPaths.forEach((path, instance) -> {
            router.route(path).handler(ingest.gate(instance, path)).handler(ingestBody).handler(ingest);
            router.route(path + "/*").handler(ingest.gate(instance, path)).handler(ingestBody).handler(ingest);
        });
        GraphQLHttpHandler handler = new GraphQLHttpHandler(graphql, mapper, authenticator, budgets, persisted, metrics, reads);
        GraphQLWebSocket webSocket = new GraphQLWebSocket(graphql, mapper, authenticator, budgets, persisted);
        metrics.gauge("mlcatalog.subscriptions", "subscriptions open on this node", webSocket, GraphQLWebSocket::openSubscriptions);
        // a WebSocket upgrade (subscriptions) first: any other GET goes on to the HTTP handler
        router.route("/graphql").method(HttpMethod.GET).handler(webSocket);
        router.route("/graphql").method(HttpMethod.GET).handler(handler);
        router.route("/graphql").method(HttpMethod.POST)
                .handler(BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes()))
                .handler(handler);
        router.route("/graphql").handler(ctx -> {
            ctx.response().putHeader("Allow", "GET, POST");
            json(ctx, 405, GraphQLHttpHandler.error("use GET or POST", ErrorCode.BAD_USER_INPUT, null), mapper);
        });
        if (graphiql) {
            // the page holds no secret: a user pastes {"Authorization": "Bearer …"} into its Headers tab
            router.route("/graphiql*").subRouter(GraphiQLHandler.create(vertx, new GraphiQLHandlerOptions()
                    .setEnabled(true)
                    .setGraphQLUri("/graphql")).router());
        }
        // the incident page: static files from the jar (the token is given in the page and sent with its GraphQL requests)
        router.get("/ui").handler(ctx -> {
            if (ctx.request().path().equals("/ui")) {
                ctx.redirect("/ui/");
            } else {
                ctx.next();
            }
        });
        router.route("/ui/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
                    + "img-src 'self' data:; frame-ancestors 'none'");
            ctx.response().putHeader("X-Content-Type-Options", "nosniff");
            ctx.next();
        });
        router.get("/ui/vendor/*").handler(StaticHandler.create(FileSystemAccess.RELATIVE,
                "META-INF/resources/webjars/cytoscape/" + CYTOSCAPE + "/dist").setCachingEnabled(true));
        router.get("/ui/*").handler(StaticHandler.create(FileSystemAccess.RELATIVE, "io/mlcatalog/ui").setIndexPage("index.html"));
        router.get("/health").handler(ctx -> json(ctx, 200, Map.of("status", "alive"), mapper));
        // Prometheus's text format; under access control, for any valid token (Prometheus sends one: authorization.credentials)
        router.get("/metrics").handler(ctx -> {
            Authenticator.Outcome who = authenticator.authenticate(ctx.request().getHeader("Authorization"), null);
            if (!who.ok()) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"mlcatalog\"");
                json(ctx, 401, Map.of("error", who.refusal()), mapper);
                return;
            }
            ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
        });
        // ready while the primary answers: without the replica, reads go to the primary (the body says so)
        router.get("/ready").handler(ctx -> db.ping().onComplete(ping -> {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("status", ping.succeeded() ? "ready" : "unavailable");
            if (ping.failed()) {
                body.put("reason", "the database is not reachable");
            }
            if (reads != null) {
                body.put("replica", reads.replica().state());
            }
            json(ctx, ping.succeeded() ? 200 : 503, body, mapper);
        }));
        if (graphiql) {
            router.get("/").handler(ctx -> ctx.redirect("/graphiql/"));
        }
        router.errorHandler(413, ctx -> {
            if (!ctx.request().path().startsWith("/graphql")) {
                json(ctx, 413, Map.of("error", "the request body is larger than this endpoint accepts"), mapper);
            } else {
                json(ctx, 413, GraphQLHttpHandler.error("the request body is larger than the limit of " + limits.maxBodyBytes() + " bytes",
                        ErrorCode.LIMIT_EXCEEDED, null), mapper);
            }
        });
        return router;
    }

    public static Future<HttpServer> listen(Vertx vertx, Router router, String host, int port) {
        return vertx.createHttpServer(new HttpServerOptions()
                        .setHost(host)
                        .setPort(port)
                        .setCompressionSupported(true)
                        // GET /graphql carries the query in the URL
                        .setMaxInitialLineLength(64 * 1024)
                        .addWebSocketSubProtocol(GraphQLWebSocket.SUBPROTOCOL))
                .requestHandler(router)
                .listen();
    }

    private static void json(RoutingContext ctx, int status, Map<String, ?> body, ObjectMapper mapper) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(Buffer.buffer(mapper.writeValueAsBytes(body)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
