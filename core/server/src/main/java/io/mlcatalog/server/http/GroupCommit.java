package io.mlcatalog.server.http;

import io.mlcatalog.server.plugin.BatchWriter;
import io.mlcatalog.server.plugin.Origin;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.MetadataRecord;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntConsumer;

/**
 * Writes a receiver's requests, committing the requests that arrive while a write is under way
 * together, in one transaction: under load many small requests (an OpenLineage client posts one event
 * per request) cost one transaction instead of one each, and with nothing else waiting a request is
 * written at once. Each request still succeeds or fails on its own: when a combined write is refused
 * because one request carries an invalid record, the requests are written again one by one.
 *
 * <p>Per receiver instance one transaction is under way, and a second only when it pays ({@link #ANOTHER_AT_RECORDS}):
 * a transaction costs PostgreSQL about the same whether it holds one small request or ten (its round trips, BEGIN and
 * COMMIT, the change feed's numbering pass after it), so small requests wait for the one under way and go together in
 * the next (8 clients sending single OpenLineage events: 4 requests a transaction instead of 2.6, docs/benchmarks.md).
 * Requests with many records (batches) start a second at once: two keep both of a small machine's cores busy, one
 * prepared in Java while PostgreSQL runs the other. The two lock rows in the same order, and a deadlock is retried by
 * the writer.
 */
final class GroupCommit implements AutoCloseable {
    /** The most records one combined transaction takes (a larger request is written alone). */
    static final int MAX_RECORDS = 5_000;

    private final String instance;
    private final BatchWriter writer;
    private final Clock clock;
    private final ExecutorService committer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Transactions under way at once, at most: while one waits on PostgreSQL the next is prepared and sent (2 cores). */
    static final int PARALLEL = 2;
    /**
     * The records waiting that start another transaction while one is under way: enough that the transaction's own cost
     * is small beside theirs (a batch of events), and more than a few clients' single events (1 to 3 records each). With
     * nothing under way a request is written at once, whatever its size.
     */
    static final int ANOTHER_AT_RECORDS = Integer.getInteger("mlcatalog.groupCommit.anotherAtRecords", 64);
    private final int anotherAtRecords;
    private int flushers;
    /** The records of the requests in {@link #queue}. */
    private int waitingRecords;
    private final IntConsumer transactions;

    /** A request's records and who sent them: only requests of one sender are written together (one identity each). */
    private record Pending(Origin origin, List<MetadataRecord> records, CompletableFuture<Void> done) {
    }

    GroupCommit(String instance, BatchWriter writer, Clock clock) {
        this(instance, writer, clock, requests -> {
        });
    }

    /** @param transactions told the number of requests of every transaction committed (the metrics: requests per transaction) */
    GroupCommit(String instance, BatchWriter writer, Clock clock, IntConsumer transactions) {
        this(instance, writer, clock, transactions, ANOTHER_AT_RECORDS);
    }

    GroupCommit(String instance, BatchWriter writer, Clock clock, IntConsumer transactions, int anotherAtRecords) {
        this.anotherAtRecords = anotherAtRecords;
        this.transactions = transactions;
        this.instance = instance;
        this.writer = writer;
        this.clock = clock;
        this.committer = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "ingest-" + instance + "-commit");
            t.setDaemon(true);
            return t;
        });
    }

    /** Writes the records in one transaction (perhaps shared with other requests'); blocks until committed. */
    void write(Origin origin, List<MetadataRecord> records) throws InvalidRecordException {
        Pending p = new Pending(origin, List.copyOf(records), new CompletableFuture<>());
        synchronized (this) {
            queue.add(p);
            waitingRecords += p.records().size();
            if (flushers == 0 || flushers < PARALLEL && waitingRecords >= anotherAtRecords) {
                flushers++;
                committer.execute(this::flush);
            }
        }
        try {
            p.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the records were written", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidRecordException invalid) {
                throw invalid;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("writing the records failed: " + cause.getMessage(), cause);
        }
    }

    private void flush() {
        while (true) {
            List<Pending> group = new ArrayList<>();
            synchronized (this) {
                int records = 0;
                while (!queue.isEmpty() && (group.isEmpty() || records + queue.peek().records().size() <= MAX_RECORDS
                        && queue.peek().origin().equals(group.get(0).origin()))) {
                    Pending next = queue.poll();
                    records += next.records().size();
                    waitingRecords -= next.records().size();
                    group.add(next);
                }
                if (group.isEmpty()) {
                    flushers--;
                    return;
                }
                if (flushers < PARALLEL && waitingRecords >= anotherAtRecords) {
                    // more waits than this transaction takes (a backlog of batches): another writes it meanwhile
                    flushers++;
                    committer.execute(this::flush);
                }
            }
            if (group.size() == 1) {
                writeAlone(group.get(0));
                continue;
            }
            List<MetadataRecord> combined = new ArrayList<>();
            group.forEach(p -> combined.addAll(p.records()));
            try {
                writer.write(group.get(0).origin(), combined, Map.of(), Atomicity.ALL_OR_NOTHING, clock.instant());
                transactions.accept(group.size());
                group.forEach(p -> p.done().complete(null));
            } catch (InvalidRecordException e) {
                group.forEach(this::writeAlone); // only the request that carries the invalid record fails
            } catch (Exception e) {
                group.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    private void writeAlone(Pending p) {
        try {
            writer.write(p.origin(), p.records(), Map.of(), Atomicity.ALL_OR_NOTHING, clock.instant());
            transactions.accept(1);
            p.done().complete(null);
        } catch (Exception e) {
            p.done().completeExceptionally(e);
        }
    }

    /** The requests waiting for a transaction (not those of the transactions under way). */
    synchronized int waiting() {
        return queue.size();
    }

    @Override
    public void close() {
        committer.shutdownNow();
    }
}
