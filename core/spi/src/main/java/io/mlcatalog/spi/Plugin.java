package io.mlcatalog.spi;

import java.util.List;

/**
 * The entry point of a plugin, found with {@link java.util.ServiceLoader}: list the implementation's
 * class name in {@code META-INF/services/io.mlcatalog.spi.Plugin}. It needs a public no-argument
 * constructor.
 *
 * <p>Every method has an empty default, so a plugin implements only what it offers, and a new
 * extension point in a later SPI version never breaks an existing plugin.
 */
public interface Plugin {

    /** The pull sources this plugin offers, each under its own type name. */
    default List<SourceFactory> sources() {
        return List.of();
    }

    /** The push receivers this plugin offers, each under its own type name. */
    default List<ReceiverFactory> receivers() {
        return List.of();
    }
}
