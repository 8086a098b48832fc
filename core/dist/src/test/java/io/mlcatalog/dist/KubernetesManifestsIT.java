package io.mlcatalog.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mlcatalog.server.testing.CatalogProcess;
import io.mlcatalog.server.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docs/kubernetes/mlcatalog.yaml, as {@code kubectl apply} would take it: every object is one of the Kubernetes API's
 * (no field the API does not know), its parts agree (selectors, ports, probes, the mounted configuration), and a node
 * started with exactly its arguments and environment (on a primary and a replica) answers its probes.
 */
class KubernetesManifestsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<HasMetadata> objects() throws Exception {
        String text = Files.readString(Repository.file("docs/kubernetes/mlcatalog.yaml"));
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : text.split("(?m)^---$")) {
            if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
                objects.add(Serialization.unmarshal(document));
            }
        }
        return objects;
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("one %s", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyObjectIsOneOfTheKubernetesApiWithNoFieldItDoesNotKnow() throws Exception {
        List<HasMetadata> objects = objects();
        assertThat(objects).extracting(HasMetadata::getKind).containsExactly("ConfigMap", "Deployment", "Service", "PodDisruptionBudget");
        for (HasMetadata o : objects) {
            assertThat(unknownFields(o, o.getKind(), java.util.Collections.newSetFromMap(new IdentityHashMap<>())))
                    .as("fields the Kubernetes API does not know").isEmpty();
        }
    }

    @Test
    void itsPartsAgree() throws Exception {
        List<HasMetadata> objects = objects();
        Deployment deployment = only(objects, Deployment.class);
        Service service = only(objects, Service.class);
        PodDisruptionBudget budget = only(objects, PodDisruptionBudget.class);
        ConfigMap config = only(objects, ConfigMap.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels())
                .containsAllEntriesOf(service.getSpec().getSelector())
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getReplicas()).as("several nodes").isGreaterThanOrEqualTo(2);
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isLessThan(deployment.getSpec().getReplicas());

        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        List<String> args = c.getArgs();
        assertThat(args.get(0)).isEqualTo("serve");
        assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(Integer.parseInt(args.get(args.indexOf("--port") + 1)));
        assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo(c.getPorts().get(0).getName());
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(c.getPorts().get(0).getName());
        // --config names the mounted ConfigMap's key
        VolumeMount mount = c.getVolumeMounts().get(0);
        String configPath = args.get(args.indexOf("--config") + 1);
        assertThat(Path.of(configPath).getParent()).isEqualTo(Path.of(mount.getMountPath()));
        assertThat(config.getData()).containsKey(Path.of(configPath).getFileName().toString());
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().getName())
                .isEqualTo(config.getMetadata().getName());
        // every variable given is one the catalog reads (docs/operations.md lists them)
        String operations = Files.readString(Repository.file("docs/operations.md"));
        for (EnvVar e : c.getEnv()) {
            assertThat(operations).as("docs/operations.md names %s", e.getName()).contains("`" + e.getName() + "`");
        }
    }

    @Test
    void aNodeStartedAsTheDeploymentSaysAnswersItsProbes(@TempDir Path dir) throws Exception {
        assumeTrue(ReplicatedPostgres.binaries().isPresent(), ReplicatedPostgres.MISSING);
        List<HasMetadata> objects = objects();
        Container c = only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        ConfigMap config = only(objects, ConfigMap.class);
        try (ReplicatedPostgres pg = ReplicatedPostgres.start()) {
            // the Secret's and the downward API's values, as the kubelet would set them
            String token = "k8s-test-admin-token-0123456789abcdefghijkl";
            Map<String, String> secret = Map.of("url", pg.primaryUrl(), "read-url", pg.replicaUrl(), "admin-token", token);
            Map<String, String> env = new HashMap<>();
            for (EnvVar e : c.getEnv()) {
                if (e.getValue() != null) {
                    env.put(e.getName(), e.getValue());
                } else if (e.getValueFrom().getSecretKeyRef() != null) {
                    env.put(e.getName(), secret.get(e.getValueFrom().getSecretKeyRef().getKey()));
                } else {
                    assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
                    env.put(e.getName(), "mlcatalog-7d9c5b-x2k4p");
                }
            }
            // the mounted file, and any free port instead of the container's own
            String key = config.getData().keySet().iterator().next();
            Path mounted = Files.writeString(dir.resolve(key), config.getData().get(key));
            List<String> args = new ArrayList<>(c.getArgs());
            args.set(args.indexOf("--config") + 1, mounted.toString());
            args.set(args.indexOf("--port") + 1, "0");
            try (CatalogProcess node = CatalogProcess.start(env, args.toArray(String[]::new))) {
                String url = node.awaitReady(Duration.ofSeconds(120)).replace("0.0.0.0", "127.0.0.1");
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(url + c.getLivenessProbe().getHttpGet().getPath()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(live.statusCode()).isEqualTo(200);
                String readyPath = c.getReadinessProbe().getHttpGet().getPath();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                JsonNode ready;
                do {
                    ready = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + readyPath)).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    assertThat(System.nanoTime()).as("ready with its replica within 60 s: " + ready).isLessThan(deadline);
                } while (!"ok".equals(ready.path("replica").asText()) && sleep());
                assertThat(ready.path("status").asText()).isEqualTo("ready");
                // not on loopback: access control is on, with the Secret's admin token
                HttpRequest plugins = HttpRequest.newBuilder(URI.create(url + "/graphql")).header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ plugins { instance type } }\"}")).build();
                JsonNode answer = JSON.readTree(http.send(plugins, HttpResponse.BodyHandlers.ofString()).body());
                assertThat(answer.path("data").path("plugins").get(0).path("instance").asText()).as(answer.toString()).isEqualTo("lineage");
                assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/graphql")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ plugins { instance } }\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as("without a token").isEqualTo(401);
            }
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }

    /** The paths of fields a model object kept aside because its class has none of that name. */
    private static List<String> unknownFields(Object o, String path, Set<Object> seen) throws Exception {
        List<String> unknown = new ArrayList<>();
        if (o == null || !seen.add(o)) {
            return unknown;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknown.addAll(unknownFields(item, path + "[" + i++ + "]", seen));
            }
            return unknown;
        }
        if (o instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                unknown.addAll(unknownFields(e.getValue(), path + "." + e.getKey(), seen));
            }
            return unknown;
        }
        if (!(o instanceof KubernetesResource) && !o.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return unknown;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                continue;
            }
            Object value = m.invoke(o);
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
            } else {
                unknown.addAll(unknownFields(value, path + "." + m.getName().substring(3), seen));
            }
        }
        return unknown;
    }
}
