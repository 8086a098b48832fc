package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What is known about a job (a pipeline of a namespace) apart from any run of it: its facets, named JSON
 * documents kept whole (of each name, the one asserted at the latest {@code at}), and the datasets it declares
 * it reads ({@code inputs}) and writes ({@code outputs}): static lineage, recorded as artifacts and kept with the
 * job, added to what it declared before.
 */
public record JobRecord(String namespace, String name, Map<String, Object> facets, Instant at, String externalId, Instant observedAt,
                        List<ArtifactRecord> inputs, List<ArtifactRecord> outputs)
        implements MetadataRecord {

    public JobRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(at, "at is null");
        facets = Maps.copy(facets);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** A job's facets alone (the record as it was before inputs and outputs: plugins built against it keep compiling). */
    public JobRecord(String namespace, String name, Map<String, Object> facets, Instant at, String externalId, Instant observedAt) {
        this(namespace, name, facets, at, externalId, observedAt, List.of(), List.of());
    }
}
