package io.mlcatalog.spi;

import java.util.Objects;

/**
 * A setting has a value the plugin cannot use. Thrown by a factory's {@code create} (or by
 * {@link PluginConfig}); the host stops start-up with a message naming the instance and the key.
 */
public class PluginConfigException extends RuntimeException {
    private final String key;

    public PluginConfigException(String key, String problem) {
        super(Objects.requireNonNull(key, "key is null") + " " + Objects.requireNonNull(problem, "problem is null"));
        this.key = key;
    }

    /** The setting at fault. */
    public String key() {
        return key;
    }
}
