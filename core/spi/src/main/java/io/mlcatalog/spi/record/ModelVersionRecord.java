package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A version of a model (the model is created with its first version). Without {@code version}, the
 * next number is taken, unless a version from the same artifact and run exists: then that one is meant.
 *
 * @param artifact  the model file, or null
 * @param run       the run that produced it, or null; it must be recorded already unless {@code awaitRun}
 * @param createdAt when it was registered, or null for now
 * @param awaitRun  whether a {@code run} that is not recorded yet is awaited: the version is registered now, without
 *                  its run, and linked to it when the run is recorded (see {@link RunIoRecord}); else the record is refused
 */
public record ModelVersionRecord(String namespace, String model, String version, String description, Map<String, String> tags,
                                 ArtifactRecord artifact, RunRef run, Instant createdAt, String externalId, Instant observedAt,
                                 boolean awaitRun)
        implements MetadataRecord {

    public ModelVersionRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(model, "model is null");
        tags = Maps.copy(tags);
    }

    /** A version whose run, if any, must be recorded already (the record as it was before {@code awaitRun}). */
    public ModelVersionRecord(String namespace, String model, String version, String description, Map<String, String> tags,
                              ArtifactRecord artifact, RunRef run, Instant createdAt, String externalId, Instant observedAt) {
        this(namespace, model, version, description, tags, artifact, run, createdAt, externalId, observedAt, false);
    }

    /** This version, registered now and linked to its run when the run is recorded. */
    public ModelVersionRecord awaitingRun() {
        return new ModelVersionRecord(namespace, model, version, description, tags, artifact, run, createdAt, externalId, observedAt,
                true);
    }
}
