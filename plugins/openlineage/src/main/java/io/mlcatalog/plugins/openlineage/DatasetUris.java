package io.mlcatalog.plugins.openlineage;

import io.mlcatalog.spi.naming.OpenLineageDatasets;

/**
 * OpenLineage names a dataset by namespace and name; the catalog names an artifact by URI: see
 * {@link OpenLineageDatasets}, where the catalog's Marquez-compatible lineage endpoint finds the same mapping.
 */
final class DatasetUris {
    private DatasetUris() {
    }

    static String uri(String namespace, String name) {
        return OpenLineageDatasets.uri(namespace, name);
    }
}
