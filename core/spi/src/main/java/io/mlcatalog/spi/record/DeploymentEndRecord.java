package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Objects;

/**
 * The deployment of a model version on a target stopped serving at {@code endedAt} (scaled to zero,
 * deleted): the one that was active then ends.
 *
 * @param failed whether it ended because it failed
 */
public record DeploymentEndRecord(String namespace, String environment, String target, String model, String version,
                                  Instant endedAt, boolean failed, String externalId, Instant observedAt) implements MetadataRecord {

    public DeploymentEndRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(target, "target is null");
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(version, "version is null");
        Objects.requireNonNull(endedAt, "endedAt is null");
    }
}
