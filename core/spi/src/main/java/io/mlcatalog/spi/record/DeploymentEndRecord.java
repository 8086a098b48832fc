package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Objects;

/**
 * A deployment on a target stopped serving at {@code endedAt} (scaled to zero, deleted).
 *
 * <p>With {@code model} and {@code version}, the deployment of that version that was serving then ends
 * (or, failing that, the last one that started before it); the record is refused when there is none.
 * With neither, the whole target stopped: every deployment serving it at {@code endedAt} that started
 * before then ends (none is no error), so an end and a new start at the same instant may arrive in any
 * order.
 *
 * @param model   the model's name, or null (with {@code version}) for every deployment on the target
 * @param version the version, or null (with {@code model})
 * @param failed  whether it ended because it failed
 */
public record DeploymentEndRecord(String namespace, String environment, String target, String model, String version,
                                  Instant endedAt, boolean failed, String externalId, Instant observedAt) implements MetadataRecord {

    public DeploymentEndRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(target, "target is null");
        if ((model == null) != (version == null)) {
            throw new IllegalArgumentException("model and version go together: give both, or neither to end every deployment on the target");
        }
        Objects.requireNonNull(endedAt, "endedAt is null");
    }

    /** Every deployment serving the target at {@code endedAt} ends then. */
    public static DeploymentEndRecord ofTarget(String namespace, String environment, String target, Instant endedAt, boolean failed,
                                               String externalId, Instant observedAt) {
        return new DeploymentEndRecord(namespace, environment, target, null, null, endedAt, failed, externalId, observedAt);
    }
}
