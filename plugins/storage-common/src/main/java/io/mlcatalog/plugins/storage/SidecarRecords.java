package io.mlcatalog.plugins.storage;

import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.spi.record.RunIoRecord;
import io.mlcatalog.spi.record.RunRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records for a file or object that is present, with what its sidecar says: the artifact (of the sidecar's kind,
 * with its facets), a link from the producing run, and the model version it is. Both links wait for a run that is not
 * recorded yet ({@link RunIoRecord#awaitingRun()}): the run may be recorded later by another source (an OpenLineage
 * event, an MLflow import) and the lineage is then complete, whichever arrived first.
 */
public final class SidecarRecords {
    private SidecarRecords() {
    }

    /**
     * @param artifact  the artifact as the file or object shows it
     * @param sidecar   what its sidecar says, or null
     * @param namespace the instance's namespace: of a run or model the sidecar names without one
     */
    public static List<MetadataRecord> of(ArtifactRecord artifact, Sidecar sidecar, String namespace) {
        if (sidecar == null) {
            return List.of(artifact);
        }
        ArtifactRecord a = artifact;
        if (sidecar.kind() != null || !sidecar.facets().isEmpty()) {
            Map<String, Object> facets = new LinkedHashMap<>(artifact.facets());
            facets.putAll(sidecar.facets());
            a = ArtifactRecord.builder(artifact.namespace(), artifact.uri()).name(artifact.name()).digest(artifact.digest())
                    .sizeBytes(artifact.sizeBytes()).mediaType(artifact.mediaType())
                    .kind(sidecar.kind() != null ? sidecar.kind() : artifact.kind()).createdAt(artifact.createdAt())
                    .externalId(artifact.externalId()).observedAt(artifact.observedAt()).facets(facets).build();
        }
        List<MetadataRecord> records = new ArrayList<>(3);
        records.add(a);
        RunRef run = sidecar.run() == null ? null : sidecar.run().ref(namespace);
        if (run != null) {
            records.add(new RunIoRecord(run, a, RunIoRecord.Direction.PRODUCED, a.externalId(), a.observedAt()).awaitingRun());
        }
        if (sidecar.model() != null) {
            Sidecar.ModelRef m = sidecar.model();
            records.add(new ModelVersionRecord(m.namespace() != null ? m.namespace() : namespace, m.name(), m.version(), m.description(),
                    Map.of(), a, run, a.createdAt(), a.externalId(), a.observedAt()).awaitingRun());
        }
        return records;
    }
}
