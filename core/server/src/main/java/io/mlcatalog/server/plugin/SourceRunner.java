package io.mlcatalog.server.plugin;

import io.mlcatalog.server.store.PluginStore;
import io.mlcatalog.spi.Checkpoints;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.MetadataRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Polls one source instance on its schedule. The poll runs on a thread of its own, so one that hangs
 * past the timeout can be abandoned (interrupted, its records discarded, a fresh thread for the next
 * poll) without holding up the schedule or any other instance. After a failure the next poll comes
 * sooner, then later and later (1 s, 2 s, 4 s, … up to the schedule). With several nodes on one database, a
 * node polls only while it holds the instance's lease ({@link SourceLeases}); the others look every few seconds
 * whether it ran out, and the first to find it so polls at once.
 */
final class SourceRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceRunner.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final String instance;
    private final IngestSource source;
    private final PluginsConfig.Instance config;
    private final BatchWriter writer;
    private final PluginStore store;
    private final Clock clock;
    private final CommittedCheckpoints checkpoints;
    private final SourceLeases leases;
    private final ScheduledExecutorService schedule;
    private ExecutorService pollThread;
    private int failures;
    private volatile boolean closed;

    SourceRunner(String instance, IngestSource source, PluginsConfig.Instance config, BatchWriter writer, PluginStore store,
                 Clock clock, CommittedCheckpoints checkpoints, SourceLeases leases) {
        this.leases = leases;
        this.instance = instance;
        this.source = source;
        this.config = config;
        this.writer = writer;
        this.store = store;
        this.clock = clock;
        this.checkpoints = checkpoints;
        this.schedule = Executors.newSingleThreadScheduledExecutor(daemon("plugin-" + instance + "-schedule"));
        this.pollThread = newPollThread();
    }

    /** The committed offsets, as the source sees them: reloaded from the database before every poll. */
    static final class CommittedCheckpoints implements Checkpoints {
        private volatile Map<Map<String, String>, Map<String, String>> committed = Map.of();

        @Override
        public Optional<Map<String, String>> offset(Map<String, String> partition) {
            return Optional.ofNullable(committed.get(partition));
        }

        @Override
        public Map<Map<String, String>, Map<String, String>> all() {
            return committed;
        }

        void set(Map<Map<String, String>, Map<String, String>> offsets) {
            committed = Map.copyOf(offsets);
        }
    }

    void start() {
        schedule.schedule(this::scheduledPoll, 0, TimeUnit.MILLISECONDS);
    }

    private void scheduledPoll() {
        if (closed) {
            return;
        }
        Duration next;
        if (!leases.node().equals(leaseHolder())) {
            next = leases.renewEvery();
        } else {
            PollOutcome outcome = pollOnce();
            if (closed) {
                return;
            }
            next = outcome.ok() || outcome.error() != null && outcome.error().startsWith(ANOTHER_NODE) ? config.schedule() : backoff();
            if (!leases.holds(instance)) {
                next = leases.renewEvery();
            }
        }
        schedule.schedule(this::scheduledPoll, next.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Duration backoff() {
        Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 20));
        return d.compareTo(config.schedule()) < 0 ? d : config.schedule();
    }

    /** How an outcome's error starts when another node polls the instance (no failure of the source's). */
    static final String ANOTHER_NODE = "another node polls this instance";

    private String lastLeaseProblem;

    /** Takes or renews this instance's lease: the node that holds it now (this one: it may poll), or why none is known. */
    private String leaseHolder() {
        try {
            String holder = leases.acquire(instance);
            lastLeaseProblem = null;
            return holder == null ? "(another node, just now)" : holder;
        } catch (Exception e) {
            String problem = describe(e);
            if (!problem.equals(lastLeaseProblem)) {
                log.warn("plugin instance {}: could not take or renew its lease, not polling: {}", instance, problem);
            }
            lastLeaseProblem = problem;
            return "(unknown: " + problem + ")";
        }
    }

    /** Told about every poll's outcome (metrics). */
    volatile java.util.function.Consumer<PollOutcome> observer = o -> {
    };

    /**
     * Runs one poll now and writes what it emitted; blocks until done. Never throws. When another node holds the
     * instance's lease, nothing is polled: the outcome says which node polls it.
     */
    synchronized PollOutcome pollOnce() {
        String holder = leases.holds(instance) ? leases.node() : leaseHolder();
        if (!leases.node().equals(holder)) {
            return new PollOutcome(instance, false, Map.of(), 0, List.of(), Map.of(), ANOTHER_NODE + " (" + holder
                    + ", which holds its lease): not polled here", Duration.ZERO, List.of());
        }
        PollOutcome outcome = pollAndWrite();
        try {
            observer.accept(outcome);
        } catch (RuntimeException e) {
            log.warn("plugin instance {}: a poll observer failed: {}", instance, e.toString());
        }
        return outcome;
    }

    private PollOutcome pollAndWrite() {
        long start = System.nanoTime();
        CollectingSink sink = new CollectingSink();
        try {
            checkpoints.set(get(store.checkpoints(instance)));
            Future<?> poll = pollThread.submit(() -> {
                source.poll(sink);
                return null;
            });
            try {
                poll.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                sink.abandon();
                poll.cancel(true);
                pollThread.shutdownNow();
                pollThread = newPollThread();
                return failed(sink, start, "poll timed out after " + shown(config.timeout()) + " and was abandoned", 0);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                log.warn("plugin instance {}: poll failed", instance, cause);
                return failed(sink, start, "poll failed: " + describe(cause), 0);
            }
            BatchWriter.Result result;
            try {
                result = writer.write(instance, sink.records(), sink.checkpoints(), source.atomicity(), clock.instant(),
                        leases.fence(instance));
            } catch (SourceLeases.LeaseLost e) {
                // not a failure of the source: the other node polls it now, from the last committed checkpoints
                log.warn("plugin instance {}: {}", instance, e.getMessage());
                return new PollOutcome(instance, false, kinds(sink.records()), 0, List.of(), sink.checkpoints(),
                        ANOTHER_NODE + ": " + e.getMessage(), since(start), List.of());
            } catch (InvalidRecordException e) {
                // one record is invalid; the others were refused with it but are not themselves rejected
                return failed(sink, start, "batch refused, nothing written: " + e.getMessage(), 1);
            } catch (Exception e) {
                log.warn("plugin instance {}: writing the batch failed", instance, e);
                return failed(sink, start, "writing the batch failed: " + describe(e), 0);
            }
            failures = 0;
            committed(result.rejected());
            List<String> problems = sink.problems();
            if (!problems.isEmpty()) {
                problems.forEach(p -> log.warn("plugin instance {}: {}", instance, p));
                noteProblems(problems);
            }
            List<String> rejected = result.rejected().stream().map(Throwable::getMessage).toList();
            return new PollOutcome(instance, true, kinds(sink.records()), result.written(), rejected, sink.checkpoints(), null, since(start),
                    problems);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(sink, start, "interrupted", 0);
        } catch (Exception | LinkageError e) {
            // plugin code runs here too (atomicity()): a class missing from its jar must fail this poll, not escape
            // and end the instance's schedule for good
            log.warn("plugin instance {}: poll failed", instance, e);
            return failed(sink, start, describe(e), 0);
        }
    }

    /** Shows what the poll left out as the instance's last error (its records are written; the status stays OK). */
    private void noteProblems(List<String> problems) {
        String text = problems.size() == 1 ? "the poll was written without a part it could not read: " + problems.get(0)
                : "the poll was written without " + problems.size() + " parts it could not read, the first: " + problems.get(0);
        try {
            get(store.noted(instance, text));
        } catch (Exception e) {
            log.warn("plugin instance {}: could not record its status ({}): {}", instance, text, describe(e));
        }
    }

    /** Tells the source its batch is stored; a source that fails here has still had its poll written. */
    private void committed(List<InvalidRecordException> rejected) {
        try {
            PluginHost.withPluginClassLoader(source, () -> {
                source.committed(List.copyOf(rejected));
                return null;
            });
        } catch (Exception | LinkageError e) {
            log.warn("plugin instance {}: committed() failed: {}", instance, describe(e));
        }
    }

    /** A timeout as configured: {@code 500 ms}, {@code 30 s} (whole seconds would make 500ms "0 s"). */
    private static String shown(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private PollOutcome failed(CollectingSink sink, long start, String error, int rejected) {
        failures++;
        // after the batch's connection was lost, the pool can still hand out that dead connection once:
        // one more try, or the status would keep saying OK about a poll that failed
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                get(store.failed(instance, error, rejected));
                break;
            } catch (Exception e) {
                if (attempt == 2) {
                    log.warn("plugin instance {}: could not record its status ({}): {}", instance, error, describe(e));
                }
            }
        }
        log.warn("plugin instance {}: {}", instance, error);
        List<MetadataRecord> records = sink.records();
        return new PollOutcome(instance, false, kinds(records), 0, rejected > 0 ? List.of(error) : List.of(), sink.checkpoints(), error,
                since(start), List.of());
    }

    private static Map<String, Integer> kinds(List<MetadataRecord> records) {
        Map<String, Integer> counts = new TreeMap<>();
        records.forEach(r -> counts.merge(r.getClass().getSimpleName(), 1, Integer::sum));
        return counts;
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 3; t = t.getCause()) {
            String m = t.getMessage();
            parts.add(m == null ? t.getClass().getSimpleName() : m);
        }
        String text = String.join(": ", parts);
        return text.length() > 1000 ? text.substring(0, 1000) + "…" : text;
    }

    private ExecutorService newPollThread() {
        ClassLoader plugin = source.getClass().getClassLoader();
        java.util.concurrent.ThreadFactory named = daemon("plugin-" + instance + "-poll");
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = named.newThread(r);
            // libraries that load through the context class loader (ServiceLoader, JAXB, many loggers) must see the
            // plugin's jar, not the server's classpath, or an external plugin's isolation ends at its first such call
            t.setContextClassLoader(plugin);
            return t;
        });
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static <T> T get(io.vertx.core.Future<T> future) throws Exception {
        return io.mlcatalog.server.db.Db.await(future);
    }

    @Override
    public void close() {
        closed = true;
        schedule.shutdownNow();
        pollThread.shutdownNow();
        try {
            source.close();
        } catch (Exception e) {
            log.warn("plugin instance {} did not close cleanly: {}", instance, describe(e));
        }
    }
}
