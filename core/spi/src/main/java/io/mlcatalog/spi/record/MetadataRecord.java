package io.mlcatalog.spi.record;

import java.time.Instant;

/** A fact a plugin reports. The set of kinds is closed: the catalog knows how to store each. */
public sealed interface MetadataRecord permits CodeVersionRecord, RunRecord, ArtifactRecord, RunIoRecord, ModelVersionRecord,
        AliasRecord, DeploymentStartRecord, DeploymentEndRecord, JobRecord {

    /** The fact's id in the plugin's system, or null. */
    String externalId();

    /** When the plugin observed the fact, or null for "when the host received it". */
    Instant observedAt();
}
