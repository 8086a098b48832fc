package io.mlcatalog.server.write;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.RunStatus;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A validated run to upsert, with the code it ran and the artifacts it read and wrote. */
public record RunSpec(String namespace, String name, String pipeline, String externalId, RunStatus status,
                      OffsetDateTime startedAt, OffsetDateTime endedAt, String user, Map<String, Object> params,
                      Map<String, Object> metrics, List<Tag> tags, CodeVersionSpec codeVersion, UUID parentId,
                      List<ArtifactSpec> inputs, List<ArtifactSpec> outputs) {
    public static final int MAX_ARTIFACTS = 1_000;

    public RunSpec {
        tags = List.copyOf(tags);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public static RunSpec of(String field, String namespace, String name, String pipeline, String externalId, RunStatus status,
                             OffsetDateTime startedAt, OffsetDateTime endedAt, String user, Object params, Object metrics,
                             List<Tag> tags, CodeVersionSpec codeVersion, UUID parentId,
                             List<ArtifactSpec> inputs, List<ArtifactSpec> outputs) {
        if (status == null) {
            throw CatalogException.badInput(field + ".status", "status is required");
        }
        OffsetDateTime started = Times.normalize(startedAt, field + ".startedAt");
        OffsetDateTime ended = Times.normalize(endedAt, field + ".endedAt");
        if (started != null && ended != null && ended.isBefore(started)) {
            throw CatalogException.badInput(field + ".endedAt", "endedAt (" + ended + ") is before startedAt (" + started + ")");
        }
        if (ended != null && !status.terminal()) {
            throw CatalogException.badInput(field + ".endedAt", "a RUNNING run has no endedAt");
        }
        if (inputs.size() > MAX_ARTIFACTS || outputs.size() > MAX_ARTIFACTS) {
            throw CatalogException.badInput(field, "at most " + MAX_ARTIFACTS + " inputs and " + MAX_ARTIFACTS + " outputs per request");
        }
        String ns = Text.name(field + ".namespace", namespace, Text.SHORT_NAME_BYTES);
        String n = Text.name(field + ".name", name, Text.NAME_BYTES);
        String ext = Text.optionalName(field + ".externalId", externalId, Text.NAME_BYTES);
        if (parentId != null && parentId.equals(Ids.run(ns, n, ext))) {
            throw CatalogException.badInput(field + ".parentRunId", "a run cannot be its own parent");
        }
        Map<String, Object> p = JsonValues.object(field + ".params", params);
        Map<String, Object> m = JsonValues.object(field + ".metrics", metrics);
        return new RunSpec(ns, n, Text.optionalName(field + ".pipeline", pipeline, Text.NAME_BYTES), ext, status, started, ended,
                Text.optionalName(field + ".user", user, Text.NAME_BYTES), p == null ? Map.of() : p, m == null ? Map.of() : m,
                Tags.of(field + ".tags", tags), codeVersion, parentId, inputs, outputs);
    }

    public UUID id() {
        return Ids.run(namespace, name, externalId);
    }
}
