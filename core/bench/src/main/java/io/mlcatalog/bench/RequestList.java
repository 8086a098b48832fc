package io.mlcatalog.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A list of different GraphQL requests (one per root) sent once each, closed loop, over N keep-alive
 * connections (one thread each): a thread takes the next request as soon as it has its previous answer.
 * The latency of a request runs from writing it to having read the whole answer; checking the answer
 * comes after and is not timed. Every answer is checked.
 */
final class RequestList {
    private static final int TIMEOUT_MILLIS = 60_000;

    /** Null when the answer is right, else what is wrong. */
    interface Check {
        String problem(JsonSummary answer);
    }

    record Request(String label, byte[] graphql, Check check) {
        static Request of(String label, String query, String variablesJson, Check check) {
            String body = "{\"query\":" + quote(query) + ",\"variables\":" + variablesJson + "}";
            return new Request(label, body.getBytes(StandardCharsets.UTF_8), check);
        }
    }

    /** One request's latency and answer. */
    record Outcome(Request request, long micros, JsonSummary answer, String problem) {
    }

    /** What a run of the list produced. Latencies in microseconds. */
    static final class Result {
        final Histogram latency = new Histogram(1, 600_000_000L, 3);
        final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        final List<String> failureSamples = Collections.synchronizedList(new ArrayList<>());
        double seconds;
        long failed;

        double p(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }

        double max() {
            return latency.getMaxValue() / 1000.0;
        }
    }

    private RequestList() {
    }

    static Result run(int port, List<Request> requests, int connections) {
        Result result = new Result();
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                HttpConnection http = null;
                try {
                    for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                        Request r = requests.get(i);
                        byte[] wire = HttpConnection.request("POST", ServerProcess.HOST, port, "/graphql", "application/json", r.graphql(), true);
                        long t0 = System.nanoTime();
                        String problem;
                        JsonSummary answer = null;
                        long micros;
                        try {
                            if (http == null) {
                                http = new HttpConnection(ServerProcess.HOST, port, TIMEOUT_MILLIS);
                            }
                            int status = http.exchange(wire);
                            micros = Math.max(1, (System.nanoTime() - t0) / 1000);
                            answer = JsonSummary.of(http.body(), http.bodyLength());
                            problem = status != 200 ? "HTTP " + status + ": " + RunsPage.excerpt(http.body(), http.bodyLength())
                                    : answer.problem != null ? answer.problem
                                    : answer.hasErrors() ? "errors in the answer: " + RunsPage.excerpt(http.body(), http.bodyLength())
                                    : r.check().problem(answer);
                            if (http.closeRequested()) {
                                http.close();
                                http = null;
                            }
                        } catch (IOException | RuntimeException e) {
                            micros = Math.max(1, (System.nanoTime() - t0) / 1000);
                            problem = e.toString();
                            if (http != null) {
                                http.close();
                                http = null;
                            }
                        }
                        synchronized (result) {
                            if (problem == null) {
                                result.latency.recordValue(micros);
                            } else {
                                result.failed++;
                                if (result.failureSamples.size() < 5) {
                                    result.failureSamples.add(r.label() + ": " + problem);
                                }
                            }
                        }
                        result.outcomes.add(new Outcome(r, micros, answer, problem));
                    }
                } finally {
                    if (http != null) {
                        http.close();
                    }
                }
            }, "client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted");
            }
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        return result;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
