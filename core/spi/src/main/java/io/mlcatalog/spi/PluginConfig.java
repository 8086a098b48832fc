package io.mlcatalog.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An instance's settings, already checked against the factory's {@link Setting}s (so a getter for a
 * declared setting never fails on its type) with defaults applied and {@code ${env:NAME}} references
 * resolved. {@link #toString()} never shows a secret.
 */
public interface PluginConfig {

    /** The value of a setting, or empty when it is not set and has no default. */
    Optional<String> get(String key);

    /** The value of a required setting (or one with a default). */
    default String require(String key) {
        return get(key).orElseThrow(() -> new PluginConfigException(key, "is required"));
    }

    int getInt(String key);

    boolean getBoolean(String key);

    Duration getDuration(String key);

    /** A list setting; empty when not set. */
    List<String> getList(String key);

    /** The keys that are set (including defaults). */
    Set<String> keys();
}
