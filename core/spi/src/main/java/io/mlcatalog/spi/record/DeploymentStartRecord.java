package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A model version started serving a target in an environment. Without a traffic share (or at 100)
 * it replaces what served the target: those deployments end at {@code startedAt}. With a smaller share
 * it is a canary beside them.
 *
 * @param target the service, endpoint or InferenceService
 */
public record DeploymentStartRecord(String namespace, String environment, String target, String model, String version,
                                    Double trafficPercent, Integer replicas, Map<String, Object> config, String deployedBy,
                                    Instant startedAt, String externalId, Instant observedAt) implements MetadataRecord {

    public DeploymentStartRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(target, "target is null");
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(version, "version is null");
        Objects.requireNonNull(startedAt, "startedAt is null");
        config = config == null ? null : Maps.copy(config);
    }
}
