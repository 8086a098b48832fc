package io.mlcatalog.server.intake;

import io.mlcatalog.server.plugin.BatchWriter;
import io.mlcatalog.server.plugin.PluginHost;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.ReceiverResponse;
import io.mlcatalog.spi.RecordWriter;
import io.mlcatalog.spi.record.MetadataRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Writes the stored requests of the intake queue to the catalog: claims the oldest (under a token of its own, for a
 * lease), replays each through its receiver (which maps it to the same records as when it was accepted:
 * {@link io.mlcatalog.spi.IngestReceiver#replayable}), and writes the records of many requests in one transaction,
 * each with the instant its request was received, deleting the requests in that same transaction: a request is
 * written once. (A worker whose lease ran out finds its requests taken over when it deletes them, and rolls back.)
 * A transaction that fails is split: each of its requests is written alone, as when acknowledged once written, so a
 * record the catalog refuses leaves out only the event that carries it. A request that cannot be replayed, or that
 * the database fails on {@link #MAX_ATTEMPTS} times, is refused: it stays in the queue with the reason, and the
 * instance's status says so; the others go on.
 *
 * <p>{@link #WORKERS} threads do this side by side (one replays while the other's transaction runs; they write one at
 * a time). They wake when a request is stored here and, while an instance is configured {@code queued}, look every
 * second anyway, for requests another server stored or left claimed when it died.
 *
 * <p>While requests are being stored, the writing gives way to acceptance, which shares the server's cores (and
 * PostgreSQL's): after each transaction it pauses as long as that transaction took, so it takes at most half the
 * time, and the clients of a burst are answered nearly as fast as by a server that only accepts. It stops giving way
 * once what it writes waited longer than the lag bound ({@link #MAX_YIELD_LAG_PROPERTY}, {@link #MAX_YIELD_LAG}
 * by default): a burst is written after it, a load that never stops at full speed, and the catalog is never more
 * than about that far behind for the sake of acceptance.
 */
public final class Intake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Intake.class);
    static final int WORKERS = 2;
    /**
     * Workers per server (default {@link #WORKERS}); 0 makes a server that only stores what it accepts, for another
     * server on the same database to write.
     */
    public static final String WORKERS_PROPERTY = "mlcatalog.intake.workers";
    /** Records per transaction: large transactions are what makes writing behind cheaper than writing at once. */
    static final int MAX_RECORDS = 5_000;
    static final int CLAIM_ROWS = 500;
    static final long CLAIM_BYTES = 8L * 1024 * 1024;
    /**
     * How long a claim holds: a server that dies with requests claimed leaves them to others after this (JVM system
     * property {@code mlcatalog.intake.claimSeconds}, default 60: longer than any one transaction of a worker's).
     */
    static final Duration LEASE = Duration.ofSeconds(Math.max(2, Long.getLong("mlcatalog.intake.claimSeconds", 60)));
    private static final long IDLE_LOOK_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    /** Claims of a request the database fails on before it is refused (kept, with the error) rather than tried again. */
    static final int MAX_ATTEMPTS = 5;
    /** Requests stored within this long mean acceptance is under way: the writing gives way. */
    static final long BUSY_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long the oldest request of a transaction may have waited for the writing still to give way to acceptance. */
    static final Duration MAX_YIELD_LAG = Duration.ofSeconds(30);
    /** The lag bound in seconds (default {@link #MAX_YIELD_LAG}); 0 never gives way: the writing always goes at full speed. */
    public static final String MAX_YIELD_LAG_PROPERTY = "mlcatalog.intake.maxYieldLagSeconds";
    /** The longest pause after one transaction. */
    private static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final IntakeQueue queue;
    private final PluginHost host;
    private final BatchWriter writer;
    private final List<String> instances;
    private final List<Thread> workers = new ArrayList<>();
    private final Object signal = new Object();
    /**
     * Workers replay side by side but write one at a time: the requests of a pipeline touch the same rows (its
     * datasets, the run of its DAG), and two transactions writing them at once would only wait on each other's locks.
     */
    private final java.util.concurrent.Semaphore writing = new java.util.concurrent.Semaphore(1, true);
    /**
     * Whether an instance acknowledges once stored: then the workers look every second (for what other servers
     * stored). Otherwise they write what an earlier configuration left, and stop.
     */
    private final boolean anyQueued;
    private long wakeups;
    private volatile boolean closed;
    private final Duration maxYieldLag = Duration.ofSeconds(Math.max(0, Long.getLong(MAX_YIELD_LAG_PROPERTY, MAX_YIELD_LAG.toSeconds())));
    /** When a request was last stored by this server ({@link System#nanoTime}). */
    private volatile long lastStored = System.nanoTime() - 2 * BUSY_WINDOW_NANOS;

    public Intake(IntakeQueue queue, PluginHost host, BatchWriter writer) {
        this.queue = queue;
        this.host = host;
        this.writer = writer;
        // every receiver that can be replayed: one configured "written" now may still have requests stored while it was "queued"
        this.instances = host.replayableReceivers();
        this.anyQueued = !host.queuedReceivers().isEmpty();
    }

    public void start() {
        try {
            Db.await(queue.waitingFor(instances)).forEach((instance, requests) ->
                    log.warn("intake: {} stored request(s) of '{}' wait, but no receiver instance of that name that can write them is "
                            + "configured (see intake_queue)", requests, instance));
        } catch (Exception e) {
            log.warn("intake: could not look at the intake queue at start: {}", e.toString());
        }
        if (instances.isEmpty()) {
            return;
        }
        int count = Integer.getInteger(WORKERS_PROPERTY, WORKERS);
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::work, "intake-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /** A request was stored by this server: write it soon, and give way to acceptance meanwhile. */
    public void stored() {
        lastStored = System.nanoTime();
        wake();
    }

    /** Look now. */
    private void wake() {
        synchronized (signal) {
            wakeups++;
            signal.notifyAll();
        }
    }

    private void work() {
        long backoff = 0;
        while (!closed) {
            long seen;
            synchronized (signal) {
                seen = wakeups;
            }
            UUID claim = UUID.randomUUID();
            List<IntakeQueue.Claimed> claimed = List.of();
            try {
                long claimedAt = System.nanoTime();
                claimed = Db.await(queue.claim(instances, CLAIM_ROWS, CLAIM_BYTES, LEASE, claim));
                if (claimed.isEmpty()) {
                    if (!anyQueued) {
                        return;
                    }
                    synchronized (signal) {
                        if (wakeups == seen && !closed) {
                            signal.wait(IDLE_LOOK_MILLIS);
                        }
                    }
                    continue;
                }
                write(claimed, claim, claimedAt);
                backoff = 0;
                wake(); // more may be waiting: the other worker looks too
            } catch (InterruptedException e) {
                release(claimed, claim);
                return;
            } catch (Throwable e) {
                // whatever it was (the database down, an error of the JVM), the worker goes on, and what it held is freed
                release(claimed, claim);
                if (closed) {
                    return;
                }
                backoff = backoff(backoff, claimed.isEmpty() ? "could not look at the intake queue"
                        : "could not write " + claimed.size() + " stored request(s)", e);
            }
        }
    }

    private void release(List<IntakeQueue.Claimed> claimed, UUID claim) {
        if (claimed.isEmpty()) {
            return;
        }
        try {
            // free them now, for the next look (or the next start of the server), rather than at the lease's end
            Db.await(queue.release(claimed.stream().map(IntakeQueue.Claimed::id).toList(), claim));
        } catch (Exception ignored) {
            // the lease runs out on its own
        }
    }

    /** Waits before the next try, longer each time the database fails, at most {@link #MAX_BACKOFF_MILLIS}. */
    private long backoff(long previous, String what, Throwable e) {
        long next = previous == 0 ? 500 : Math.min(MAX_BACKOFF_MILLIS, previous * 2);
        log.warn("intake: {} ({}); trying again in {} ms", what, e.toString(), next);
        synchronized (signal) {
            try {
                if (!closed) {
                    signal.wait(next);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
        return next;
    }

    /** A stored request replayed: the receiver's write calls, or why it cannot be written. */
    private record Replay(IntakeQueue.Claimed from, List<List<MetadataRecord>> calls, String refusal) {
        int records() {
            return calls.stream().mapToInt(List::size).sum();
        }
    }

    /**
     * Writes claimed requests: many in one transaction, each deleted in the transaction that writes it. When such a
     * transaction fails, each of its requests is written alone, as when acknowledged once written ({@link #writeAlone}).
     */
    private void write(List<IntakeQueue.Claimed> claimed, UUID claim, long claimedAt) throws Exception {
        // replayed one by one, each written with the requests before it once their transaction is full: what is held in
        // memory is one transaction's records, not those of every request claimed (megabytes of them)
        Map<io.mlcatalog.server.plugin.Origin, Group> groups = new LinkedHashMap<>();
        for (IntakeQueue.Claimed c : claimed) {
            Replay r = replay(c);
            if (r.refusal() != null) {
                refuse(c, r.refusal(), claim);
                continue;
            }
            // requests of one instance sent with one identity are written together
            Group group = groups.computeIfAbsent(c.origin(), k -> new Group());
            // transactions of whole requests, up to MAX_RECORDS records (a larger request goes alone)
            if (!group.replays.isEmpty() && group.records + r.records() > MAX_RECORDS) {
                writeGroup(c.origin(), group.replays, claim, claimedAt);
                group.replays = new ArrayList<>();
                group.records = 0;
            }
            group.replays.add(r);
            group.records += r.records();
        }
        for (var e : groups.entrySet()) {
            if (!e.getValue().replays.isEmpty()) {
                writeGroup(e.getKey(), e.getValue().replays, claim, claimedAt);
            }
        }
    }

    /** The requests of an instance replayed and not written yet. */
    private static final class Group {
        List<Replay> replays = new ArrayList<>();
        int records;
    }

    /** Replays a stored request through its receiver, with a writer that checks and keeps each write call. */
    private Replay replay(IntakeQueue.Claimed c) {
        if (c.unreadable() != null) {
            return new Replay(c, List.of(), c.unreadable());
        }
        PluginHost.Receiver receiver = host.receiver(c.instance()).orElse(null);
        if (receiver == null) {
            return new Replay(c, List.of(), "no receiver instance named '" + c.instance() + "' is configured");
        }
        List<List<MetadataRecord>> calls = new ArrayList<>();
        RecordWriter collecting = records -> {
            writer.validate(c.origin(), records, c.receivedAt());
            if (!records.isEmpty()) {
                calls.add(List.copyOf(records));
            }
        };
        ReceiverResponse response;
        try {
            response = PluginHost.withPluginClassLoader(receiver.receiver(), () -> receiver.receiver().handle(c.request(), collecting));
        } catch (Exception | LinkageError e) {
            return new Replay(c, List.of(), "the receiver failed on the stored request: " + e);
        }
        if (response.status() >= 300 || calls.isEmpty()) {
            // it was accepted with records: a receiver that answers otherwise now was changed (its limits, its version)
            return new Replay(c, List.of(), "replayed, the receiver answered " + response.status() + " with "
                    + (calls.isEmpty() ? "no records" : "records") + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return new Replay(c, calls, null);
    }

    /** Writes the group's records and deletes its stored requests, in one transaction; on a failure each request alone. */
    private void writeGroup(io.mlcatalog.server.plugin.Origin origin, List<Replay> group, UUID claim, long claimedAt) throws Exception {
        boolean failed = false;
        List<MetadataRecord> records = new ArrayList<>();
        List<Instant> receivedAt = new ArrayList<>();
        for (Replay r : group) {
            r.calls().forEach(records::addAll);
            receivedAt.addAll(Collections.nCopies(r.records(), r.from().receivedAt()));
        }
        List<Long> ids = group.stream().map(r -> r.from().id()).toList();
        writing.acquire();
        try {
            long began = System.nanoTime();
            try {
                writer.write(origin, records, receivedAt, Atomicity.ALL_OR_NOTHING, tx -> queue.deleteWritten(tx, ids, claim));
            } catch (IntakeQueue.ClaimLost lost) {
                // nothing of the group was written: the requests still ours are freed for the next claim
                log.info("intake: {}; left to that worker", lost.getMessage());
                Db.await(queue.release(ids, claim));
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception oneOfThem) {
                log.debug("intake: a group of {} stored request(s) failed ({}); writing each alone", group.size(), oneOfThem.toString());
                failed = true;
            }
            if (!failed) {
                // written and committed: give way to acceptance, holding the writing (the other worker replays meanwhile,
                // but does not write)
                long now = System.nanoTime();
                long pause = pause(now - began, now - lastStored, Duration.between(group.get(0).from().receivedAt(), Instant.now()),
                        maxYieldLag, Duration.ofNanos(now - claimedAt));
                if (pause > 0) {
                    TimeUnit.NANOSECONDS.sleep(pause);
                }
                return;
            }
        } finally {
            writing.release();
        }
        for (Replay r : group) {
            writeAlone(r, claim);
        }
    }

    /**
     * Writes one stored request as if it had just arrived: replayed with a writer that commits each write call, so
     * that a record the catalog refuses is handed back to the receiver, which leaves out the event that carries it
     * and writes the rest, exactly as when the request is acknowledged once written. A request that cannot be written
     * (the database failing on it) is released for a later claim, and refused after {@link #MAX_ATTEMPTS} claims.
     */
    private void writeAlone(Replay r, UUID claim) throws Exception {
        IntakeQueue.Claimed c = r.from();
        PluginHost.Receiver receiver = host.receiver(c.instance()).orElseThrow();
        List<String> refusals = new ArrayList<>();
        RecordWriter direct = records -> {
            try {
                writer.write(c.origin(), records, Map.of(), Atomicity.ALL_OR_NOTHING, c.receivedAt());
            } catch (InvalidRecordException refused) {
                refusals.add(refused.getMessage());
                throw refused;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
        try {
            writing.acquire();
            try {
                PluginHost.withPluginClassLoader(receiver.receiver(), () -> receiver.receiver().handle(c.request(), direct));
            } finally {
                writing.release();
            }
            Db.await(queue.deleteWritten(List.of(c.id()), claim));
            if (!refusals.isEmpty()) {
                host.receiverFailed(c.instance(), "stored request " + c.id() + ": " + refusals.size() + " write(s) refused when written, "
                        + "the first: " + refusals.get(0), refusals.size());
            }
        } catch (IntakeQueue.ClaimLost lost) {
            log.info("intake: {}; left to that worker", lost.getMessage());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            if (c.attempts() >= MAX_ATTEMPTS) {
                refuse(c, "failed " + c.attempts() + " times, the last: " + e, claim);
            } else {
                log.warn("intake: stored request {} of {} could not be written ({}); it is tried again later", c.id(), c.instance(),
                        e.toString());
                Db.await(queue.release(List.of(c.id()), claim));
            }
        }
    }

    /**
     * How long the writing pauses after a transaction that took {@code tookNanos}, a request having been stored
     * {@code sinceStoredNanos} ago, the oldest request written having waited {@code lag}, under a claim taken
     * {@code claimAge} ago: as long as the transaction took (at most a second) while requests are being stored; else 0.
     * It does not pause once that lag is over {@code maxYieldLag}, nor once the claim is half its {@link #LEASE} old
     * (the rest of it is written before the lease runs out and another worker takes it over).
     */
    static long pause(long tookNanos, long sinceStoredNanos, Duration lag, Duration maxYieldLag, Duration claimAge) {
        if (maxYieldLag.isZero() || sinceStoredNanos > BUSY_WINDOW_NANOS || lag.compareTo(maxYieldLag) > 0
                || claimAge.compareTo(LEASE.dividedBy(2)) > 0) {
            return 0;
        }
        return Math.min(tookNanos, MAX_PAUSE_NANOS);
    }

    private void refuse(IntakeQueue.Claimed c, String reason, UUID claim) throws Exception {
        log.warn("intake: stored request {} of {} refused, kept in intake_queue: {}", c.id(), c.instance(), reason);
        host.receiverFailed(c.instance(), "stored request " + c.id() + " refused (kept in intake_queue): " + reason, 1);
        Db.await(queue.refuse(c.id(), reason, claim));
    }

    /** Stops the workers; what they had claimed and not written is taken again when its lease runs out. */
    @Override
    public void close() {
        closed = true;
        wake();
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
