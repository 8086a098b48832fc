package io.mlcatalog.spi.record;

import java.util.Objects;

/** Names a run the way the catalog identifies it: namespace, name and (optional) external id. */
public record RunRef(String namespace, String name, String externalId) {
    public RunRef {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(name, "name is null");
    }

    public static RunRef of(String namespace, String name, String externalId) {
        return new RunRef(namespace, name, externalId);
    }
}
