package io.mlcatalog.server.store;

import io.mlcatalog.server.model.ArtifactKind;

/**
 * The optional filters (and, in {@code readable}, the namespaces the caller may read: null for all) of an artifact listing; null means "any".
 *
 * @param present true: only artifacts at their URI; false: only gone ones
 */
public record ArtifactFilter(String namespace, ArtifactKind kind, String uriPrefix, String digest, String nameContains, Boolean present,
        String[] readable) {
    /** Without a limit on namespaces. */
    public ArtifactFilter(String namespace, ArtifactKind kind, String uriPrefix, String digest, String nameContains, Boolean present) {
        this(namespace, kind, uriPrefix, digest, nameContains, present, null);
    }

    /** The same filter, over only the {@code readable} namespaces (null: all): what the caller may read. */
    public ArtifactFilter withReadable(String[] readable) {
        return new ArtifactFilter(namespace, kind, uriPrefix, digest, nameContains, present, readable);
    }

    public static final ArtifactFilter ALL = new ArtifactFilter(null, null, null, null, null, null);
}
