package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Objects;

/**
 * A link between a run that is already recorded and an artifact (recorded here if it is new): the run
 * consumed or produced it. For sources that learn about artifacts and runs separately (a storage
 * bucket whose objects name the run that wrote them).
 */
public record RunIoRecord(RunRef run, ArtifactRecord artifact, Direction direction, String externalId, Instant observedAt)
        implements MetadataRecord {

    public enum Direction {
        CONSUMED, PRODUCED
    }

    public RunIoRecord {
        Objects.requireNonNull(run, "run is null");
        Objects.requireNonNull(artifact, "artifact is null");
        Objects.requireNonNull(direction, "direction is null");
    }
}
