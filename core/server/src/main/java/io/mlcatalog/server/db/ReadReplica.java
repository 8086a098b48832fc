package io.mlcatalog.server.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a read goes when the node has a streaming replica ({@code --read-database-url}): to the replica, unless it is
 * unreachable or the client asks to see a write the replica has not replayed yet.
 *
 * <p>Read-your-writes: every write answered by this node carries the primary's WAL position after its commit
 * ({@value #WRITTEN_HEADER}); a client that sends it back ({@value #MIN_HEADER}) is read from the replica once the
 * replica has replayed that far, waiting up to {@link #maxWait}, and from the primary otherwise. The node itself
 * reads from the primary until the replica has replayed the schema this node migrated on start.
 */
public final class ReadReplica implements AutoCloseable {
    /** The response header of a write: the primary's WAL position after it committed. */
    public static final String WRITTEN_HEADER = "MLCatalog-LSN";
    /** The request header of a read that must see the writes up to a position ({@value #WRITTEN_HEADER} of a write). */
    public static final String MIN_HEADER = "MLCatalog-Min-LSN";
    /** The response header of a read: which database answered it, {@code replica} or {@code primary}. */
    public static final String READ_FROM_HEADER = "MLCatalog-Read-From";

    private static final Logger log = LoggerFactory.getLogger(ReadReplica.class);
    private static final Pattern LSN = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");
    private static final long LOOK_EVERY_MS = 1000;
    private static final long WAIT_STEP_MS = 5;

    /** Which database serves a read. */
    public enum Target {
        PRIMARY, REPLICA;

        public String header() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Vertx vertx;
    private final Db primary;
    private final Db replica;
    private final Duration maxWait;
    private final long timer;
    /** The replica's last replayed position as last looked at, or -1 while it is not reachable (or not a standby). */
    private volatile long replayed = -1;
    /** Reads never go to the replica before it replayed this far (the schema this node found or migrated on start). */
    private volatile long floor;
    private volatile String lastProblem;
    private final java.util.concurrent.atomic.AtomicLong readsFromReplica = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong readsFromPrimary = new java.util.concurrent.atomic.AtomicLong();

    private ReadReplica(Vertx vertx, Db primary, Db replica, Duration maxWait) {
        this.vertx = vertx;
        this.primary = primary;
        this.replica = replica;
        this.maxWait = maxWait;
        this.timer = vertx.setPeriodic(0, LOOK_EVERY_MS, id -> look());
    }

    /** Starts watching {@code replica}; reads go to it once it has replayed what the primary holds now. */
    public static Future<ReadReplica> start(Vertx vertx, Db primary, Db replica, Duration maxWait) {
        return primary.query("select pg_current_wal_lsn()::text", Tuple.tuple()).map(rows -> {
            ReadReplica r = new ReadReplica(vertx, primary, replica, maxWait);
            r.floor = parse(rows.iterator().next().getString(0));
            return r;
        });
    }

    public Db replica() {
        return replica;
    }

    /** Queries this node read from {@code target} (the metrics). */
    public long reads(Target target) {
        return (target == Target.REPLICA ? readsFromReplica : readsFromPrimary).get();
    }

    /** Counts a query read from {@code target}. */
    public void count(Target target) {
        (target == Target.REPLICA ? readsFromReplica : readsFromPrimary).incrementAndGet();
    }

    /** Whether the replica answered at the last look (every second), as a standby. */
    public boolean reachable() {
        return replayed >= 0;
    }

    /** How the replica is, for {@code /ready}: {@code ok}, or why reads go to the primary. */
    public String state() {
        if (replayed < 0) {
            return lastProblem == null ? "not looked at yet" : lastProblem;
        }
        return replayed < floor ? "replaying the schema this node migrated (reads go to the primary)" : "ok";
    }

    private void look() {
        replica.query("select pg_is_in_recovery(), pg_last_wal_replay_lsn()::text", Tuple.tuple()).onComplete(r -> {
            if (r.failed()) {
                problem("the replica is not reachable: " + r.cause().getMessage());
                return;
            }
            Row row = r.result().iterator().next();
            if (!Boolean.TRUE.equals(row.getBoolean(0)) || row.getString(1) == null) {
                problem("the read database is not a streaming replica (pg_is_in_recovery() is false)");
                return;
            }
            if (replayed < 0 && lastProblem != null) {
                log.info("the read replica answers again: reads go to it");
            }
            lastProblem = null;
            replayed = parse(row.getString(1));
        });
    }

    private void problem(String text) {
        if (!text.equals(lastProblem)) {
            log.warn("{}; reads go to the primary until it is", text);
        }
        lastProblem = text;
        replayed = -1;
    }

    /**
     * Where to read, for a request that carried {@value #MIN_HEADER} {@code minLsn} (or null).
     *
     * @throws IllegalArgumentException when {@code minLsn} is not a WAL position ({@code 16/B374D848})
     */
    public Future<Target> choose(String minLsn) {
        boolean asked = minLsn != null && !minLsn.isBlank();
        long wanted = Math.max(floor, asked ? parse(minLsn.strip()) : 0);
        if (replayed < 0) {
            return Future.succeededFuture(Target.PRIMARY);
        }
        if (replayed >= wanted) {
            return Future.succeededFuture(Target.REPLICA);
        }
        if (!asked) {
            // only a client that wrote waits; the others read the primary until the replica has the node's schema
            return Future.succeededFuture(Target.PRIMARY);
        }
        Promise<Target> chosen = Promise.promise();
        wait(wanted, System.nanoTime() + maxWait.toNanos(), chosen);
        return chosen.future();
    }

    /** Asks the replica how far it replayed until it reaches {@code wanted} or the time is up (then: the primary). */
    private void wait(long wanted, long deadline, Promise<Target> chosen) {
        replica.query("select pg_last_wal_replay_lsn()::text", Tuple.tuple()).onComplete(r -> {
            if (r.failed() || r.result().iterator().next().getString(0) == null) {
                chosen.complete(Target.PRIMARY);
                return;
            }
            long at = parse(r.result().iterator().next().getString(0));
            if (at > replayed) {
                replayed = at;
            }
            if (at >= wanted) {
                chosen.complete(Target.REPLICA);
            } else if (System.nanoTime() + WAIT_STEP_MS * 1_000_000 > deadline) {
                chosen.complete(Target.PRIMARY);
            } else {
                vertx.setTimer(WAIT_STEP_MS, id -> wait(wanted, deadline, chosen));
            }
        });
    }

    /** The primary's WAL position now: after a write's commit, a position every later read of it must have replayed. */
    public Future<String> written() {
        return primary.query("select pg_current_wal_lsn()::text", Tuple.tuple()).map(rows -> rows.iterator().next().getString(0));
    }

    /** A WAL position as PostgreSQL writes it ({@code 16/B374D848}), as one number. */
    static long parse(String lsn) {
        Matcher m = LSN.matcher(lsn);
        if (!m.matches()) {
            throw new IllegalArgumentException(MIN_HEADER + " must be a WAL position as " + WRITTEN_HEADER
                    + " gives it (such as 16/B374D848), got '" + (lsn.length() > 40 ? lsn.substring(0, 40) + "…" : lsn) + "'");
        }
        return Long.parseLong(m.group(1), 16) << 32 | Long.parseLong(m.group(2), 16);
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
        replica.close();
    }
}
