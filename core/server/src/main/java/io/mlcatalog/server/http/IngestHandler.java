package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.intake.Intake;
import io.mlcatalog.server.intake.IntakeAppender;
import io.mlcatalog.server.intake.IntakeQueue;
import io.mlcatalog.server.auth.Authenticator;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.plugin.BatchWriter;
import io.mlcatalog.server.plugin.Origin;
import io.mlcatalog.server.plugin.PluginsConfig;
import io.mlcatalog.server.plugin.PluginHost;
import io.mlcatalog.spi.ReceivedRequest;
import io.mlcatalog.spi.ReceiverResponse;
import io.mlcatalog.spi.RecordWriter;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.ObjIntConsumer;

/**
 * {@code /ingest/<instance>/…}: hands each request to the instance's receiver, on a worker thread,
 * after the host's checks (the instance exists, its bearer token, its body size). What the receiver
 * writes goes through the same checked, transactional writes as everything else: at once (group-committed with
 * the requests that arrive meanwhile), or, for an instance configured {@code acknowledge: queued}, checked at
 * once, stored in the intake queue before the answer, and written behind by the {@link Intake}.
 */
public final class IngestHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    private static final String RECEIVER = "mlcatalog.receiver";
    private static final String PREFIX = "mlcatalog.receiver.prefix";
    private static final String BODY = "mlcatalog.receiver.body";
    private static final String ORIGIN = "mlcatalog.receiver.origin";

    private final PluginHost host;
    private final BatchWriter writer;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final java.util.concurrent.ConcurrentMap<String, GroupCommit> groupCommits = new java.util.concurrent.ConcurrentHashMap<>();

    private final IntakeAppender intakeAppender;
    private final Intake intake;
    private final Authenticator authenticator;
    /** Told the instance and the number of requests of every transaction that writes requests at once (the metrics). */
    private volatile ObjIntConsumer<String> transactions = (instance, requests) -> {
    };

    public IngestHandler(PluginHost host, BatchWriter writer, Clock clock, ObjectMapper mapper, IntakeAppender intakeAppender, Intake intake,
                         Authenticator authenticator) {
        this.authenticator = authenticator;
        this.host = host;
        this.writer = writer;
        this.clock = clock;
        this.mapper = mapper;
        this.intakeAppender = intakeAppender;
        this.intake = intake;
    }

    /** Tells {@code observer} how many requests each transaction of an instance acknowledging {@code written} holds. */
    public void observeTransactions(ObjIntConsumer<String> observer) {
        this.transactions = observer;
    }

    /**
     * Runs before the body is read: an unknown instance, a missing token, or a declared length over the
     * instance's limit is answered without reading a byte of the body. (Vert.x Web orders a route's
     * handlers by kind and lets only platform handlers run before the body handler, hence the kind.)
     */
    public PlatformHandler gate() {
        return gate(null, null);
    }

    /** The gate of a well-known path ({@code /api/v1/lineage}) mounted to one instance. */
    public PlatformHandler gate(String fixedInstance, String mountPath) {
        return ctx -> {
            String instance = fixedInstance != null ? fixedInstance : ctx.pathParam("instance");
            PluginHost.Receiver receiver = host.receiver(instance).orElse(null);
            if (receiver == null) {
                error(ctx, 404, "no receiver instance named '" + instance + "' is configured");
                return;
            }
            Origin origin = origin(ctx, receiver);
            if (origin == null) {
                return; // answered
            }
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > receiver.config().maxBodyBytes()) {
                error(ctx, 413, "the request body has " + length + " bytes; this endpoint accepts at most " + receiver.config().maxBodyBytes());
                return;
            }
            ctx.put(RECEIVER, receiver);
            ctx.put(ORIGIN, origin);
            ctx.put(PREFIX, mountPath != null ? mountPath : "/ingest/" + instance);
            ctx.next();
        };
    }

    /**
     * Who sends the request, or null when it was refused (and answered). The instance's own token (its {@code token:})
     * makes it the instance's request; under access control a catalog token makes it that token's, written within the
     * token's grants and the instance's namespaces; a receiver that checks its requests itself (a webhook's signature)
     * takes requests without either, as the instance's.
     */
    private Origin origin(RoutingContext ctx, PluginHost.Receiver receiver) {
        String instance = receiver.instance();
        String header = ctx.request().getHeader("Authorization");
        String own = receiver.config().token();
        if (own != null && authorized(header, own)) {
            return Origin.of(instance);
        }
        if (!authenticator.enabled()) {
            if (own != null) {
                unauthorized(ctx, "this endpoint needs the header Authorization: Bearer <token>");
                return null;
            }
            return Origin.of(instance);
        }
        // with a token of its own configured the instance wants it (or a catalog token) besides its own check
        if (own == null && (header == null || header.isBlank()) && receiver.receiver().authenticatesRequests()) {
            return Origin.of(instance);
        }
        Authenticator.Outcome outcome = authenticator.authenticate(header, HttpAuth.wrongPlace(ctx.request()));
        if (!outcome.ok()) {
            unauthorized(ctx, outcome.refusal());
            return null;
        }
        Principal p = outcome.principal();
        if (!p.access().writesAnywhere()) {
            error(ctx, 403, "the token '" + p.name() + "' may only read: sending metadata takes a writer or admin token");
            return null;
        }
        return new Origin(instance, p.actor(), p.access());
    }

    private void unauthorized(RoutingContext ctx, String message) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"mlcatalog\"");
        error(ctx, 401, message);
    }

    /**
     * Reads the body, after the {@link #gate}, into one array of its exact size, handed to the receiver as it is; stopped
     * with 413 once over the instance's limit. (A generic body handler grows a buffer by doubling, then copies it out:
     * three times a batch's size in garbage for each batch.)
     */
    public Handler<RoutingContext> bodyReader() {
        return ctx -> {
            HttpServerRequest request = ctx.request();
            if (request.isEnded()) {
                ctx.put(BODY, new byte[0]);
                ctx.next();
                return;
            }
            PluginHost.Receiver receiver = ctx.get(RECEIVER);
            String expect = request.getHeader("Expect");
            if (expect != null) {
                // a client that asks first (curl does, for a body over 1 MB) is told to go on: the gate has checked the
                // instance, the token and the declared length already
                if (!expect.equalsIgnoreCase("100-continue")) {
                    error(ctx, 417, "the only expectation this endpoint meets is 100-continue");
                    return;
                }
                if (request.version() != io.vertx.core.http.HttpVersion.HTTP_1_0) {
                    ctx.response().writeContinue();
                }
            }
            BodyBytes body = new BodyBytes(receiver.config().maxBodyBytes());
            request.handler(chunk -> {
                if (!body.tooLarge() && !body.add(chunk)) {
                    error(ctx, 413, "the request body has more than " + receiver.config().maxBodyBytes()
                            + " bytes; this endpoint accepts at most " + receiver.config().maxBodyBytes());
                }
            });
            request.exceptionHandler(e -> {
                if (!ctx.response().ended()) {
                    ctx.fail(e);
                }
            });
            request.endHandler(end -> {
                if (!body.tooLarge()) {
                    ctx.put(BODY, body.bytes());
                    ctx.next();
                }
            });
            request.resume();
        };
    }

    /**
     * A body as the chunks it arrives in (each already a copy of its own), joined once at the end: memory in proportion
     * to what was received, never to what a client declares, and one copy.
     */
    static final class BodyBytes {
        private final long limit;
        private final List<Buffer> chunks = new ArrayList<>();
        private long size;
        private boolean tooLarge;

        BodyBytes(long limit) {
            this.limit = limit;
        }

        /** Adds a chunk; false (and nothing kept from then on) once the body is over the limit. */
        boolean add(Buffer chunk) {
            size += chunk.length();
            if (size > limit) {
                tooLarge = true;
                chunks.clear();
                return false;
            }
            chunks.add(chunk);
            return true;
        }

        boolean tooLarge() {
            return tooLarge;
        }

        byte[] bytes() {
            byte[] bytes = new byte[(int) size];
            int at = 0;
            for (Buffer chunk : chunks) {
                chunk.getBytes(0, chunk.length(), bytes, at);
                at += chunk.length();
            }
            chunks.clear();
            return bytes;
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        PluginHost.Receiver receiver = ctx.get(RECEIVER);
        String instance = receiver.instance();
        Origin origin = ctx.get(ORIGIN);
        byte[] bytes = ctx.get(BODY);
        String prefix = ctx.get(PREFIX);
        String path = ctx.request().path().length() > prefix.length() ? ctx.request().path().substring(prefix.length()) : "/";
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ctx.request().headers().forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.getValue()));
        Map<String, List<String>> query = new LinkedHashMap<>();
        ctx.queryParams().forEach(q -> query.computeIfAbsent(q.getKey(), k -> new ArrayList<>()).add(q.getValue()));
        ReceivedRequest request = new ReceivedRequest(ctx.request().method().name(), path, query, headers, bytes);
        boolean queued = receiver.config().acknowledge() == PluginsConfig.Acknowledge.QUEUED;
        Instant receivedAt = clock.instant();
        AtomicBoolean carriesRecords = new AtomicBoolean();
        GroupCommit commits = queued ? null : groupCommits.computeIfAbsent(instance,
                i -> new GroupCommit(i, writer, clock, requests -> transactions.accept(i, requests)));
        RecordWriter records = batch -> {
            try {
                if (queued) {
                    // checked now, written once the request is stored (see handle below) and replayed by the intake
                    writer.validate(origin, batch, receivedAt);
                    if (!batch.isEmpty()) {
                        carriesRecords.set(true);
                    }
                } else {
                    commits.write(origin, batch);
                }
            } catch (io.mlcatalog.spi.InvalidRecordException e) {
                // the receiver answers its client; the status shows the reason too, as it does for a source's poll
                host.receiverFailed(instance, "request refused, nothing written: " + e.getMessage(), 1);
                throw e;
            }
        };
        // receivers may block (they write synchronously): never on the event loop; unordered, so requests run side by side
        ctx.vertx().<ReceiverResponse>executeBlocking(() -> {
            try {
                ReceiverResponse response = PluginHost.withPluginClassLoader(receiver.receiver(),
                        () -> receiver.receiver().handle(request, records));
                if (queued && carriesRecords.get() && response.status() < 300) {
                    // acknowledged once stored: a failure to store answers an error, and the client sends it again
                    intakeAppender.append(new IntakeQueue.Stored(origin, receivedAt, request));
                    intake.stored();
                }
                return response;
            } catch (Exception | LinkageError e) {
                host.receiverFailed(instance, "request failed: " + e, 0);
                throw e;
            }
        }, false).onComplete(done -> {
            if (done.succeeded()) {
                ReceiverResponse r = done.result();
                ctx.response().setStatusCode(r.status()).putHeader("Content-Type", r.contentType()).end(Buffer.buffer(r.body()));
            } else {
                String id = UUID.randomUUID().toString();
                log.error("receiver {} failed on a request (error id {})", instance, id, done.cause());
                error(ctx, 500, "the receiver failed (error id " + id + "); the server log has the details");
            }
        });
    }

    /** Compares in constant time, so response timing does not reveal the token. */
    static boolean authorized(String header, String token) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).strip().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private void error(RoutingContext ctx, int status, String message) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(mapper.writeValueAsBytes(Map.of("error", message))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
