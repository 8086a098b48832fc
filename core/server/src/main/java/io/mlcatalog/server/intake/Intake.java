package io.mlcatalog.server.intake;

import io.mlcatalog.server.plugin.BatchWriter;
import io.mlcatalog.server.plugin.PluginHost;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.InvalidRecordException;
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
import java.util.concurrent.TimeUnit;

/**
 * Writes the stored requests of the intake queue to the catalog: claims the oldest, replays each through its
 * receiver (which maps it to the same records as when it was accepted: {@link io.mlcatalog.spi.IngestReceiver#replayable}),
 * and writes the records of many requests in one transaction, each with the instant its request was received. A
 * request is deleted once its records are committed; a crash in between writes it again, which changes nothing
 * (every write is idempotent). Records the catalog refuses (found out only against the database) refuse their
 * request alone: it stays in the queue with the reason, and the instance's status says so.
 *
 * <p>{@link #WORKERS} threads do this side by side (one maps while the other's transaction runs). They wake when a
 * request is stored here, and look every second anyway, for requests another server stored or left claimed when it died.
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
    /** How long a claim holds: a server that dies with requests claimed leaves them to others after this. */
    static final Duration LEASE = Duration.ofSeconds(60);
    private static final long IDLE_LOOK_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

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
    private final java.util.concurrent.Semaphore writing = new java.util.concurrent.Semaphore(1);
    private long wakeups;
    private volatile boolean closed;

    /** A receiver's write call during a replay: its records, and the request they came from. */
    private record Unit(IntakeQueue.Claimed from, List<MetadataRecord> records) {
    }

    public Intake(IntakeQueue queue, PluginHost host, BatchWriter writer) {
        this.queue = queue;
        this.host = host;
        this.writer = writer;
        // every receiver that can be replayed: one configured "written" now may still have requests stored while it was "queued"
        this.instances = host.replayableReceivers();
    }

    public void start() {
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

    /** A request was stored: look now. */
    public void wake() {
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
            List<IntakeQueue.Claimed> claimed;
            try {
                claimed = get(queue.claim(instances, CLAIM_ROWS, CLAIM_BYTES, LEASE));
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                backoff = backoff(backoff, "could not look at the intake queue", e);
                continue;
            }
            if (claimed.isEmpty()) {
                synchronized (signal) {
                    if (wakeups == seen && !closed) {
                        try {
                            signal.wait(IDLE_LOOK_MILLIS);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                continue;
            }
            try {
                write(claimed);
                backoff = 0;
                wake(); // more may be waiting: the other worker looks too
            } catch (Exception e) {
                try {
                    // free them now, for the next look (or the next start of the server), rather than at the lease's end
                    get(queue.release(claimed.stream().map(IntakeQueue.Claimed::id).toList()));
                } catch (Exception ignored) {
                    // the lease runs out on its own
                }
                if (closed) {
                    return;
                }
                backoff = backoff(backoff, "could not write " + claimed.size() + " stored request(s)", e);
            }
        }
    }

    /** Waits before the next try, longer each time the database fails, at most {@link #MAX_BACKOFF_MILLIS}. */
    private long backoff(long previous, String what, Exception e) {
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

    private void write(List<IntakeQueue.Claimed> claimed) throws Exception {
        List<Unit> units = new ArrayList<>();
        List<Long> finished = new ArrayList<>();
        Map<Long, String> refused = new LinkedHashMap<>();
        for (IntakeQueue.Claimed c : claimed) {
            try {
                units.addAll(replay(c));
            } catch (Exception | LinkageError e) {
                refused.put(c.id(), "the receiver failed on the stored request: " + e);
            }
        }
        // transactions of whole requests' write calls, up to MAX_RECORDS records (a larger call goes alone)
        List<Unit> group = new ArrayList<>();
        int records = 0;
        for (Unit u : units) {
            if (!group.isEmpty() && records + u.records().size() > MAX_RECORDS) {
                writeGroup(group, refused);
                group = new ArrayList<>();
                records = 0;
            }
            group.add(u);
            records += u.records().size();
        }
        if (!group.isEmpty()) {
            writeGroup(group, refused);
        }
        for (var e : refused.entrySet()) {
            String instance = claimed.stream().filter(c -> c.id() == e.getKey()).findFirst().orElseThrow().instance();
            log.warn("intake: stored request {} of {} refused: {}", e.getKey(), instance, e.getValue());
            host.receiverFailed(instance, "stored request " + e.getKey() + " refused (kept in intake_queue): " + e.getValue(), 1);
            get(queue.refuse(e.getKey(), e.getValue()));
        }
        claimed.forEach(c -> {
            if (!refused.containsKey(c.id())) {
                finished.add(c.id());
            }
        });
        get(queue.done(finished));
    }

    /** The receiver's write calls for a stored request, checked as when it was accepted. */
    private List<Unit> replay(IntakeQueue.Claimed c) throws Exception {
        PluginHost.Receiver receiver = host.receiver(c.instance()).orElseThrow(() ->
                new IllegalStateException("no receiver instance named '" + c.instance() + "' is configured"));
        List<Unit> units = new ArrayList<>();
        RecordWriter collecting = records -> {
            writer.validate(c.instance(), records, c.receivedAt());
            if (!records.isEmpty()) {
                units.add(new Unit(c, List.copyOf(records)));
            }
        };
        PluginHost.withPluginClassLoader(receiver.receiver(), () -> receiver.receiver().handle(c.request(), collecting));
        return units;
    }

    /**
     * Writes the units in one transaction per instance. When the catalog refuses a record, each unit is written
     * alone, so that only the request that carries it is refused.
     */
    private void writeGroup(List<Unit> group, Map<Long, String> refused) throws Exception {
        Map<String, List<Unit>> byInstance = new LinkedHashMap<>();
        group.forEach(u -> byInstance.computeIfAbsent(u.from().instance(), k -> new ArrayList<>()).add(u));
        for (var e : byInstance.entrySet()) {
            List<MetadataRecord> records = new ArrayList<>();
            List<Instant> receivedAt = new ArrayList<>();
            for (Unit u : e.getValue()) {
                records.addAll(u.records());
                receivedAt.addAll(Collections.nCopies(u.records().size(), u.from().receivedAt()));
            }
            writing.acquire();
            try {
                writer.write(e.getKey(), records, receivedAt, Atomicity.ALL_OR_NOTHING);
            } catch (InvalidRecordException combined) {
                for (Unit u : e.getValue()) {
                    if (refused.containsKey(u.from().id())) {
                        continue;
                    }
                    try {
                        writer.write(e.getKey(), u.records(), Collections.nCopies(u.records().size(), u.from().receivedAt()),
                                Atomicity.ALL_OR_NOTHING);
                    } catch (InvalidRecordException alone) {
                        refused.put(u.from().id(), alone.getMessage());
                    }
                }
            } finally {
                writing.release();
            }
        }
    }

    private static <T> T get(io.vertx.core.Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
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
