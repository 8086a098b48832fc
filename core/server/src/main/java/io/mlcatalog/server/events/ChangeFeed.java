package io.mlcatalog.server.events;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.NodeType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The change feed on this node: it numbers the change log's new entries once they are final (see the V11 migration),
 * and hands the numbered ones to this node's listeners (subscriptions, outgoing webhooks), in order, each once.
 *
 * <p>Every node does both. A writer's commit notifies every node ({@code mlcatalog_change_log}); each then tries to
 * number what is new, one at a time across the nodes (an advisory lock), and the one that numbered something tells every
 * node ({@code mlcatalog_feed}), which reads the entries after the last it read. A write on any node so reaches the
 * listeners of every node. Notifications can be lost (a connection dropped); a timer every second does the same, so
 * nothing waits longer. Entries still held back by a running transaction are tried again soon.
 *
 * <p>Everything runs on one Vert.x context, so listeners are called one batch at a time, in feed order.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    static final String CHANGES_CHANNEL = "mlcatalog_change_log";
    static final String FEED_CHANNEL = "mlcatalog_feed";
    /** The advisory lock the sequencers take turns on (any constant no other lock of the catalog's uses). */
    private static final long SEQUENCER_LOCK = 0x6d6c63_66656564L;
    private static final int SEQUENCE_BATCH = 10_000;
    private static final int READ_BATCH = 1_000;
    private static final long TICK_MS = 1_000;

    /** Told about the feed's new entries, one batch at a time, in order. */
    public interface Listener {
        void entries(List<CatalogEvent> batch);
    }

    private final Vertx vertx;
    private final Db db;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private Context context;
    private PgSubscriber subscriber;
    private long timer = -1;
    private volatile long cursor;
    private boolean sequencing;
    private boolean sequenceAgain;
    private boolean reading;
    private boolean readAgain;
    private long retryMs;
    private volatile boolean closed;

    public ChangeFeed(Vertx vertx, Db db) {
        this.vertx = vertx;
        this.db = db;
    }

    /** Starts listening; completes once the node's position is read (what comes after it is delivered). */
    public Future<Void> start() {
        Promise<Void> started = Promise.promise();
        context = vertx.getOrCreateContext();
        context.runOnContext(x -> db.query("select coalesce(max(seq), 0) from change_feed", Tuple.tuple()).onComplete(r -> {
            if (r.failed()) {
                started.fail(r.cause());
                return;
            }
            cursor = r.result().iterator().next().getLong(0);
            subscriber = PgSubscriber.subscriber(vertx, db.connectOptions()).reconnectPolicy(retries -> 1_000L);
            subscriber.channel(CHANGES_CHANNEL).handler(payload -> sequence());
            subscriber.channel(FEED_CHANNEL).handler(payload -> read());
            subscriber.channel(FEED_CHANNEL).subscribeHandler(v -> {
                // (re)connected: what was written meanwhile is numbered and read now
                sequence();
                read();
            });
            subscriber.connect().onFailure(e -> log.warn("change feed: cannot listen for changes yet (polling every {} ms): {}", TICK_MS,
                    e.toString()));
            timer = vertx.setPeriodic(TICK_MS, id -> context.runOnContext(y -> {
                sequence();
                read();
            }));
            started.complete();
        }));
        return started.future();
    }

    /** The number of the last entry this node's listeners were given. */
    public long cursor() {
        return cursor;
    }

    /** Adds a listener: it gets every batch read from now on. Returns what removes it. */
    public Runnable listen(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Runs {@code work} on the feed's context: after the batch being delivered, before the next. */
    public void onContext(Runnable work) {
        context.runOnContext(x -> work.run());
    }

    // ------------------------------------------------------------------ numbering

    private void sequence() {
        if (closed) {
            return;
        }
        if (sequencing) {
            sequenceAgain = true;
            return;
        }
        sequencing = true;
        sequenceAgain = false;
        db.inTransaction(tx -> db.query(tx, "select pg_advisory_xact_lock($1)", Tuple.of(SEQUENCER_LOCK))
                .compose(x -> db.query(tx, "select tx::text, change_id, seq from change_feed_position", Tuple.tuple()))
                .compose(rows -> {
                    Row pos = rows.iterator().next();
                    return db.query(tx, """
                            with next as (
                                select c.id, c.tx, c.entity_type, c.entity_id from change_log c
                                where (c.tx, c.id) > ($1::xid8, $2) and c.tx < pg_snapshot_xmin(pg_current_snapshot())
                                order by c.tx, c.id
                                limit $4
                            ),
                            numbered as (
                                select n.id, n.tx, n.entity_type, n.entity_id, $3 + row_number() over (order by n.tx, n.id) as seq from next n
                            ),
                            stored as (
                                insert into change_feed (seq, change_id, namespace, model, pipeline, environment, target)
                                select n.seq, n.id, s.namespace, s.model, s.pipeline, s.environment, s.target
                                from numbered n left join lateral change_subject(n.entity_type, n.entity_id) s on true
                            ),
                            moved as (
                                update change_feed_position p set tx = l.tx, change_id = l.id, seq = l.seq
                                from (select tx, id, seq from numbered order by seq desc limit 1) l
                                returning p.tx::text as tx, p.change_id, p.seq
                            )
                            select (select count(*) from numbered) as numbered, m.tx, m.change_id, m.seq from (select 1) one
                            left join moved m on true
                            """, Tuple.of(pos.getString(0), pos.getLong(1), pos.getLong(2), SEQUENCE_BATCH))
                            .compose(result -> {
                                Row r = result.iterator().next();
                                long numbered = r.getLong("numbered");
                                String tx2 = numbered > 0 ? r.getString("tx") : pos.getString(0);
                                long id2 = numbered > 0 ? r.getLong("change_id") : pos.getLong(1);
                                Future<Void> notify = numbered == 0 ? Future.succeededFuture()
                                        : db.query(tx, "select pg_notify($1, $2)", Tuple.of(FEED_CHANNEL, Long.toString(r.getLong("seq")))).mapEmpty();
                                // entries after the position that could not be numbered yet: a transaction older than theirs runs
                                return notify.compose(y -> numbered == SEQUENCE_BATCH ? Future.succeededFuture(Outcome.MORE)
                                        // the first entry in the index's order, not exists (...): the planner takes exists for
                                        // "some row will match soon" and scanned the whole change log at every commit, found nothing
                                        : db.query(tx, "select 1 from change_log c where (c.tx, c.id) > ($1::xid8, $2) order by c.tx, c.id limit 1",
                                        Tuple.of(tx2, id2)).map(e -> e.size() > 0 ? Outcome.HELD_BACK : Outcome.DONE));
                            });
                })).onComplete(done -> context.runOnContext(x -> {
                    sequencing = false;
                    if (done.failed()) {
                        if (!closed) {
                            log.warn("change feed: numbering new changes failed (tried again within {} ms): {}", TICK_MS, done.cause().toString());
                        }
                        return;
                    }
                    if (done.result() != Outcome.DONE || sequenceAgain) {
                        // held back: a running transaction may add an earlier entry; try again soon, then less often
                        retryMs = done.result() == Outcome.HELD_BACK && !sequenceAgain ? Math.min(Math.max(retryMs * 2, 10), 500) : 0;
                        if (retryMs == 0) {
                            sequence();
                        } else {
                            vertx.setTimer(retryMs, id -> context.runOnContext(y -> sequence()));
                        }
                    } else {
                        retryMs = 0;
                    }
                }));
    }

    private enum Outcome { DONE, MORE, HELD_BACK }

    // ------------------------------------------------------------------ reading

    private void read() {
        if (closed) {
            return;
        }
        if (reading) {
            readAgain = true;
            return;
        }
        reading = true;
        readAgain = false;
        long from = cursor;
        page(from, Long.MAX_VALUE, READ_BATCH, null).onComplete(r -> context.runOnContext(x -> {
            reading = false;
            if (r.failed()) {
                if (!closed) {
                    log.warn("change feed: reading new entries failed (tried again within {} ms): {}", TICK_MS, r.cause().toString());
                }
                return;
            }
            List<CatalogEvent> batch = r.result();
            if (!batch.isEmpty()) {
                cursor = batch.get(batch.size() - 1).seq();
                for (Listener l : listeners) {
                    try {
                        l.entries(batch);
                    } catch (RuntimeException e) {
                        log.warn("change feed: a listener failed on entries {}..{}: {}", batch.get(0).seq(), cursor, e.toString());
                    }
                }
            }
            if (batch.size() == READ_BATCH || readAgain) {
                read();
            }
        }));
    }

    /** The entries of these numbers (those the feed has), in order. */
    public Future<List<CatalogEvent>> entries(List<Long> seqs) {
        return db.query(SELECT + "where f.seq = any($1) order by f.seq", Tuple.of(seqs.toArray(Long[]::new))).map(ChangeFeed::events);
    }

    private static final String SELECT = """
            select f.seq, f.namespace, f.model, f.pipeline, f.environment, f.target, c.at, c.actor, c.entity_id, c.entity_type, c.action,
                   c.before, c.after
            from change_feed f join change_log c on c.id = f.change_id
            """;

    /**
     * The entries after {@code afterSeq} up to {@code upToSeq}, at most {@code limit}, in order; with {@code access}, only
     * those of the namespaces it may read. For {@code since:} replay.
     */
    public Future<List<CatalogEvent>> page(long afterSeq, long upToSeq, int limit, Access access) {
        boolean all = access == null || access.readsAll();
        String[] namespaces = all ? new String[0] : access.readable();
        return db.query(SELECT + "where f.seq > $1 and f.seq <= $2 and ($3 or f.namespace = any($4)) order by f.seq limit $5",
                Tuple.of(afterSeq, upToSeq, all, namespaces, limit)).map(ChangeFeed::events);
    }

    private static List<CatalogEvent> events(io.vertx.sqlclient.RowSet<Row> rows) {
        List<CatalogEvent> events = new ArrayList<>(rows.size());
        for (Row r : rows) {
            NodeType type = NodeType.fromDbName(r.getString("entity_type"));
            Map<String, Object> before = map(r.getJsonObject("before"));
            Map<String, Object> after = map(r.getJsonObject("after"));
            events.add(new CatalogEvent(r.getLong("seq"), r.getOffsetDateTime("at"), r.getString("actor"),
                    EventKind.of(type, r.getString("action"), after), type, r.getUUID("entity_id"), r.getString("action"), before, after,
                    r.getString("namespace"), r.getString("model"), r.getString("pipeline"), r.getString("environment"), r.getString("target")));
        }
        return events;
    }

    private static Map<String, Object> map(JsonObject o) {
        return o == null ? null : o.getMap();
    }

    @Override
    public void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
