package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A dataset, model file or other thing a run read or wrote. Identity is URI + digest: the same URI with
 * another digest is a new version of the artifact, and the old one stays.
 *
 * @param namespace the namespace to file it under: of the records that name it, the one with the earliest {@code createdAt}
 *                  files it (so that arrival order does not), else the first
 * @param name      a display name, or null for the last segment of the URI
 * @param uri       {@code s3://bucket/key}, {@code file:///path}, {@code bigquery:project.dataset.table}, …
 * @param digest    {@code sha256:<hex>}, {@code etag:<etag>}, {@code s3-version:<id>}, … or null when unknown
 * @param createdAt when the artifact was created, or null for when it was first recorded
 * @param facets    named JSON documents about the artifact (a dataset's schema, column lineage, …), kept whole; of each
 *                  name, the one asserted at the latest {@code createdAt} (else observation time) is kept
 * @param goneAt    null: the artifact is at its URI (as of {@code observedAt}); else since when it no longer is (the file
 *                  was deleted, the object overwritten or deleted). See "Gone" below.
 *
 * <p><b>Gone.</b> An artifact is never erased: its runs, model versions and lineage stay. A source that sees a file or
 * object disappear, or its content replaced by a new digest, says so with the last artifact it recorded there and
 * {@code goneAt}: {@code builder(…).goneAt(t)} or {@link #asGone(Instant)}. The catalog then shows the artifact as gone
 * ({@code Artifact.goneAt}) until a record that sees it present again at a later time ({@code observedAt}, else the
 * time the host received it) arrives: of the "present" and "gone" assertions, the one with the latest time wins,
 * whatever order they arrive in (a tie: present). A gone record for an artifact the catalog does not know yet
 * records it, as gone.
 */
public record ArtifactRecord(String namespace, String name, String uri, String digest, Long sizeBytes, String mediaType,
                             ArtifactKind kind, Instant createdAt, String externalId, Instant observedAt, Map<String, Object> facets,
                             Instant goneAt)
        implements MetadataRecord {

    public ArtifactRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(uri, "uri is null");
        kind = kind == null ? ArtifactKind.OTHER : kind;
        facets = Maps.copy(facets);
    }

    /** An artifact that is present (the record as it was before {@code goneAt}: plugins built against it keep compiling). */
    public ArtifactRecord(String namespace, String name, String uri, String digest, Long sizeBytes, String mediaType,
                          ArtifactKind kind, Instant createdAt, String externalId, Instant observedAt, Map<String, Object> facets) {
        this(namespace, name, uri, digest, sizeBytes, mediaType, kind, createdAt, externalId, observedAt, facets, null);
    }

    /** An artifact without facets (the record as it was before facets: plugins built against it keep compiling). */
    public ArtifactRecord(String namespace, String name, String uri, String digest, Long sizeBytes, String mediaType,
                          ArtifactKind kind, Instant createdAt, String externalId, Instant observedAt) {
        this(namespace, name, uri, digest, sizeBytes, mediaType, kind, createdAt, externalId, observedAt, null, null);
    }

    /** This artifact, no longer at its URI from {@code at} on (deleted, or its content replaced). */
    public ArtifactRecord asGone(Instant at) {
        Objects.requireNonNull(at, "at is null");
        return new ArtifactRecord(namespace, name, uri, digest, sizeBytes, mediaType, kind, createdAt, externalId, observedAt, facets, at);
    }

    public static Builder builder(String namespace, String uri) {
        return new Builder(namespace, uri);
    }

    public static final class Builder {
        private final String namespace;
        private final String uri;
        private String name;
        private String digest;
        private Long sizeBytes;
        private String mediaType;
        private ArtifactKind kind = ArtifactKind.OTHER;
        private Instant createdAt;
        private String externalId;
        private Instant observedAt;
        private Map<String, Object> facets;
        private Instant goneAt;

        private Builder(String namespace, String uri) {
            this.namespace = namespace;
            this.uri = uri;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder digest(String v) { digest = v; return this; }
        public Builder sizeBytes(Long v) { sizeBytes = v; return this; }
        public Builder mediaType(String v) { mediaType = v; return this; }
        public Builder kind(ArtifactKind v) { kind = v; return this; }
        public Builder createdAt(Instant v) { createdAt = v; return this; }
        public Builder externalId(String v) { externalId = v; return this; }
        public Builder observedAt(Instant v) { observedAt = v; return this; }
        public Builder facets(Map<String, Object> v) { facets = v; return this; }
        /** Since when the artifact is no longer at its URI; null (the default): it is there. */
        public Builder goneAt(Instant v) { goneAt = v; return this; }

        public ArtifactRecord build() {
            return new ArtifactRecord(namespace, name, uri, digest, sizeBytes, mediaType, kind, createdAt, externalId, observedAt, facets, goneAt);
        }
    }
}
