package io.mlcatalog.plugins.filesystem;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

/** The filesystem plugin: one pull source, {@code type: filesystem}. Registered in {@code META-INF/services}. */
public final class FilesystemPlugin implements Plugin {

    @Override
    public List<SourceFactory> sources() {
        return List.of(new FilesystemSourceFactory());
    }
}
