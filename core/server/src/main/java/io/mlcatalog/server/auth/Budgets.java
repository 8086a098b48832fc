package io.mlcatalog.server.auth;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Each token's budgets, as leaky buckets (the way Shopify and GitHub meter their GraphQL APIs): one of query cost
 * points (the complexity {@code ComplexityLimit} computes) and one of requests. A bucket holds a minute's worth and
 * drains continuously, so a client may burst up to the whole minute's budget and then goes on at the restore rate.
 * A request over budget is refused before it runs, told when to come back; a catalog without access control has no
 * budgets (there is no token to keep them by).
 */
public final class Budgets {
    /** A bucket's state after a charge: what it holds at most, what is left now, and how fast it refills (per second). */
    public record Status(long maximumAvailable, long currentlyAvailable, double restoreRate) {
    }

    /** A charge the bucket cannot take now; {@code retryAfterSeconds} is when it can (whole seconds, at least 1). */
    public static final class OverBudget extends RuntimeException {
        public final long retryAfterSeconds;
        public final Status status;
        public final String what;

        OverBudget(String what, long retryAfterSeconds, Status status) {
            super(what, null, false, false);
            this.what = what;
            this.retryAfterSeconds = retryAfterSeconds;
            this.status = status;
        }
    }

    private final long pointsPerMinute;
    private final long requestsPerMinute;
    private final LongSupplier nanoTime;
    private final Map<UUID, Bucket> points = new ConcurrentHashMap<>();
    private final Map<UUID, Bucket> requests = new ConcurrentHashMap<>();

    /** @param pointsPerMinute, requestsPerMinute 0 for no such budget */
    public Budgets(long pointsPerMinute, long requestsPerMinute, LongSupplier nanoTime) {
        this.pointsPerMinute = pointsPerMinute;
        this.requestsPerMinute = requestsPerMinute;
        this.nanoTime = nanoTime;
    }

    public static final Budgets NONE = new Budgets(0, 0, System::nanoTime);

    /** Takes one request from the token's request budget. */
    public void request(UUID token) {
        if (token != null && requestsPerMinute > 0) {
            requests.computeIfAbsent(token, t -> new Bucket(requestsPerMinute)).take(1, nanoTime.getAsLong(), "requests");
        }
    }

    /** Takes {@code cost} points from the token's budget; the status after it, or null when there is no budget. */
    public Status charge(UUID token, long cost) {
        if (token == null || pointsPerMinute <= 0) {
            return null;
        }
        return points.computeIfAbsent(token, t -> new Bucket(pointsPerMinute)).take(cost, nanoTime.getAsLong(), "query cost points");
    }

    public long pointsPerMinute() {
        return pointsPerMinute;
    }

    /** A leaky bucket: {@code level} is what was taken and has not drained yet. */
    private static final class Bucket {
        private final long capacity;
        private final double perNano;
        private double level;
        private long at;
        private boolean started;

        Bucket(long perMinute) {
            this.capacity = perMinute;
            this.perNano = perMinute / 60e9;
        }

        synchronized Status take(long cost, long now, String what) {
            if (started) {
                level = Math.max(0, level - (now - at) * perNano);
            }
            started = true;
            at = now;
            if (level + cost > capacity) {
                double waitNanos = (level + cost - capacity) / perNano;
                long seconds = Math.max(1, (long) Math.ceil(waitNanos / 1e9));
                throw new OverBudget(what, seconds, status());
            }
            level += cost;
            return status();
        }

        private Status status() {
            return new Status(capacity, (long) Math.floor(capacity - level), capacity / 60.0);
        }
    }
}
