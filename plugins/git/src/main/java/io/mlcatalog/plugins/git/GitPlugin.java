package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

/** The Git plugin: one pull source, {@code type: git}. Registered in {@code META-INF/services}. */
public final class GitPlugin implements Plugin {

    @Override
    public List<SourceFactory> sources() {
        return List.of(new GitSourceFactory());
    }
}
