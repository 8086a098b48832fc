package io.mlcatalog.plugins.kubernetes;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

/** Kubernetes in: Deployments, StatefulSets and KServe InferenceServices as deployment intervals. */
public final class KubernetesPlugin implements Plugin {
    @Override
    public List<SourceFactory> sources() {
        return List.of(new KubernetesSourceFactory());
    }
}
