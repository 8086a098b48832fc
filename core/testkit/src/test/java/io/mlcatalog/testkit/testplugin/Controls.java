package io.mlcatalog.testkit.testplugin;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a test can observe of, and release in, a {@link CountingSource} instance: how many times it was
 * polled, whether a hanging poll saw its interrupt, and a gate that lets a poll that ignores interrupts
 * go on. One per instance name; tests use instance names of their own.
 */
public final class Controls {
    private static final ConcurrentHashMap<String, Controls> BY_INSTANCE = new ConcurrentHashMap<>();

    /** The thread the last poll ran on. */
    public final AtomicReference<String> pollThread = new AtomicReference<>();
    /** Polls started. */
    public final AtomicInteger polls = new AtomicInteger();
    /** Counted down when a hanging poll is interrupted (abandoned by the host). */
    public final CountDownLatch interrupted = new CountDownLatch(1);
    /** Opened by the test to let a poll that ignores interrupts return. */
    public final CountDownLatch release = new CountDownLatch(1);
    /** Counted down when a released, abandoned poll has tried to emit. */
    public final CountDownLatch zombieDone = new CountDownLatch(1);
    /** What the sink answered the abandoned poll that tried to emit after its timeout. */
    public final AtomicReference<String> zombieRefusal = new AtomicReference<>();

    public static Controls of(String instance) {
        return BY_INSTANCE.computeIfAbsent(instance, k -> new Controls());
    }
}
