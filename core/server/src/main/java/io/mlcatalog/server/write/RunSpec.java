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
                      List<ArtifactSpec> inputs, List<ArtifactSpec> outputs, Map<String, Object> facets, Map<String, Object> jobFacets) {
    public static final int MAX_ARTIFACTS = 1_000;

    /** A run without facets (what the GraphQL API records). */
    public static RunSpec of(String field, String namespace, String name, String pipeline, String externalId, RunStatus status,
                             OffsetDateTime startedAt, OffsetDateTime endedAt, String user, Object params, Object metrics,
                             List<Tag> tags, CodeVersionSpec codeVersion, UUID parentId,
                             List<ArtifactSpec> inputs, List<ArtifactSpec> outputs) {
        return of(field, namespace, name, pipeline, externalId, status, startedAt, endedAt, user, params, metrics, tags, codeVersion,
                parentId, inputs, outputs, null, null);
    }

    public RunSpec {
        tags = List.copyOf(tags);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        facets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facets));
        jobFacets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(jobFacets));
    }

    /**
     * A run with facets: named JSON documents about the run, and about its job (its pipeline), kept whole.
     * Each facet is stored with the run's event time; a later event's facet of the same name replaces it.
     */
    public static RunSpec of(String field, String namespace, String name, String pipeline, String externalId, RunStatus status,
                             OffsetDateTime startedAt, OffsetDateTime endedAt, String user, Object params, Object metrics,
                             List<Tag> tags, CodeVersionSpec codeVersion, UUID parentId,
                             List<ArtifactSpec> inputs, List<ArtifactSpec> outputs, Object facets, Object jobFacets) {
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
        Map<String, Object> rf = JsonValues.object(field + ".facets", facets, JsonValues.MAX_FACET_ELEMENTS);
        Map<String, Object> jf = JsonValues.object(field + ".jobFacets", jobFacets, JsonValues.MAX_FACET_ELEMENTS);
        String pipe = Text.optionalName(field + ".pipeline", pipeline, Text.NAME_BYTES);
        if (jf != null && !jf.isEmpty() && pipe == null) {
            throw CatalogException.badInput(field + ".jobFacets", "job facets belong to the run's pipeline: give the pipeline too");
        }
        checkFacetNames(field + ".facets", rf);
        checkFacetNames(field + ".jobFacets", jf);
        return new RunSpec(ns, n, pipe, ext, status, started, ended,
                Text.optionalName(field + ".user", user, Text.NAME_BYTES), p == null ? Map.of() : p, m == null ? Map.of() : m,
                Tags.of(field + ".tags", tags), codeVersion, parentId, inputs, outputs, rf == null ? Map.of() : rf,
                jf == null ? Map.of() : jf);
    }

    private static void checkFacetNames(String field, Map<String, Object> facets) {
        if (facets != null) {
            facets.keySet().forEach(k -> Text.name(field, k, 256));
        }
    }

    /** The time of what this assertion says: its end for a terminal status, else its start, else when observed. */
    public OffsetDateTime eventTime(OffsetDateTime observedAt) {
        if (status.terminal() && endedAt != null) {
            return endedAt;
        }
        if (!status.terminal() && startedAt != null) {
            return startedAt;
        }
        return observedAt;
    }

    public UUID id() {
        return Ids.run(namespace, name, externalId);
    }
}
