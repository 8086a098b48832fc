package io.mlcatalog.server.plugin;

import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.RunStatus;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.write.ArtifactSpec;
import io.mlcatalog.server.write.CodeVersionSpec;
import io.mlcatalog.server.write.DeploymentSpec;
import io.mlcatalog.server.write.ModelVersionSpec;
import io.mlcatalog.server.write.RunKey;
import io.mlcatalog.server.write.RunSpec;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.spi.record.DeploymentStartRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.spi.record.RunRecord;
import io.mlcatalog.spi.record.RunRef;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Plugin records to the validated write specs the API uses too: a record passes exactly the checks a
 * GraphQL mutation does, and an error names the record's field ({@code outputs[0].digest}).
 */
final class RecordSpecs {
    private RecordSpecs() {
    }

    static CodeVersionSpec codeVersion(CodeVersionRecord r) {
        return CodeVersionSpec.of("code", r.repository(), r.commit(), r.branches(), r.tags(), r.author(), r.message(), time(r.committedAt()));
    }

    static ArtifactSpec artifact(String field, ArtifactRecord r) {
        return ArtifactSpec.of(field, r.namespace(), r.name(), r.uri(), r.digest(), r.sizeBytes(), r.mediaType(),
                ArtifactKind.valueOf(r.kind().name()), time(r.createdAt()), r.facets(), time(r.goneAt()));
    }

    static RunSpec run(RunRecord r) {
        CodeVersionSpec code = null;
        if (r.repository() != null || r.commit() != null) {
            if (r.repository() == null || r.commit() == null) {
                throw CatalogException.badInput(r.repository() == null ? "repository" : "commit",
                        "repository and commit go together: give both or neither");
            }
            code = CodeVersionSpec.of("run", r.repository(), r.commit());
        }
        List<ArtifactSpec> inputs = new ArrayList<>();
        for (int i = 0; i < r.inputs().size(); i++) {
            inputs.add(artifact("inputs[" + i + "]", r.inputs().get(i)));
        }
        List<ArtifactSpec> outputs = new ArrayList<>();
        for (int i = 0; i < r.outputs().size(); i++) {
            outputs.add(artifact("outputs[" + i + "]", r.outputs().get(i)));
        }
        RunSpec spec = RunSpec.of("run", r.namespace(), r.name(), r.pipeline(), r.externalId(), RunStatus.valueOf(r.status().name()),
                time(r.startedAt()), time(r.endedAt()), r.user(), r.params(), r.metrics(), tags(r.tags()), code,
                r.parent() == null ? null : runId("parent", r.parent()), inputs, outputs, r.facets(), r.jobFacets());
        return spec;
    }

    /** The version to register; its run, named by {@link #runKey}, is resolved when writing. */
    static ModelVersionSpec modelVersion(ModelVersionRecord r) {
        RunKey run = r.run() == null ? null : runKey("run", r.run());
        return ModelVersionSpec.of("modelVersion", r.namespace(), r.model(), r.version(), r.description(), tags(r.tags()),
                r.artifact() == null ? null : artifact("artifact", r.artifact()), run == null ? null : run.id(),
                time(r.createdAt()));
    }

    /** A reference to a run a record links to: by namespace and name, or by external id alone. */
    static RunKey runKey(String field, RunRef ref) {
        return RunKey.of(field, ref.namespace(), ref.name(), ref.externalId());
    }

    static DeploymentSpec deployment(DeploymentStartRecord r) {
        return DeploymentSpec.of("deployment", r.namespace(), r.environment(), r.target(), r.model(), r.version(), r.trafficPercent(),
                r.replicas(), r.config(), r.deployedBy(), time(r.startedAt()), r.artifactUri(), r.artifactDigest());
    }

    /** The id of the run a reference names, after checking the reference as the run's own fields are checked. */
    static UUID runId(String field, RunRef ref) {
        if (!ref.named()) {
            throw CatalogException.badInput(field + ".name", "name the run by namespace and name here (an external id alone names "
                    + "a run only in links to it)");
        }
        return Ids.run(Text.name(field + ".namespace", ref.namespace(), Text.SHORT_NAME_BYTES),
                Text.name(field + ".name", ref.name(), Text.NAME_BYTES),
                Text.optionalName(field + ".externalId", ref.externalId(), Text.NAME_BYTES));
    }

    static List<Tag> tags(Map<String, String> tags) {
        List<Tag> list = new ArrayList<>();
        tags.forEach((k, v) -> list.add(new Tag(k, v)));
        return list;
    }

    static OffsetDateTime time(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
