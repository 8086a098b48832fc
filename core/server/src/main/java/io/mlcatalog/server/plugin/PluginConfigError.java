package io.mlcatalog.server.plugin;

/** The plugin configuration cannot be used; the message names the instance and the key. Stops start-up. */
public final class PluginConfigError extends RuntimeException {
    public PluginConfigError(String message) {
        super(message);
    }
}
