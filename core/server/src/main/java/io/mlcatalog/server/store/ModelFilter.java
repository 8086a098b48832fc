package io.mlcatalog.server.store;

/** The optional filters (and, in {@code readable}, the namespaces the caller may read: null for all) of a model listing; null means "any". */
public record ModelFilter(String namespace, String nameContains, String tagKey, String tagValue,
        String[] readable) {
    /** Without a limit on namespaces. */
    public ModelFilter(String namespace, String nameContains, String tagKey, String tagValue) {
        this(namespace, nameContains, tagKey, tagValue, null);
    }

    /** The same filter, over only the {@code readable} namespaces (null: all): what the caller may read. */
    public ModelFilter withReadable(String[] readable) {
        return new ModelFilter(namespace, nameContains, tagKey, tagValue, readable);
    }

    public static final ModelFilter ALL = new ModelFilter(null, null, null, null);
}
