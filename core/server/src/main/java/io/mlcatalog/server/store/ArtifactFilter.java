package io.mlcatalog.server.store;

import io.mlcatalog.server.model.ArtifactKind;

/**
 * The optional filters of an artifact listing; null means "any".
 *
 * @param present true: only artifacts at their URI; false: only gone ones
 */
public record ArtifactFilter(String namespace, ArtifactKind kind, String uriPrefix, String digest, String nameContains, Boolean present) {
    public static final ArtifactFilter ALL = new ArtifactFilter(null, null, null, null, null, null);
}
