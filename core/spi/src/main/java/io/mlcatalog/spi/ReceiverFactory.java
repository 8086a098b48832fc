package io.mlcatalog.spi;

import java.util.List;

/** Creates the push receivers of one type (for example {@code openlineage}). */
public interface ReceiverFactory {

    /** The type name instances use in {@code mlcatalog.yaml}. Lower case, unique across plugins. */
    String type();

    /** The settings an instance may have; the host refuses any other key. */
    default List<Setting> settings() {
        return List.of();
    }

    IngestReceiver create(ReceiverContext context);

    /**
     * A path where clients that follow a well-known protocol expect this type of receiver (OpenLineage's
     * HTTP transport posts to {@code /api/v1/lineage}), or empty. The host mounts the one instance of the
     * type there as well as under {@code /ingest/<instance>/}; when none is configured it runs one with
     * default settings, named after the type, so such clients work with no configuration. Configuring an
     * instance with {@code enabled: false} turns that off.
     */
    default java.util.Optional<String> defaultPath() {
        return java.util.Optional.empty();
    }
}
