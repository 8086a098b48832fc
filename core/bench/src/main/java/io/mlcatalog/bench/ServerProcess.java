package io.mlcatalog.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The catalog as a user runs it: {@code java [jvm options] -jar mlcatalog.jar serve ...} in its own
 * process, on a port chosen here so that {@code /ready} can be polled from the moment of launch.
 */
final class ServerProcess implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    private static final String READY_LINE = "mlcatalog is ready in";

    private final Process process;
    private final int port;
    private final long launchedAt;
    private final List<String> output = new ArrayList<>();
    private volatile long readyLineAt;
    private final Thread drain;

    private ServerProcess(Process process, int port, long launchedAt) {
        this.process = process;
        this.port = port;
        this.launchedAt = launchedAt;
        this.drain = new Thread(this::drain, "server-output-" + process.pid());
        drain.setDaemon(true);
        drain.start();
    }

    /** Launches the server; the clock of {@link #awaitReady} starts just before the process is created. */
    static ServerProcess launch(Path java, List<String> jvmOptions, Path jar, List<String> args) {
        return launch(java, jvmOptions, jar, args, Map.of());
    }

    /** As above, with these variables set in the server's environment. */
    static ServerProcess launch(Path java, List<String> jvmOptions, Path jar, List<String> args, Map<String, String> env) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        command.add("--host");
        command.add(HOST);
        command.add("--port");
        command.add(Integer.toString(port));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // the server reads these; the benchmark's own command line must decide
        builder.environment().keySet().removeIf(k -> k.startsWith("MLCATALOG_"));
        builder.environment().putAll(env);
        long start = System.nanoTime();
        try {
            return new ServerProcess(builder.start(), port, start);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + command, e);
        }
    }

    /** A port nothing listens on now (the benchmark's servers are started on such ports). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void drain() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (readyLineAt == 0 && line.contains(READY_LINE)) {
                    readyLineAt = System.nanoTime();
                }
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (IOException ignored) {
            // the process went away
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Polls {@code GET /ready} every {@code pollMillis} until it answers 200; returns the nanoseconds
     * from launch to that answer.
     */
    long awaitReady(Duration timeout, int pollMillis) {
        long deadline = launchedAt + timeout.toNanos();
        String last = "nothing listened on port " + port;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new BenchException("the server exited (code " + process.exitValue() + ") before /ready answered 200; its output:\n"
                        + output());
            }
            try {
                int status = HttpConnection.probe(HOST, port, "/ready", 2000);
                long now = System.nanoTime();
                if (status == 200) {
                    return now - launchedAt;
                }
                if (status > 0) {
                    last = "/ready answered " + status;
                }
            } catch (IOException e) {
                last = "/ready: " + e;
            }
            sleep(pollMillis);
        }
        throw new BenchException("/ready did not answer 200 within " + timeout.toSeconds() + " s (" + last + "); server output:\n" + output());
    }

    /** Waits for the "mlcatalog is ready" line; returns the nanoseconds from launch to it. */
    long awaitReadyLine(Duration timeout) {
        long deadline = launchedAt + timeout.toNanos();
        while (readyLineAt == 0) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new BenchException("the server did not print '" + READY_LINE + "'; its output:\n" + output());
            }
            sleep(5);
        }
        return readyLineAt - launchedAt;
    }

    /** SIGTERM (what Ctrl-C or a service manager sends), then waits for the exit; returns how long stopping took. */
    long stop() {
        long start = System.nanoTime();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BenchException("the server did not stop within 60 s of SIGTERM; its output:\n" + output());
            }
            long took = System.nanoTime() - start;
            drain.join(5000);
            return took;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while stopping the server");
        }
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }
}
