package io.mlcatalog.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the source reads from a watched object: who it is, what it serves and how much of it. A plain
 * view of the API object, so that the rules that turn changes into deployments are tested without a
 * cluster.
 *
 * @param annotations the object's annotations, overridden by its pod template's (a {@code kubectl rollout undo}
 *                    restores the template, not the object's own annotations)
 * @param replicas    {@code spec.replicas} (a Deployment or StatefulSet, 1 when unset), or the predictor's
 *                    {@code minReplicas} (an InferenceService), or null
 * @param images      the container images, in order, as {@code name=image}
 * @param storageUri  an InferenceService's predictor {@code storageUri}, or null
 * @param canaryPercent an InferenceService's predictor {@code canaryTrafficPercent}, or null
 * @param stopped     scaled to zero, or an InferenceService stopped with {@code serving.kserve.io/stop}
 */
record Workload(WorkloadKind kind, String namespace, String name, String uid, String resourceVersion, Long generation,
                Instant creationTimestamp, Instant deletionTimestamp, Map<String, String> labels, Map<String, String> annotations,
                Integer replicas, List<String> images, String storageUri, Double canaryPercent, boolean stopped,
                boolean ownedByInferenceService) {

    /** {@code namespace/name}: the target, and the key of the workload in the source's state. */
    String key() {
        return namespace + "/" + name;
    }

    String annotation(String name) {
        String v = annotations.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /**
     * Whether the object's spec was never changed since it was created, so that its creation time is when what
     * it serves now was rolled out: the Deployment controller's first revision, or the first generation.
     */
    boolean unchangedSinceCreation() {
        String revision = annotations.get(Annotations.DEPLOYMENT_REVISION);
        if (revision != null) {
            return revision.strip().equals("1");
        }
        return generation != null && generation == 1;
    }

    static Workload of(WorkloadKind kind, GenericKubernetesResource r) {
        ObjectMeta meta = r.getMetadata();
        Map<String, Object> spec = map(r.getAdditionalProperties().get("spec"));
        Map<String, String> annotations = new LinkedHashMap<>(strings(meta.getAnnotations()));
        Integer replicas;
        List<String> images = new ArrayList<>();
        String storageUri = null;
        Double canary = null;
        boolean stopped;
        if (kind == WorkloadKind.INFERENCESERVICES) {
            Map<String, Object> predictor = map(spec.get("predictor"));
            replicas = integer(predictor.get("minReplicas"));
            storageUri = storageUri(predictor);
            canary = number(predictor.get("canaryTrafficPercent"));
            containers(predictor, images);
            stopped = "true".equalsIgnoreCase(String.valueOf(annotations.get(Annotations.KSERVE_STOP)).strip());
        } else {
            Object r0 = spec.get("replicas");
            replicas = r0 == null ? Integer.valueOf(1) : integer(r0); // the API's default
            Map<String, Object> template = map(spec.get("template"));
            Map<String, Object> templateMeta = map(template.get("metadata"));
            annotations.putAll(strings(templateMeta.get("annotations")));
            containers(map(template.get("spec")), images);
            stopped = replicas != null && replicas == 0;
        }
        boolean ownedByIsvc = false;
        for (OwnerReference o : meta.getOwnerReferences() == null ? List.<OwnerReference>of() : meta.getOwnerReferences()) {
            ownedByIsvc |= "InferenceService".equals(o.getKind());
        }
        return new Workload(kind, meta.getNamespace(), meta.getName(), meta.getUid(), meta.getResourceVersion(), meta.getGeneration(),
                instant(meta.getCreationTimestamp()), instant(meta.getDeletionTimestamp()), Map.copyOf(strings(meta.getLabels())),
                Map.copyOf(annotations), replicas, List.copyOf(images), storageUri, canary, stopped, ownedByIsvc);
    }

    /** {@code spec.predictor.model.storageUri}, else the first {@code spec.predictor.<framework>.storageUri}. */
    private static String storageUri(Map<String, Object> predictor) {
        Object uri = map(predictor.get("model")).get("storageUri");
        if (uri instanceof String s && !s.isBlank()) {
            return s.strip();
        }
        for (Object v : predictor.values()) {
            Object u = map(v).get("storageUri");
            if (u instanceof String s && !s.isBlank()) {
                return s.strip();
            }
        }
        return null;
    }

    private static void containers(Map<String, Object> podSpec, List<String> images) {
        if (podSpec.get("containers") instanceof List<?> list) {
            for (Object c : list) {
                Map<String, Object> container = map(c);
                if (container.get("image") instanceof String image) {
                    images.add(container.getOrDefault("name", "") + "=" + image);
                }
            }
        }
    }

    /**
     * A Kubernetes timestamp: RFC 3339 ({@code 2026-03-01T10:00:00Z}) as the API server writes it; one without
     * an offset (some test servers write local times) is read as UTC. Null when absent or unreadable.
     */
    static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text.strip()).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Map<String, String> strings(Object o) {
        Map<String, String> result = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (k != null && v != null) {
                    result.put(k.toString(), v.toString());
                }
            });
        }
        return result;
    }

    private static Integer integer(Object o) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        if (o instanceof String s) {
            try {
                return Integer.valueOf(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.valueOf(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
