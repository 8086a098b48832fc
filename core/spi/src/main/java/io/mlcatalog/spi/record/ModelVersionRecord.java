package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A version of a model (the model is created with its first version). Without {@code version}, the
 * next number is taken, unless a version from the same artifact and run exists: then that one is meant.
 *
 * @param artifact  the model file, or null
 * @param run       the run that produced it (already recorded), or null
 * @param createdAt when it was registered, or null for now
 */
public record ModelVersionRecord(String namespace, String model, String version, String description, Map<String, String> tags,
                                 ArtifactRecord artifact, RunRef run, Instant createdAt, String externalId, Instant observedAt)
        implements MetadataRecord {

    public ModelVersionRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(model, "model is null");
        tags = Maps.copy(tags);
    }
}
