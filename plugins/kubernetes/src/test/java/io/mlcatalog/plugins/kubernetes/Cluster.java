package io.mlcatalog.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A Kubernetes API for tests: fabric8's mock server in CRUD mode (it stores what is created, patched and
 * deleted and serves LISTs and WATCHes of it) with KServe's InferenceService registered, and a way to
 * make every open watch expire as an API server does when its history is compacted (an ERROR event
 * with HTTP 410, then the connection closed), which the CRUD mode alone cannot do.
 */
final class Cluster implements AutoCloseable {
    static final ResourceDefinitionContext DEPLOYMENTS = WorkloadKind.DEPLOYMENTS.context();
    static final ResourceDefinitionContext STATEFULSETS = WorkloadKind.STATEFULSETS.context();
    static final ResourceDefinitionContext INFERENCE_SERVICES = WorkloadKind.INFERENCESERVICES.context();

    /** KServe's CRD as the API server serves it (the status is a subresource: a spec change leaves it alone). */
    static final CustomResourceDefinitionContext KSERVE_CRD = new CustomResourceDefinitionContext.Builder()
            .withName("inferenceservices.serving.kserve.io").withGroup("serving.kserve.io").withVersion("v1beta1")
            .withPlural("inferenceservices").withKind("InferenceService").withScope("Namespaced").withStatusSubresource(true).build();

    private final KubernetesMockServer server;
    private final Set<WebSocket> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean refuseWatches;
    final KubernetesClient client;

    Cluster() {
        this(true);
    }

    /** @param kserve whether the cluster serves InferenceServices */
    Cluster(boolean kserve) {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(kserve ? List.of(KSERVE_CRD) : List.of());
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (refuseWatches && request.getPath().contains("watch=true")) {
                    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                        @Override
                        public void onOpen(WebSocket webSocket, Response response) {
                            expire(webSocket);
                        }
                    });
                }
                MockResponse response = crud.dispatch(request);
                WebSocketListener watch = response.getWebSocketListener();
                return watch == null ? response : response.withWebSocketUpgrade(new Tracked(watch));
            }
        };
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        server.init();
        client = server.createClient();
    }

    /** The API server's URL, for the source's {@code apiServer} setting. */
    String url() {
        return client.getMasterUrl().toString();
    }

    /**
     * Ends every open watch as an API server does when the resourceVersion it watches from is too old: an ERROR
     * event with a Status of code 410, then the connection closed. Watchers must LIST again.
     */
    void expireWatches() {
        for (WebSocket ws : List.copyOf(watches)) {
            expire(ws);
            watches.remove(ws);
        }
    }

    /**
     * While true, every new watch expires as soon as it opens (410): watchers keep LISTing, and see changes only
     * through those lists, as after a long outage of the watch.
     */
    void refuseWatches(boolean refuse) {
        refuseWatches = refuse;
        if (refuse) {
            expireWatches();
        }
    }

    private static void expire(WebSocket ws) {
        ws.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"too old resource version: 1 (99)\",\"reason\":\"Expired\",\"code\":410}}");
        ws.close(1000, "expired");
    }

    int openWatches() {
        return watches.size();
    }

    GenericKubernetesResource create(ResourceDefinitionContext kind, GenericKubernetesResource r) {
        return client.genericKubernetesResources(kind).inNamespace(r.getMetadata().getNamespace()).resource(r).create();
    }

    GenericKubernetesResource edit(ResourceDefinitionContext kind, String namespace, String name, UnaryOperator<GenericKubernetesResource> change) {
        return client.genericKubernetesResources(kind).inNamespace(namespace).withName(name).edit(change);
    }

    void delete(ResourceDefinitionContext kind, String namespace, String name) {
        client.genericKubernetesResources(kind).inNamespace(namespace).withName(name).delete();
    }

    /** A Deployment (or StatefulSet) labelled for the catalog, with these pod-template annotations. */
    static GenericKubernetesResource workload(ResourceDefinitionContext kind, String namespace, String name, int replicas, String image,
                                              Map<String, String> templateAnnotations) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", replicas);
        spec.put("selector", Map.of("matchLabels", Map.of("app", name)));
        spec.put("template", Map.of(
                "metadata", Map.of("labels", Map.of("app", name), "annotations", new LinkedHashMap<>(templateAnnotations)),
                "spec", Map.of("containers", List.of(Map.of("name", "server", "image", image)))));
        return new GenericKubernetesResourceBuilder().withApiVersion("apps/v1").withKind(kind.getKind())
                .withNewMetadata().withNamespace(namespace).withName(name).addToLabels("mlcatalog.io/model", "churn").endMetadata()
                .addToAdditionalProperties("spec", spec).build();
    }

    /** A KServe InferenceService labelled for the catalog, its predictor loading {@code storageUri}. */
    static GenericKubernetesResource inferenceService(String namespace, String name, String storageUri, Double canaryPercent,
                                                      Map<String, String> annotations) {
        Map<String, Object> predictor = new LinkedHashMap<>();
        predictor.put("minReplicas", 2);
        if (canaryPercent != null) {
            predictor.put("canaryTrafficPercent", canaryPercent);
        }
        predictor.put("model", Map.of("modelFormat", Map.of("name", "sklearn"), "storageUri", storageUri));
        return new GenericKubernetesResourceBuilder().withApiVersion("serving.kserve.io/v1beta1").withKind("InferenceService")
                .withNewMetadata().withNamespace(namespace).withName(name).addToLabels("mlcatalog.io/model", "churn")
                .addToAnnotations(annotations).endMetadata()
                .addToAdditionalProperties("spec", Map.of("predictor", predictor)).build();
    }

    /** Sets a predictor field of an InferenceService (null removes it). */
    @SuppressWarnings("unchecked")
    static GenericKubernetesResource predictor(GenericKubernetesResource isvc, String field, Object value) {
        Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) isvc.getAdditionalProperties().get("spec"));
        Map<String, Object> predictor = new LinkedHashMap<>((Map<String, Object>) spec.get("predictor"));
        if (value == null) {
            predictor.remove(field);
        } else {
            predictor.put(field, value);
        }
        spec.put("predictor", predictor);
        isvc.getAdditionalProperties().put("spec", spec);
        return isvc;
    }

    /** Sets the storageUri of an InferenceService's predictor model. */
    @SuppressWarnings("unchecked")
    static GenericKubernetesResource storageUri(GenericKubernetesResource isvc, String uri) {
        Map<String, Object> predictor = (Map<String, Object>) ((Map<String, Object>) isvc.getAdditionalProperties().get("spec")).get("predictor");
        Map<String, Object> model = new LinkedHashMap<>((Map<String, Object>) predictor.get("model"));
        model.put("storageUri", uri);
        return predictor(isvc, "model", model);
    }

    /** Sets spec.replicas of a Deployment or StatefulSet. */
    @SuppressWarnings("unchecked")
    static GenericKubernetesResource replicas(GenericKubernetesResource w, int replicas) {
        Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) w.getAdditionalProperties().get("spec"));
        spec.put("replicas", replicas);
        w.getAdditionalProperties().put("spec", spec);
        return w;
    }

    /** Sets the pod template's annotations and its one container's image. */
    @SuppressWarnings("unchecked")
    static GenericKubernetesResource template(GenericKubernetesResource w, String image, Map<String, String> annotations) {
        Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) w.getAdditionalProperties().get("spec"));
        String name = w.getMetadata().getName();
        spec.put("template", Map.of(
                "metadata", Map.of("labels", Map.of("app", name), "annotations", new LinkedHashMap<>(annotations)),
                "spec", Map.of("containers", List.of(Map.of("name", "server", "image", image)))));
        w.getAdditionalProperties().put("spec", spec);
        return w;
    }

    @Override
    public void close() {
        for (WebSocket ws : List.copyOf(watches)) {
            ws.close(1000, "shutting down");
        }
        watches.clear();
        client.close();
        try {
            server.destroy();
        } catch (RuntimeException e) {
            // The mock server waits a few seconds for its connections to drain and gives up with this error on a
            // loaded machine; the test's assertions are done by now and its port is released with the JVM, so a slow
            // drain is not a failure of what the test checks.
            if (!String.valueOf(e.getMessage()).contains("Unable to close MockWebServer")) {
                throw e;
            }
        }
    }

    private static final java.util.concurrent.ExecutorService CLOSING = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mock-watch-closing");
        t.setDaemon(true);
        return t;
    });

    /** Remembers each watch connection, to expire it. */
    private final class Tracked extends WebSocketListener {
        private final WebSocketListener delegate;

        Tracked(WebSocketListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            watches.add(webSocket);
            delegate.onOpen(webSocket, response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            delegate.onMessage(webSocket, text);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            delegate.onClosing(webSocket, code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            watches.remove(webSocket);
            // the mock server's listener waits here for its event sender to stop, and that sender may need the event
            // loop this runs on: off the event loop, or every request of the API server hangs until that wait times out
            CLOSING.execute(() -> delegate.onClosed(webSocket, code, reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            watches.remove(webSocket);
            delegate.onFailure(webSocket, t, response);
        }
    }
}
