package io.mlcatalog.plugins.metaflow;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

/** The Metaflow plugin: one pull source, {@code type: metaflow}. Registered in {@code META-INF/services}. */
public final class MetaflowPlugin implements Plugin {

    @Override
    public List<SourceFactory> sources() {
        return List.of(new MetaflowSourceFactory());
    }
}
