package io.mlcatalog.server.plugin;

import io.mlcatalog.spi.PluginConfigException;

/** The plugin configuration cannot be used; the message names the instance and the key. Stops start-up. */
public final class PluginConfigError extends RuntimeException {
    public PluginConfigError(String message) {
        super(message);
    }

    /**
     * What a factory's {@link PluginConfigException} (which names only the key) stops start-up with: the
     * host and the testkit's harness report it alike.
     */
    public static PluginConfigError of(String instance, PluginConfigException e) {
        return new PluginConfigError("plugin instance '" + instance + "': setting '" + e.key() + "' "
                + e.getMessage().substring(e.key().length()).strip());
    }
}
