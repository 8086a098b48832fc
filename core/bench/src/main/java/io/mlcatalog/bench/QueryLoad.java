package io.mlcatalog.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load of one request: each of N connections (one thread, one keep-alive socket each)
 * sends the next request as soon as the previous answer is in and checked. Every answer is checked;
 * failures are counted, never dropped.
 */
final class QueryLoad {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final int port;
    private final byte[] request;
    private final int expectedEdges;

    QueryLoad(int port, byte[] graphqlBody, int expectedEdges) {
        this(port, graphqlBody, expectedEdges, null);
    }

    /** With {@code Authorization: <authorization>} on every request (null: none). */
    QueryLoad(int port, byte[] graphqlBody, int expectedEdges, String authorization) {
        this.port = port;
        this.request = HttpConnection.request("POST", ServerProcess.HOST, port, "/graphql", "application/json", graphqlBody, true,
                authorization);
        this.expectedEdges = expectedEdges;
    }

    /** What a load produced. Latencies in microseconds. */
    static final class Result {
        final Histogram latency = new Histogram(1, 600_000_000L, 3);
        long ok;
        long failed;
        long warmupOk;
        long warmupFailed;
        /** Sockets opened: one per connection unless the server closed one or a request failed. */
        long connectionsOpened;
        double seconds;
        final List<String> failureSamples = Collections.synchronizedList(new ArrayList<>());

        double requestsPerSecond() {
            return ok / seconds;
        }

        long totalFailed() {
            return failed + warmupFailed;
        }

        double percentileMillis(double p) {
            return latency.getValueAtPercentile(p) / 1000.0;
        }

        synchronized void add(Result r) {
            latency.add(r.latency);
            ok += r.ok;
            failed += r.failed;
            warmupOk += r.warmupOk;
            warmupFailed += r.warmupFailed;
            connectionsOpened += r.connectionsOpened;
        }

        void sample(String failure) {
            if (failureSamples.size() < 5) {
                failureSamples.add(failure);
            }
        }
    }

    /** {@code total} requests spread over the connections, as fast as they go (no warm-up phase). */
    Result burst(int connections, int total) {
        AtomicLong left = new AtomicLong(total);
        long start = System.nanoTime();
        Result result = drive(connections, (conn, r) -> {
            long[] done = new long[1];
            while (left.getAndDecrement() > 0) {
                if (one(conn, r, done)) {
                    r.ok++;
                } else {
                    r.failed++;
                }
            }
        });
        result.seconds = (System.nanoTime() - start) / 1e9;
        return result;
    }

    /**
     * {@code warmupSeconds} of load that is not measured, then {@code measureSeconds} that are: the
     * answers that arrive in the measured window count, with their latencies. {@code atWindowStart} and {@code atWindowEnd} run on
     * a thread of its own at the start and at the end of the measured window (to read CPU counters).
     */
    Result timed(int connections, double warmupSeconds, double measureSeconds, Runnable atWindowStart, Runnable atWindowEnd) {
        long begin = System.nanoTime();
        long windowStart = begin + (long) (warmupSeconds * 1e9);
        long windowEnd = windowStart + (long) (measureSeconds * 1e9);
        Thread clock = new Thread(() -> {
            sleepUntil(windowStart);
            atWindowStart.run();
            sleepUntil(windowEnd);
            atWindowEnd.run();
        }, "window-clock");
        clock.start();
        Result result = drive(connections, (conn, r) -> {
            long[] done = new long[1];
            while (true) {
                long t0 = System.nanoTime();
                if (t0 >= windowEnd) {
                    return;
                }
                boolean ok = one(conn, r, done);
                long t1 = done[0];
                if (t1 < windowStart) {
                    if (ok) {
                        r.warmupOk++;
                    } else {
                        r.warmupFailed++;
                    }
                } else if (t1 < windowEnd) {
                    if (ok) {
                        r.ok++;
                        r.latency.recordValue(Math.max(1, (t1 - t0) / 1000));
                    } else {
                        r.failed++;
                    }
                } else if (!ok) {
                    r.failed++; // after the window: not timed, but a failure is still a failure
                }
            }
        });
        try {
            clock.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        result.seconds = measureSeconds;
        return result;
    }

    /** One connection of a load: its socket (re-opened after a failure) and its share of the result. */
    private final class Conn {
        final Result result;
        HttpConnection http;

        Conn(Result result) {
            this.result = result;
        }

        HttpConnection http() throws IOException {
            if (http == null) {
                http = new HttpConnection(ServerProcess.HOST, port, TIMEOUT_MILLIS);
                result.connectionsOpened++;
            }
            return http;
        }

        void drop() {
            if (http != null) {
                http.close();
                http = null;
            }
        }
    }

    private interface Loop {
        void run(Conn conn, Result result);
    }

    private Result drive(int connections, Loop loop) {
        Result total = new Result();
        CountDownLatch done = new CountDownLatch(connections);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(() -> {
                Result mine = new Result();
                Conn conn = new Conn(mine);
                try {
                    loop.run(conn, mine);
                } finally {
                    conn.drop();
                    total.add(mine);
                    mine.failureSamples.forEach(total::sample);
                    done.countDown();
                }
            }, "client-" + i);
            threads.add(t);
            t.start();
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
        return total;
    }

    /** Sends the query once and checks the answer; {@code done[0]} is when the answer was in and checked. */
    private boolean one(Conn conn, Result r, long[] done) {
        try {
            HttpConnection http = conn.http();
            int status = http.exchange(request);
            String problem = status != 200 ? "HTTP " + status + ": " + RunsPage.excerpt(http.body(), http.bodyLength())
                    : RunsPage.problem(http.body(), http.bodyLength(), expectedEdges);
            done[0] = System.nanoTime();
            if (http.closeRequested()) {
                conn.drop();
            }
            if (problem != null) {
                r.sample(problem);
                return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            done[0] = System.nanoTime();
            conn.drop();
            r.sample(e.toString());
            ServerProcess.sleep(10); // a dead server should not turn the client into a busy loop
            return false;
        }
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            ServerProcess.sleep(Math.max(1, left / 1_000_000));
        }
    }
}
