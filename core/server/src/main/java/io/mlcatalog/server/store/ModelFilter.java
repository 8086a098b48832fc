package io.mlcatalog.server.store;

/** The optional filters of a model listing; null means "any". */
public record ModelFilter(String namespace, String nameContains, String tagKey, String tagValue) {
    public static final ModelFilter ALL = new ModelFilter(null, null, null, null);
}
