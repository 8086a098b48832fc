package io.mlcatalog.server.plugin;

import io.mlcatalog.server.db.Db;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Which node polls each pull source, when several nodes run on one database (table {@code source_lease}, V13). A node
 * polls a source only while it holds its lease; it renews the leases it holds every {@link #renewEvery()}, and a lease
 * not renewed for {@link #ttl()} (its node died, or lost the database) is taken by the next node that asks. Every
 * poll's batch renews the lease in its own transaction ({@link #fence}) and is rolled back when another node holds it:
 * a node that lost a lease writes nothing more of that source, whatever its own clock or schedule says.
 */
public final class SourceLeases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceLeases.class);

    private final Db db;
    private final String node;
    private final Duration ttl;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewal;

    /**
     * @param node this node's name, as {@code plugins { polledBy }} shows it
     * @param ttl  how long a lease lasts without renewal: the longest a source goes unpolled after its node died
     */
    public SourceLeases(Db db, String node, Duration ttl) {
        this.db = db;
        this.node = node;
        this.ttl = ttl;
        this.renewal = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "source-lease-renewal");
            t.setDaemon(true);
            return t;
        });
        long every = renewEvery().toMillis();
        renewal.scheduleWithFixedDelay(this::renewHeld, every, every, TimeUnit.MILLISECONDS);
    }

    /** The lease time from the JVM system property {@code mlcatalog.sources.leaseSeconds} (default 9 s). */
    public static Duration ttlFromSystemProperties() {
        long seconds = Long.getLong("mlcatalog.sources.leaseSeconds", 9);
        if (seconds < 1) {
            throw new IllegalArgumentException("mlcatalog.sources.leaseSeconds must be at least 1, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    public String node() {
        return node;
    }

    public Duration ttl() {
        return ttl;
    }

    /** How often a node renews its leases, and a node without one asks again: a third of the lease time. */
    public Duration renewEvery() {
        return ttl.dividedBy(3);
    }

    /**
     * Takes the lease of {@code instance} if no other node holds it, or renews it if this node does. Blocks; call from
     * a worker thread.
     *
     * @return the node holding the lease now (this one when taken)
     */
    String acquire(String instance) throws Exception {
        // one statement: a new lease, a renewal of this node's, or the take-over of one that ran out; otherwise the row
        // stays as it is and the holder is read back
        var rows = Db.await(db.query("""
                with taken as (
                    insert into source_lease as l (instance, holder, acquired_at, expires_at)
                    values ($1, $2, now(), now() + $3::bigint * interval '1 millisecond')
                    on conflict (instance) do update
                        set holder = excluded.holder, expires_at = excluded.expires_at,
                            acquired_at = case when l.holder = excluded.holder then l.acquired_at else now() end
                        where l.holder = excluded.holder or l.expires_at < now()
                    returning holder)
                select holder from taken
                union all
                select holder from source_lease where instance = $1 and not exists (select 1 from taken)
                """, Tuple.of(instance, node, ttl.toMillis())));
        // no row: another node made the lease between this statement's snapshot and its insert; that node holds it
        String holder = rows.size() == 0 ? null : rows.iterator().next().getString("holder");
        if (node.equals(holder)) {
            if (held.add(instance)) {
                log.info("plugin instance {}: this node ({}) polls it now", instance, node);
            }
        } else if (held.remove(instance)) {
            log.warn("plugin instance {}: node {} polls it now; this node stops", instance, holder);
        }
        return holder;
    }

    /**
     * Run in a poll's transaction, after its records: renews the lease, or fails (and so rolls the batch back) when
     * another node holds it now. A lease that ran out without another node taking it (a long poll on a busy machine
     * whose renewals came late) is still this node's: nobody else polled meanwhile. The row stays locked until the
     * transaction ends, so no other node takes the lease over between this check and the commit (a take-over waits,
     * then finds the lease renewed).
     */
    Function<SqlConnection, Future<Void>> fence(String instance) {
        return tx -> db.query(tx, """
                update source_lease set expires_at = now() + $3::bigint * interval '1 millisecond'
                where instance = $1 and holder = $2
                """, Tuple.of(instance, node, ttl.toMillis())).compose(rows -> {
            if (rows.rowCount() == 1) {
                return Future.succeededFuture();
            }
            held.remove(instance);
            return Future.failedFuture(new LeaseLost(instance, node));
        });
    }

    /** Whether this node holds the lease, as far as it knows (its last renewal or take-over). */
    boolean holds(String instance) {
        return held.contains(instance);
    }

    /** A poll's batch was not written: the lease went to another node while the poll ran. */
    public static final class LeaseLost extends Exception {
        LeaseLost(String instance, String node) {
            super("node " + node + " no longer holds the lease of plugin instance '" + instance
                    + "' (it ran out, and another node took it over): this poll's records were not written", null, false, false);
        }
    }

    private void renewHeld() {
        if (held.isEmpty()) {
            return;
        }
        List<String> asked = List.copyOf(held);
        try {
            Set<String> renewed = ConcurrentHashMap.newKeySet();
            Db.await(db.query("""
                    update source_lease set expires_at = now() + $3::bigint * interval '1 millisecond'
                    where instance = any($1) and holder = $2
                    returning instance
                    """, Tuple.of(asked.toArray(String[]::new), node, ttl.toMillis()))).forEach(r -> renewed.add(r.getString(0)));
            for (String instance : asked) {
                if (!renewed.contains(instance) && held.remove(instance)) {
                    log.warn("plugin instance {}: another node took this node's lease over; this node stops polling it",
                            instance);
                }
            }
        } catch (Exception e) {
            // the database is away: the leases run out unless it comes back in time; the batches' fence decides
            log.warn("could not renew the leases of {}: {}", asked, SourceRunner.describe(e));
        }
    }

    /** Gives up this node's leases (a clean stop): another node takes the sources at its next look, not after the lease time. */
    @Override
    public void close() {
        renewal.shutdownNow();
        if (held.isEmpty()) {
            return;
        }
        List<String> mine = List.copyOf(held);
        held.clear();
        try {
            Db.await(db.query("delete from source_lease where instance = any($1) and holder = $2",
                    Tuple.of(mine.toArray(String[]::new), node)));
        } catch (Exception e) {
            log.warn("could not give up the leases of {} (they run out in {} s): {}", mine, ttl.toSeconds(), SourceRunner.describe(e));
        }
    }
}
