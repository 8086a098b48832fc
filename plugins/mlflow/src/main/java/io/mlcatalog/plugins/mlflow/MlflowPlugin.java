package io.mlcatalog.plugins.mlflow;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

/** The MLflow plugin: one pull source, {@code type: mlflow}. Registered in {@code META-INF/services}. */
public final class MlflowPlugin implements Plugin {

    @Override
    public List<SourceFactory> sources() {
        return List.of(new MlflowSourceFactory());
    }
}
