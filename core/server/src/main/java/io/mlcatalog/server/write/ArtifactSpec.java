package io.mlcatalog.server.write;

import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Digests;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.model.Uris;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * A validated artifact to record. Identity is URI + digest.
 *
 * @param goneAt null: the assertion sees the artifact at its URI (at the writer's observation time); else it says the
 *               artifact is no longer there since then (see V6__artifact_gone.sql for how the two combine)
 */
public record ArtifactSpec(String namespace, String name, String uri, String digest, Long sizeBytes, String mediaType,
                           ArtifactKind kind, OffsetDateTime createdAt, Map<String, Object> facets, OffsetDateTime goneAt) {

    public ArtifactSpec {
        facets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facets));
    }

    /** Validates a client's values; {@code field} is the path of the artifact in the request, for error messages. */
    public static ArtifactSpec of(String field, String namespace, String name, String uri, String digest, Long sizeBytes,
                                  String mediaType, ArtifactKind kind, OffsetDateTime createdAt) {
        return of(field, namespace, name, uri, digest, sizeBytes, mediaType, kind, createdAt, null);
    }

    /**
     * As {@link #of(String, String, String, String, String, Long, String, ArtifactKind, OffsetDateTime)}, with facets:
     * named JSON documents about the artifact, kept whole, each stored with {@code createdAt} as its event time.
     */
    public static ArtifactSpec of(String field, String namespace, String name, String uri, String digest, Long sizeBytes,
                                  String mediaType, ArtifactKind kind, OffsetDateTime createdAt, Object facets) {
        return of(field, namespace, name, uri, digest, sizeBytes, mediaType, kind, createdAt, facets, null);
    }

    /** As above, for an assertion that the artifact is no longer at its URI since {@code goneAt} (null: it is there). */
    public static ArtifactSpec of(String field, String namespace, String name, String uri, String digest, Long sizeBytes,
                                  String mediaType, ArtifactKind kind, OffsetDateTime createdAt, Object facets, OffsetDateTime goneAt) {
        Map<String, Object> f = JsonValues.object(field + ".facets", facets, JsonValues.MAX_FACET_ELEMENTS);
        if (f != null) {
            f.keySet().forEach(k -> Text.name(field + ".facets", k, 256));
        }
        String u = Uris.artifactUri(field + ".uri", uri);
        if (sizeBytes != null && sizeBytes < 0) {
            throw CatalogException.badInput(field + ".sizeBytes", "sizeBytes must not be negative");
        }
        String n = Text.optionalName(field + ".name", name, Text.NAME_BYTES);
        return new ArtifactSpec(
                Text.name(field + ".namespace", namespace, Text.SHORT_NAME_BYTES),
                n != null ? n : Text.name(field + ".uri", Uris.lastSegment(u), Text.NAME_BYTES),
                u,
                Digests.normalize(field + ".digest", digest),
                sizeBytes,
                Text.optionalName(field + ".mediaType", mediaType, 255),
                kind == null ? ArtifactKind.OTHER : kind,
                Times.normalize(createdAt, field + ".createdAt"),
                f == null ? Map.of() : f,
                Times.normalize(goneAt, field + ".goneAt"));
    }

    /** Whether this assertion says the artifact is gone (else: present). */
    public boolean gone() {
        return goneAt != null;
    }

    public UUID id() {
        return Ids.artifact(uri, digest);
    }
}
