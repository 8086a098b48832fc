package io.mlcatalog.spi;

import java.util.List;

/**
 * Creates the pull sources of one type (for example {@code git}). The host calls {@link #create} once
 * per configured instance, at start-up, after checking the instance's settings against {@link #settings()}.
 */
public interface SourceFactory {

    /** The type name instances use in {@code mlcatalog.yaml} ({@code type: git}). Lower case, unique across plugins. */
    String type();

    /** The settings an instance may have; the host refuses any other key. */
    default List<Setting> settings() {
        return List.of();
    }

    /**
     * Creates the source of one instance. Check here what the settings alone cannot express (a path
     * that must exist, say) and throw {@link PluginConfigException} naming the key; do not connect to
     * remote systems here: a remote system that is down must not stop the catalog from starting (do it
     * in the first {@link IngestSource#poll}, which is retried).
     */
    IngestSource create(SourceContext context);
}
