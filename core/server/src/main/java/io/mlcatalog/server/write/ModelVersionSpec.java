package io.mlcatalog.server.write;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A validated model version to register. Without a version, the next number is taken, unless a
 * version registered from the same artifact and run exists: then that one is the answer, so sending
 * the same registration twice registers one version.
 */
public record ModelVersionSpec(String namespace, String model, String version, String description, List<Tag> tags,
                               ArtifactSpec artifact, UUID runId, OffsetDateTime createdAt) {

    public ModelVersionSpec {
        tags = List.copyOf(tags);
    }

    public static ModelVersionSpec of(String field, String namespace, String model, String version, String description,
                                      List<Tag> tags, ArtifactSpec artifact, UUID runId, OffsetDateTime createdAt) {
        String v = Text.optionalName(field + ".version", version, 128);
        if (v == null && artifact == null && runId == null) {
            throw CatalogException.badInput(field + ".version", "give a version, or an artifact or runId that identifies "
                    + "the version to number automatically (otherwise a repeated request would register a second version)");
        }
        return new ModelVersionSpec(
                Text.name(field + ".namespace", namespace, Text.SHORT_NAME_BYTES),
                Text.name(field + ".model", model, Text.SHORT_NAME_BYTES),
                v,
                Text.freeText(field + ".description", description),
                Tags.of(field + ".tags", tags),
                artifact, runId,
                Times.normalize(createdAt, field + ".createdAt"));
    }

    /** This spec with another run (null: none). */
    public ModelVersionSpec withRunId(UUID run) {
        return new ModelVersionSpec(namespace, model, version, description, tags, artifact, run, createdAt);
    }

    /** The version as a number when it is one (auto-numbering continues after the highest). */
    public static Integer number(String version) {
        if (version != null && version.matches("[0-9]{1,9}")) {
            return Integer.valueOf(version);
        }
        return null;
    }
}
