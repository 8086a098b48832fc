package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What is known about a job (a pipeline of a namespace) apart from any run of it: its facets, named JSON
 * documents kept whole (of each name, the one asserted at the latest {@code at}).
 */
public record JobRecord(String namespace, String name, Map<String, Object> facets, Instant at, String externalId, Instant observedAt)
        implements MetadataRecord {

    public JobRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(at, "at is null");
        facets = Maps.copy(facets);
    }
}
