package io.mlcatalog.plugins.kubernetes;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.Locale;

/** The kinds of workload the source watches, by the plural name the {@code kinds} setting uses. */
enum WorkloadKind {
    DEPLOYMENTS("apps", "v1", "Deployment"),
    STATEFULSETS("apps", "v1", "StatefulSet"),
    INFERENCESERVICES("serving.kserve.io", "v1beta1", "InferenceService");

    private final ResourceDefinitionContext context;

    WorkloadKind(String group, String version, String kind) {
        this.context = new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(name().toLowerCase(Locale.ROOT)).withNamespaced(true).build();
    }

    /** The plural, as in the API path and the {@code kinds} setting: {@code deployments}. */
    String plural() {
        return context.getPlural();
    }

    /** The kind as objects carry it: {@code Deployment}. */
    String kind() {
        return context.getKind();
    }

    ResourceDefinitionContext context() {
        return context;
    }

    static WorkloadKind ofPlural(String plural) {
        for (WorkloadKind k : values()) {
            if (k.plural().equals(plural.strip().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        return null;
    }
}
