package io.mlcatalog.server.webhooks;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.events.EventFilter;
import io.mlcatalog.server.events.EventKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The webhooks and their deliveries, in SQL. */
public final class WebhookStore {
    /** A webhook. {@code secret} never leaves the server but in a delivery's signature (and once, when made). */
    public record Webhook(UUID id, String name, String url, String secret, EventFilter filter, boolean active, long position, String origin,
                          String createdBy, OffsetDateTime createdAt) {
        @Override
        public String toString() {
            return "Webhook[" + name + " → " + url + "]";
        }
    }

    /** One event's delivery to one webhook. */
    public record Delivery(long id, UUID webhookId, long seq, String status, int attempts, OffsetDateTime nextAttemptAt,
                           OffsetDateTime lastAttemptAt, Integer lastStatus, String lastError, OffsetDateTime deliveredAt,
                           OffsetDateTime createdAt) {
    }

    private static final String WEBHOOK = "id, name, url, secret, filter, active, position, origin, created_by, created_at";
    private static final String DELIVERY = "id, webhook_id, seq, status, attempts, next_attempt_at, last_attempt_at, last_status, last_error, "
            + "delivered_at, created_at";

    private final Db db;

    public WebhookStore(Db db) {
        this.db = db;
    }

    public Future<List<Webhook>> all() {
        return db.query("select " + WEBHOOK + " from webhook order by name", Tuple.tuple()).map(rows -> {
            List<Webhook> list = new ArrayList<>();
            rows.forEach(r -> list.add(webhook(r)));
            return list;
        });
    }

    public Future<Webhook> byName(String name) {
        return db.query("select " + WEBHOOK + " from webhook where name = $1", Tuple.of(name))
                .map(rows -> rows.size() == 0 ? null : webhook(rows.iterator().next()));
    }

    /** Makes a webhook, delivering the events after {@code position}; null when the name is taken. */
    public Future<Webhook> create(String name, String url, String secret, EventFilter filter, boolean active, long position, String origin,
                                  String createdBy) {
        return db.query("""
                insert into webhook (id, name, url, secret, filter, active, position, origin, created_by, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
                on conflict (name) do nothing
                returning""" + " " + WEBHOOK, Tuple.from(new Object[] {UUID.randomUUID(), name, url, secret, json(filter), active, position, origin,
                createdBy})).map(rows -> rows.size() == 0 ? null : webhook(rows.iterator().next()));
    }

    /** Changes a webhook's URL, filter, secret or whether it is active (null: as it is). */
    public Future<Webhook> update(String name, String url, String secret, EventFilter filter, Boolean active) {
        return db.query("""
                update webhook set url = coalesce($2, url), secret = coalesce($3, secret), filter = coalesce($4, filter),
                       active = coalesce($5, active)
                where name = $1
                returning""" + " " + WEBHOOK, Tuple.of(name, url, secret, filter == null ? null : json(filter), active))
                .map(rows -> rows.size() == 0 ? null : webhook(rows.iterator().next()));
    }

    public Future<Boolean> delete(String name) {
        return db.query("delete from webhook where name = $1", Tuple.of(name)).map(rows -> rows.rowCount() > 0);
    }

    /** The configuration's webhooks that it no longer lists stop delivering. */
    public Future<Void> deactivateConfigured(List<String> kept) {
        return db.query("update webhook set active = false where origin = 'config' and not (name = any($1))",
                Tuple.of(kept.toArray(String[]::new))).mapEmpty();
    }

    /** A webhook's deliveries, newest first; of one status when given. */
    public Future<List<Delivery>> deliveries(UUID webhook, String status, int first, Long before) {
        return db.query("select " + DELIVERY + " from webhook_delivery where webhook_id = $1 and ($2::text is null or status = $2) "
                + "and ($3::bigint is null or id < $3) order by id desc limit $4", Tuple.of(webhook, status, before, first)).map(WebhookStore::deliveries);
    }

    /** Sends a delivery again, now, with ten attempts ahead of it (it keeps its id, so the receiver sees the same idempotency key). */
    public Future<Delivery> redeliver(long id) {
        return db.query("update webhook_delivery set status = 'PENDING', attempts = 0, next_attempt_at = now(), claimed_until = null "
                + "where id = $1 returning " + DELIVERY, Tuple.of(id)).map(rows -> rows.size() == 0 ? null : deliveries(rows).get(0));
    }

    /**
     * In the caller's transaction: the webhook's position, locked, or null when another node holds it (it is making that
     * webhook's deliveries now).
     */
    Future<Long> lockPosition(SqlClient tx, UUID webhook) {
        return db.query(tx, "select position from webhook where id = $1 and active for update skip locked", Tuple.of(webhook))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
    }

    /** In the caller's transaction: a delivery for each of these events, and the webhook's new position. */
    Future<Void> addDeliveries(SqlClient tx, UUID webhook, List<Long> seqs, long position) {
        Future<?> add = seqs.isEmpty() ? Future.succeededFuture() : db.query(tx, """
                insert into webhook_delivery (webhook_id, seq, status, next_attempt_at, created_at)
                select $1, s, 'PENDING', now(), now() from unnest($2::bigint[]) as s
                on conflict (webhook_id, seq) do nothing
                """, Tuple.of(webhook, (Object) seqs.toArray(Long[]::new)));
        return add.compose(x -> db.query(tx, "update webhook set position = $2 where id = $1", Tuple.of(webhook, position))).mapEmpty();
    }

    /** Claims up to {@code limit} deliveries that are due, of active webhooks, for {@code hold}: they are sent by this node. */
    Future<List<Delivery>> claimDue(int limit, Duration hold) {
        return db.query("""
                update webhook_delivery d set claimed_until = now() + make_interval(secs => $2), attempts = d.attempts + 1,
                       last_attempt_at = now()
                where d.id in (
                    select x.id from webhook_delivery x join webhook w on w.id = x.webhook_id
                    where x.status = 'PENDING' and x.next_attempt_at <= now() and (x.claimed_until is null or x.claimed_until < now())
                      and w.active
                    order by x.next_attempt_at, x.id
                    limit $1
                    for update of x skip locked)
                returning""" + " " + DELIVERY, Tuple.of(limit, (double) hold.toSeconds()))
                .map(WebhookStore::deliveries);
    }

    // A result is recorded only for the claim it is of (its attempt): one that came back after its claim ran out, or after
    // a redelivery, must not undo what a newer attempt recorded.

    Future<Void> delivered(Delivery claimed, int status) {
        return db.query("update webhook_delivery set status = 'DELIVERED', delivered_at = now(), last_status = $2, last_error = null, "
                + "claimed_until = null, next_attempt_at = null where id = $1 and status = 'PENDING' and attempts = $3",
                Tuple.of(claimed.id(), status, claimed.attempts())).mapEmpty();
    }

    /** A failed attempt: tried again after {@code retryIn}, or failed for good when that is null. */
    Future<Void> failed(Delivery claimed, Integer status, String error, Duration retryIn) {
        return db.query("""
                update webhook_delivery set status = case when $4::double precision is null then 'FAILED' else 'PENDING' end,
                       next_attempt_at = case when $4::double precision is null then null else now() + make_interval(secs => $4) end,
                       last_status = $2, last_error = $3, claimed_until = null
                where id = $1 and status = 'PENDING' and attempts = $5""",
                Tuple.of(claimed.id(), status, error, retryIn == null ? null : retryIn.toMillis() / 1000.0, claimed.attempts())).mapEmpty();
    }

    private static List<Delivery> deliveries(Iterable<Row> rows) {
        List<Delivery> list = new ArrayList<>();
        for (Row r : rows) {
            list.add(new Delivery(r.getLong("id"), r.getUUID("webhook_id"), r.getLong("seq"), r.getString("status"), r.getInteger("attempts"),
                    r.getOffsetDateTime("next_attempt_at"), r.getOffsetDateTime("last_attempt_at"), r.getInteger("last_status"),
                    r.getString("last_error"), r.getOffsetDateTime("delivered_at"), r.getOffsetDateTime("created_at")));
        }
        return list;
    }

    private static Webhook webhook(Row r) {
        return new Webhook(r.getUUID("id"), r.getString("name"), r.getString("url"), r.getString("secret"), filter(r.getJsonObject("filter")),
                r.getBoolean("active"), r.getLong("position"), r.getString("origin"), r.getString("created_by"), r.getOffsetDateTime("created_at"));
    }

    static JsonObject json(EventFilter f) {
        JsonObject o = new JsonObject();
        if (!f.kinds().isEmpty()) {
            JsonArray kinds = new JsonArray();
            f.kinds().stream().map(Enum::name).sorted().forEach(kinds::add);
            o.put("kinds", kinds);
        }
        putIfSet(o, "namespace", f.namespace());
        putIfSet(o, "model", f.model());
        putIfSet(o, "pipeline", f.pipeline());
        putIfSet(o, "environment", f.environment());
        putIfSet(o, "target", f.target());
        return o;
    }

    static EventFilter filter(JsonObject o) {
        if (o == null) {
            return EventFilter.ALL;
        }
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        JsonArray k = o.getJsonArray("kinds");
        if (k != null) {
            k.forEach(x -> kinds.add(EventKind.valueOf(x.toString())));
        }
        return new EventFilter(kinds, o.getString("namespace"), o.getString("model"), o.getString("pipeline"), o.getString("environment"),
                o.getString("target"));
    }

    private static void putIfSet(JsonObject o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }
}
