package io.mlcatalog.server.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.events.CatalogEvent;
import io.mlcatalog.server.events.ChangeFeed;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Times;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the change feed's events to the webhooks, on every node, each delivery once at a time: a node turns new events
 * into deliveries (one webhook at a time, locked in the database, so two nodes never make the same ones), then claims
 * the deliveries that are due and POSTs them. A delivery is kept until the receiver answers 2xx (at least once: a
 * receiver dedupes with the {@code Idempotency-Key} header); a failure is tried again after the {@link Backoff}, for
 * hours. A node that dies holding a claim loses it after a minute.
 *
 * <p>Nothing here is on the path of a write: a receiver that is slow or down holds at most {@value #IN_FLIGHT}
 * requests of this node open, each for at most {@link #TIMEOUT}, and the catalog goes on writing and answering.
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    static final int IN_FLIGHT = 32;
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLAIM = Duration.ofSeconds(60);
    private static final int PAGE = 1_000;
    private static final long TICK_MS = 1_000;

    private final Vertx vertx;
    private final Db db;
    private final WebhookStore store;
    private final ChangeFeed feed;
    private final Backoff backoff;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();
    /** How long a receiver may take to answer: {@link #TIMEOUT}, or {@code -Dmlcatalog.webhooks.timeoutMs} (for tests). */
    private final Duration timeout = Duration.ofMillis(Long.getLong("mlcatalog.webhooks.timeoutMs", TIMEOUT.toMillis()));
    private final HttpClient http;
    private Context context;
    private Runnable unlisten = () -> {
    };
    private long timer = -1;
    private boolean making;
    private boolean makeAgain;
    private boolean claiming;
    private int inFlight;
    private volatile boolean closed;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public WebhookSender(Vertx vertx, Db db, WebhookStore store, ChangeFeed feed, Backoff backoff, Clock clock) {
        this.vertx = vertx;
        this.db = db;
        this.store = store;
        this.feed = feed;
        this.backoff = backoff;
        this.clock = clock;
        // redirects are not followed: a receiver's answer is its own
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public void start() {
        context = vertx.getOrCreateContext();
        context.runOnContext(x -> {
            unlisten = feed.listen(batch -> context.runOnContext(y -> make()));
            timer = vertx.setPeriodic(TICK_MS, id -> context.runOnContext(y -> {
                make();
                send();
            }));
        });
    }

    /** Deliveries answered 2xx, and attempts that failed, by this node since it started. */
    public long sent() {
        return sent.get();
    }

    public long failures() {
        return failures.get();
    }

    /** Requests this node has open to receivers now. */
    public int inFlight() {
        return inFlight;
    }

    // ------------------------------------------------------------------ events → deliveries

    private void make() {
        if (closed) {
            return;
        }
        if (making) {
            makeAgain = true;
            return;
        }
        making = true;
        makeAgain = false;
        store.all().compose(webhooks -> {
            Future<Boolean> chain = Future.succeededFuture(false);
            for (WebhookStore.Webhook w : webhooks) {
                if (w.active()) {
                    chain = chain.compose(more -> make(w).map(m -> more || m));
                }
            }
            return chain;
        }).onComplete(r -> context.runOnContext(x -> {
            making = false;
            if (r.failed() && !closed) {
                log.warn("webhooks: making deliveries failed (tried again within {} ms): {}", TICK_MS, r.cause().toString());
            }
            if (r.succeeded() && r.result()) {
                send();
            }
            if (makeAgain || r.succeeded() && r.result()) {
                make();
            }
        }));
    }

    /** Makes one page of a webhook's deliveries; true when it made any. */
    private Future<Boolean> make(WebhookStore.Webhook webhook) {
        return db.inTransaction(tx -> store.lockPosition(tx, webhook.id()).compose(position -> {
            if (position == null) {
                return Future.succeededFuture(false); // another node is making them
            }
            return feed.page(position, Long.MAX_VALUE, PAGE, null).compose(page -> {
                if (page.isEmpty()) {
                    return Future.succeededFuture(false);
                }
                List<Long> seqs = new ArrayList<>();
                page.stream().filter(webhook.filter()::matches).forEach(e -> seqs.add(e.seq()));
                return store.addDeliveries(tx, webhook.id(), seqs, page.get(page.size() - 1).seq()).map(!seqs.isEmpty() || page.size() == PAGE);
            });
        }));
    }

    // ------------------------------------------------------------------ deliveries → receivers

    private void send() {
        if (closed || claiming || inFlight >= IN_FLIGHT) {
            return;
        }
        claiming = true;
        int room = IN_FLIGHT - inFlight;
        store.claimDue(room, CLAIM).compose(due -> due.isEmpty() ? Future.succeededFuture(List.<Claimed>of())
                : store.all().compose(webhooks -> {
            Map<UUID, WebhookStore.Webhook> byId = new HashMap<>();
            webhooks.forEach(w -> byId.put(w.id(), w));
            return feed.entries(due.stream().map(WebhookStore.Delivery::seq).distinct().toList()).map(events -> {
                Map<Long, CatalogEvent> bySeq = new HashMap<>();
                events.forEach(e -> bySeq.put(e.seq(), e));
                List<Claimed> claimed = new ArrayList<>();
                due.forEach(d -> claimed.add(new Claimed(d, byId.get(d.webhookId()), bySeq.get(d.seq()))));
                return claimed;
            });
        })).onComplete(r -> context.runOnContext(x -> {
            claiming = false;
            if (r.failed()) {
                if (!closed) {
                    log.warn("webhooks: claiming deliveries failed (tried again within {} ms): {}", TICK_MS, r.cause().toString());
                }
                return;
            }
            for (Claimed c : r.result()) {
                post(c);
            }
        }));
    }

    private record Claimed(WebhookStore.Delivery delivery, WebhookStore.Webhook webhook, CatalogEvent event) {
    }

    private void post(Claimed c) {
        WebhookStore.Delivery d = c.delivery();
        if (c.webhook() == null || c.event() == null) {
            // the webhook was deleted meanwhile, or the change log lost the entry: nothing to send, ever
            settle(d, null, c.webhook() == null ? "the webhook no longer exists" : "the event is no longer in the change feed", false);
            return;
        }
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(body(c.webhook(), c.event()));
        } catch (Exception e) {
            settle(d, null, "the event could not be written as JSON: " + e.getMessage(), false);
            return;
        }
        String key = c.webhook().id() + ":" + d.seq();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(c.webhook().url())).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "mlcatalog-webhooks")
                    .header("X-MLCatalog-Event", c.event().kind().name())
                    .header("X-MLCatalog-Delivery", key)
                    .header("Idempotency-Key", key)
                    .header(Signatures.HEADER, Signatures.header(c.webhook().secret(), clock.instant().getEpochSecond(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        } catch (IllegalArgumentException e) {
            settle(d, null, "the webhook's URL cannot be sent to: " + e.getMessage(), true);
            return;
        }
        inFlight++;
        // the request's timeout ends with the answer's headers: a receiver that then trickles its body out is cut off here too
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .orTimeout(2 * timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).whenComplete((response, failure) ->
                context.runOnContext(x -> {
                    inFlight--;
                    if (failure != null) {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        settle(d, null, cause instanceof HttpTimeoutException || cause instanceof java.util.concurrent.TimeoutException
                                ? "no answer within " + timeout.toMillis() + " ms"
                                : "not reachable: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), true);
                    } else if (response.statusCode() / 100 == 2) {
                        sent.incrementAndGet();
                        store.delivered(d, response.statusCode()).onFailure(e -> log.warn("webhooks: could not record delivery {} as "
                                + "delivered (it is sent again): {}", d.id(), e.toString()));
                    } else {
                        String text = response.body() == null ? "" : response.body().strip().replaceAll("\\s+", " ");
                        settle(d, response.statusCode(), "answered " + response.statusCode()
                                + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text)), true);
                    }
                    send();
                }));
    }

    /** Records a failed attempt: tried again after the backoff while {@code retry} and attempts remain, else failed. */
    private void settle(WebhookStore.Delivery d, Integer status, String error, boolean retry) {
        failures.incrementAndGet();
        Duration next = retry ? backoff.after(d.attempts()) : null;
        store.failed(d, status, error, next).onComplete(r -> {
            if (r.failed()) {
                log.warn("webhooks: could not record a failed delivery {}: {}", d.id(), r.cause().toString());
            } else if (next != null && next.toMillis() < TICK_MS && !closed) {
                // a retry due before the next tick is sent when due
                vertx.setTimer(Math.max(1, next.toMillis()), id -> context.runOnContext(x -> send()));
            }
        });
    }

    /** What a receiver gets: the event as JSON. */
    public static Map<String, Object> body(WebhookStore.Webhook webhook, CatalogEvent e) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("webhook", webhook.name());
        b.put("idempotencyKey", webhook.id() + ":" + e.seq());
        b.put("sequence", e.seq());
        b.put("kind", e.kind().name());
        b.put("at", Times.format(e.at()));
        b.put("actor", e.actor());
        b.put("namespace", e.namespace());
        b.put("entity", Map.of("type", e.entityType().graphqlName(), "id", GlobalId.of(e.entityType(), e.entityId())));
        b.put("model", e.model());
        b.put("pipeline", e.pipeline());
        b.put("environment", e.environment());
        b.put("target", e.target());
        b.put("before", e.before());
        b.put("after", e.after());
        return b;
    }

    @Override
    public void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        unlisten.run();
    }
}
