package io.mlcatalog.server.webhooks;

import java.time.Duration;

/**
 * When a delivery that failed is tried again: after 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h and 8 h, about 16
 * hours in all (a receiver down for a night gets what it missed in the morning); after the tenth attempt it is failed
 * for good, and can still be redelivered by hand. {@code unit} scales the whole schedule (tests run it in milliseconds).
 */
public record Backoff(Duration unit) {
    /** Delays after the 1st, 2nd, … failed attempt, in tenths of the schedule's unit of 10 s. */
    private static final long[] STEPS = {1, 3, 12, 60, 180, 360, 720, 1440, 2880};
    public static final int MAX_ATTEMPTS = STEPS.length + 1;
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(10));

    /** The backoff of this JVM: the default, or {@code -Dmlcatalog.webhooks.backoffUnitMs} (for tests). */
    public static Backoff fromSystemProperties() {
        String unit = System.getProperty("mlcatalog.webhooks.backoffUnitMs");
        return unit == null ? DEFAULT : new Backoff(Duration.ofMillis(Long.parseLong(unit)));
    }

    /** The wait after attempt {@code attempts} failed, or null when that was the last one. */
    public Duration after(int attempts) {
        if (attempts < 1 || attempts >= MAX_ATTEMPTS) {
            return null;
        }
        return unit.multipliedBy(STEPS[attempts - 1]);
    }
}
