package io.mlcatalog.plugins.kubernetes;

import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

import static io.mlcatalog.plugins.kubernetes.KubernetesSettings.*;

/**
 * Creates {@code kubernetes} sources. Nothing connects here: the first poll starts the watches, so that
 * an API server that cannot be reached never stops the catalog from starting (the poll fails, and is
 * retried).
 */
public final class KubernetesSourceFactory implements SourceFactory {
    public static final String TYPE = "kubernetes";

    private static final List<Setting> SETTINGS = List.of(
            Setting.required(CLUSTER, Setting.Type.STRING, "the environment deployments are recorded in: the cluster's name (prod-eu)"),
            Setting.optional(NAMESPACES, Setting.Type.LIST, null, "the Kubernetes namespaces to watch; default: all"),
            Setting.optional(KINDS, Setting.Type.LIST, "deployments,statefulsets,inferenceservices", "the kinds of workload to watch"),
            Setting.optional(LABEL_SELECTOR, Setting.Type.STRING, "mlcatalog.io/model", "the label selector of the workloads to record"),
            Setting.optional(NAMESPACE, Setting.Type.STRING, null,
                    "the catalog namespace of deployments (and of their models) when a workload has no mlcatalog.io/namespace "
                            + "annotation; default: the workload's Kubernetes namespace"),
            Setting.optional(RESYNC, Setting.Type.DURATION, "10m",
                    "how often every watched workload is checked again and its current deployment sent again"),
            Setting.optional(API_SERVER, Setting.Type.STRING, null,
                    "the API server's URL; default: the kubeconfig's current context, or the in-cluster service account"),
            Setting.secret(TOKEN, false, "a bearer token for the API server (never logged)"),
            Setting.optional(KUBECONFIG, Setting.Type.STRING, null, "a kubeconfig file; default: $KUBECONFIG, else ~/.kube/config"),
            Setting.optional(CONTEXT, Setting.Type.STRING, null, "the kubeconfig context; default: its current context"),
            Setting.optional(INSECURE, Setting.Type.BOOLEAN, "false", "trust any server certificate (test clusters only)"),
            Setting.optional(MAX_BUFFERED, Setting.Type.INT, "10000",
                    "the most changes kept between two polls; past it, the next poll sends every workload's current deployment"),
            Setting.optional(SYNC_TIMEOUT, Setting.Type.DURATION, "30s",
                    "how long a poll waits for the watches' first full list before it fails (and is retried)"));

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Setting> settings() {
        return SETTINGS;
    }

    @Override
    public IngestSource create(SourceContext context) {
        return new KubernetesSource(context, KubernetesSettings.of(context.config()));
    }
}
