package io.mlcatalog.plugins.kubernetes;

import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@code kubernetes} instance's settings, checked.
 *
 * @param namespaces the Kubernetes namespaces to watch; empty: all of them
 * @param namespace  the catalog namespace of deployments whose workload has no {@code mlcatalog.io/namespace}; null:
 *                   the workload's Kubernetes namespace
 * @param apiServer  the API server's URL, or null for the kubeconfig's (or the in-cluster one)
 */
record KubernetesSettings(String cluster, List<String> namespaces, Set<WorkloadKind> kinds, String labelSelector, String namespace,
                          Duration resync, String apiServer, String token, Path kubeconfig, String context, boolean insecureSkipTlsVerify,
                          int maxBufferedChanges, Duration syncTimeout) {

    static final String CLUSTER = "cluster";
    static final String NAMESPACES = "namespaces";
    static final String KINDS = "kinds";
    static final String LABEL_SELECTOR = "labelSelector";
    static final String NAMESPACE = "namespace";
    static final String RESYNC = "resync";
    static final String API_SERVER = "apiServer";
    static final String TOKEN = "token";
    static final String KUBECONFIG = "kubeconfig";
    static final String CONTEXT = "context";
    static final String INSECURE = "insecureSkipTlsVerify";
    static final String MAX_BUFFERED = "maxBufferedChanges";
    static final String SYNC_TIMEOUT = "syncTimeout";

    static KubernetesSettings of(PluginConfig config) {
        String cluster = config.require(CLUSTER).strip();
        if (cluster.isEmpty()) {
            throw new PluginConfigException(CLUSTER, "must not be blank");
        }
        List<String> namespaces = new ArrayList<>(new LinkedHashSet<>(config.getList(NAMESPACES).stream().map(String::strip)
                .filter(s -> !s.isEmpty()).toList()));
        Set<WorkloadKind> kinds = new LinkedHashSet<>();
        for (String k : config.getList(KINDS)) {
            WorkloadKind kind = WorkloadKind.ofPlural(k);
            if (kind == null) {
                throw new PluginConfigException(KINDS, "has '" + k + "': expected deployments, statefulsets or inferenceservices");
            }
            kinds.add(kind);
        }
        if (kinds.isEmpty()) {
            throw new PluginConfigException(KINDS, "must name at least one of deployments, statefulsets, inferenceservices");
        }
        String selector = config.require(LABEL_SELECTOR).strip();
        if (selector.isEmpty()) {
            throw new PluginConfigException(LABEL_SELECTOR, "must not be blank (select the workloads to record, e.g. mlcatalog.io/model)");
        }
        String namespace = config.get(NAMESPACE).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        Duration resync = positive(config, RESYNC);
        String apiServer = config.get(API_SERVER).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        if (apiServer != null && !apiServer.startsWith("https://") && !apiServer.startsWith("http://")) {
            throw new PluginConfigException(API_SERVER, "must be an http:// or https:// URL, got '" + apiServer + "'");
        }
        String token = config.get(TOKEN).filter(t -> !t.isBlank()).orElse(null);
        Path kubeconfig = config.get(KUBECONFIG).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).orElse(null);
        if (kubeconfig != null && !Files.isRegularFile(kubeconfig)) {
            throw new PluginConfigException(KUBECONFIG, "is not a file: " + kubeconfig);
        }
        String context = config.get(CONTEXT).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        int max = config.getInt(MAX_BUFFERED);
        if (max < 100) {
            throw new PluginConfigException(MAX_BUFFERED, "must be at least 100, got " + max);
        }
        return new KubernetesSettings(cluster, List.copyOf(namespaces), Set.copyOf(kinds), selector, namespace, resync, apiServer, token,
                kubeconfig, context, config.getBoolean(INSECURE), max, positive(config, SYNC_TIMEOUT));
    }

    private static Duration positive(PluginConfig config, String key) {
        Duration d = config.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw new PluginConfigException(key, "must be a positive duration, got " + d);
        }
        return d;
    }
}
