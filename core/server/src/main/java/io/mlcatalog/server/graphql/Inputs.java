package io.mlcatalog.server.graphql;

import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.RunStatus;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.write.ArtifactSpec;
import io.mlcatalog.server.write.CodeVersionSpec;
import io.mlcatalog.server.write.DeploymentSpec;
import io.mlcatalog.server.write.ModelVersionSpec;
import io.mlcatalog.server.write.RunSpec;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GraphQL input objects to validated write specs. Every error names the path of the offending field
 * in the request (for example {@code input.outputs[1].digest}).
 */
final class Inputs {
    private Inputs() {
    }

    static RunSpec run(String field, Map<String, Object> in) {
        String repository = (String) in.get("repository");
        String commit = (String) in.get("commit");
        CodeVersionSpec code = null;
        if (repository != null || commit != null) {
            if (repository == null || commit == null) {
                throw CatalogException.badInput(field + (repository == null ? ".repository" : ".commit"),
                        "repository and commit go together: give both or neither");
            }
            code = CodeVersionSpec.of(field, repository, commit);
        }
        String parent = (String) in.get("parentRunId");
        return RunSpec.of(field, (String) in.get("namespace"), (String) in.get("name"), (String) in.get("pipeline"),
                (String) in.get("externalId"), status(in.get("status")), (OffsetDateTime) in.get("startedAt"),
                (OffsetDateTime) in.get("endedAt"), (String) in.get("user"), in.get("params"), in.get("metrics"),
                tags(in.get("tags")), code, parent == null ? null : GlobalId.parse(parent, NodeType.RUN, field + ".parentRunId"),
                artifacts(field + ".inputs", in.get("inputs")), artifacts(field + ".outputs", in.get("outputs")));
    }

    static ArtifactSpec artifact(String field, Map<String, Object> in) {
        Object size = in.get("sizeBytes");
        return ArtifactSpec.of(field, (String) in.get("namespace"), (String) in.get("name"), (String) in.get("uri"),
                (String) in.get("digest"), size == null ? null : ((Number) size).longValue(), (String) in.get("mediaType"),
                in.get("kind") == null ? null : ArtifactKind.valueOf(in.get("kind").toString()), (OffsetDateTime) in.get("createdAt"),
                null, (OffsetDateTime) in.get("goneAt"));
    }

    static ModelVersionSpec modelVersion(String field, Map<String, Object> in) {
        Object artifact = in.get("artifact");
        String runId = (String) in.get("runId");
        return ModelVersionSpec.of(field, (String) in.get("namespace"), (String) in.get("model"), (String) in.get("version"),
                (String) in.get("description"), tags(in.get("tags")),
                artifact == null ? null : artifact(field + ".artifact", Args.map(artifact)),
                runId == null ? null : GlobalId.parse(runId, NodeType.RUN, field + ".runId"), (OffsetDateTime) in.get("createdAt"));
    }

    static DeploymentSpec deployment(String field, Map<String, Object> in) {
        Object traffic = in.get("trafficPercent");
        return DeploymentSpec.of(field, (String) in.get("namespace"), (String) in.get("environment"), (String) in.get("target"),
                (String) in.get("model"), (String) in.get("version"), traffic == null ? null : ((Number) traffic).doubleValue(),
                (Integer) in.get("replicas"), in.get("config"), (String) in.get("deployedBy"), (OffsetDateTime) in.get("startedAt"));
    }

    static List<Tag> tags(Object value) {
        if (value == null) {
            return List.of();
        }
        List<Tag> tags = new ArrayList<>();
        for (Object o : (List<?>) value) {
            Map<String, Object> m = Args.map(o);
            tags.add(new Tag((String) m.get("key"), (String) m.get("value")));
        }
        return tags;
    }

    private static List<ArtifactSpec> artifacts(String field, Object value) {
        if (value == null) {
            return List.of();
        }
        List<?> list = (List<?>) value;
        if (list.size() > RunSpec.MAX_ARTIFACTS) {
            throw CatalogException.badInput(field, "at most " + RunSpec.MAX_ARTIFACTS + " artifacts per request, got " + list.size());
        }
        List<ArtifactSpec> specs = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            specs.add(artifact(field + "[" + i + "]", Args.map(list.get(i))));
        }
        return specs;
    }

    private static RunStatus status(Object value) {
        return value == null ? null : RunStatus.valueOf(value.toString());
    }
}
