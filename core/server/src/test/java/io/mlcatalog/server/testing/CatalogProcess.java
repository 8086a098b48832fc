package io.mlcatalog.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalog as a user runs it: {@code java -jar mlcatalog.jar <args>} in its own process, its output
 * read line by line. The jar is the one {@code mvn package} built (system property {@code mlcatalog.jar}).
 */
public final class CatalogProcess implements AutoCloseable {
    private static final Pattern GRAPHQL_URL = Pattern.compile("GraphQL:\\s+(http://\\S+)/graphql");

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Void> drained;

    private CatalogProcess(Process process) {
        this.process = process;
        this.drained = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                // when the process exits, the JDK's reaper thread drains what is left of the pipe and closes it under a
                // reader blocked on it ("Stream closed"): the end of the output, not a failure
                if (process.isAlive()) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    public static Path jar() {
        String jar = System.getProperty("mlcatalog.jar");
        if (jar == null) {
            throw new IllegalStateException("system property mlcatalog.jar is not set (run through mvn verify)");
        }
        return Path.of(jar);
    }

    public static CatalogProcess start(String... args) {
        return start(java.util.Map.of(), args);
    }

    /** As above, with these environment variables too. */
    public static CatalogProcess start(java.util.Map<String, String> env, String... args) {
        return start(env, List.of(), args);
    }

    /** As above, with these JVM options (system properties such as {@code -Dmlcatalog.sources.leaseSeconds=3}) too. */
    public static CatalogProcess start(java.util.Map<String, String> env, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString()));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            return new CatalogProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the line saying where GraphQL listens, and returns the base URL. */
    public String awaitReady(Duration timeout) {
        Matcher m = awaitLine(GRAPHQL_URL, timeout);
        return m.group(1);
    }

    /** Waits until a line of output matches; fails at once when the process ends without printing it. */
    public Matcher awaitLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no output line matched " + pattern + " within " + timeout + "; output:\n" + output());
                }
                String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                if (line == null) {
                    if (drained.isDone() && lines.isEmpty()) {
                        throw new AssertionError("the process ended (exit " + exitCode() + ") without printing a line matching "
                                + pattern + "; output:\n" + output());
                    }
                    continue;
                }
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String exitCode() {
        return process.isAlive() ? "still running" : String.valueOf(process.exitValue());
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the process did not exit within " + timeout + "; output:\n" + output());
            }
            drained.get(10, TimeUnit.SECONDS);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything printed so far. */
    public String output() {
        synchronized (all) {
            return String.join("\n", all);
        }
    }

    /** Stops the catalog as Ctrl-C would (SIGTERM) and waits for it to exit. */
    public int stop() {
        process.destroy();
        return awaitExit(Duration.ofSeconds(60));
    }

    /** Kills the catalog as {@code kill -9} does: no shutdown hook runs, nothing is closed or given up cleanly. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the process did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
