package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Objects;

/**
 * An alias of a model ({@code production}, {@code staging}) pointing at a version from {@code at} on,
 * or removed from then on when {@code version} is null. Records that arrive out of order take their
 * place in time.
 */
public record AliasRecord(String namespace, String model, String alias, String version, Instant at, String externalId,
                          Instant observedAt) implements MetadataRecord {

    public AliasRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(alias, "alias is null");
        Objects.requireNonNull(at, "at is null");
    }
}
