package io.mlcatalog.server.intake;

import io.mlcatalog.server.db.Db;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stores accepted requests in the intake queue, the requests that arrive while a store is under way together,
 * in one statement and one commit: under load a commit (a WAL flush) is shared by many requests, and with
 * nothing else waiting a request is stored at once. At most {@link #PARALLEL} commits are under way.
 */
public final class IntakeAppender implements AutoCloseable {
    static final int PARALLEL = 2;
    /** The most request bytes one commit takes (a larger request is stored alone). */
    static final long MAX_GROUP_BYTES = 16L * 1024 * 1024;

    private final IntakeQueue queue;
    private final ExecutorService committer;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private int flushers;

    private record Pending(IntakeQueue.Stored row, CompletableFuture<Void> done) {
    }

    public IntakeAppender(IntakeQueue queue) {
        this.queue = queue;
        this.committer = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "intake-append");
            t.setDaemon(true);
            return t;
        });
    }

    /** Stores the request; returns once committed. Call from a worker thread. */
    public void append(IntakeQueue.Stored row) throws Exception {
        Pending p = new Pending(row, new CompletableFuture<>());
        synchronized (this) {
            pending.add(p);
            if (flushers < PARALLEL) {
                flushers++;
                committer.execute(this::flush);
            }
        }
        try {
            p.done().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("storing the request took more than 60 s", e);
        }
    }

    private void flush() {
        while (true) {
            List<Pending> group = new ArrayList<>();
            synchronized (this) {
                long bytes = 0;
                while (!pending.isEmpty() && (group.isEmpty() || bytes + pending.peek().row().request().body().length <= MAX_GROUP_BYTES)) {
                    Pending next = pending.poll();
                    bytes += next.row().request().body().length;
                    group.add(next);
                }
                if (group.isEmpty()) {
                    flushers--;
                    return;
                }
            }
            try {
                Db.await(queue.append(group.stream().map(Pending::row).toList()));
                group.forEach(p -> p.done().complete(null));
            } catch (Exception e) {
                group.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    @Override
    public void close() {
        committer.shutdownNow();
    }
}
