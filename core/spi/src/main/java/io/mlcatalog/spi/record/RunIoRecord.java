package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Objects;

/**
 * A link between a run and an artifact (recorded here if it is new): the run consumed or produced it. For sources
 * that learn about artifacts and runs separately (a storage bucket whose objects name the run that wrote them).
 *
 * <p>By default the run must be recorded already, or the record is refused. With {@code awaitRun}
 * ({@link #awaitingRun()}) a link to a run that is not recorded yet is kept pending instead: the artifact is recorded
 * now, and the link is made, in the same transaction, when the run is recorded (by any source). Either arrival order
 * then gives the same lineage, and the source need not retry. A pending link costs one small row until then.
 *
 * @param awaitRun whether to keep the link pending while the run is unknown (else refuse the record)
 */
public record RunIoRecord(RunRef run, ArtifactRecord artifact, Direction direction, String externalId, Instant observedAt,
                          boolean awaitRun)
        implements MetadataRecord {

    public enum Direction {
        CONSUMED, PRODUCED
    }

    public RunIoRecord {
        Objects.requireNonNull(run, "run is null");
        Objects.requireNonNull(artifact, "artifact is null");
        Objects.requireNonNull(direction, "direction is null");
    }

    /** A link to a run that must be recorded already (the record as it was before {@code awaitRun}). */
    public RunIoRecord(RunRef run, ArtifactRecord artifact, Direction direction, String externalId, Instant observedAt) {
        this(run, artifact, direction, externalId, observedAt, false);
    }

    /** This link, kept pending while its run is not recorded. */
    public RunIoRecord awaitingRun() {
        return new RunIoRecord(run, artifact, direction, externalId, observedAt, true);
    }
}
