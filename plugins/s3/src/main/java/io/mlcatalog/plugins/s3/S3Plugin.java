package io.mlcatalog.plugins.s3;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

/** The S3 plugin: one pull source, {@code type: s3}. Registered in {@code META-INF/services}. */
public final class S3Plugin implements Plugin {

    @Override
    public List<SourceFactory> sources() {
        return List.of(new S3SourceFactory());
    }
}
