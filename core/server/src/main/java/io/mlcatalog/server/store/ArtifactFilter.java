package io.mlcatalog.server.store;

import io.mlcatalog.server.model.ArtifactKind;

/** The optional filters of an artifact listing; null means "any". */
public record ArtifactFilter(String namespace, ArtifactKind kind, String uriPrefix, String digest, String nameContains) {
    public static final ArtifactFilter ALL = new ArtifactFilter(null, null, null, null, null);
}
