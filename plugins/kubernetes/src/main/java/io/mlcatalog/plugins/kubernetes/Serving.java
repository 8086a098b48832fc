package io.mlcatalog.plugins.kubernetes;

import java.time.Instant;
import java.util.Objects;

/**
 * One deployment a workload has in the catalog: what it serves, its traffic share (null: all of it, a
 * canary otherwise) and when it started. A serving without {@code since} is one to start.
 */
record Serving(ModelRef ref, Double traffic, Instant since) {

    Serving {
        Objects.requireNonNull(ref, "ref is null");
    }

    /** Whether it takes all the traffic (and so replaces what served before it). */
    boolean full() {
        return traffic == null || traffic >= 100;
    }

    Serving startingAt(Instant t) {
        return new Serving(ref, traffic, t);
    }

    Serving withTraffic(Double share) {
        return new Serving(ref, share, since);
    }

    /** Whether {@code other} is the same deployment in the catalog (its share may have changed). */
    boolean sameDeployment(Serving other) {
        return since != null && since.equals(other.since) && ref.equals(other.ref) && full() == other.full();
    }
}
