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
}
