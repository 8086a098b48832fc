package io.mlcatalog.server.write;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Digests;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.model.Uris;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A validated deployment to start. One with no traffic share, or 100%, replaces whatever served the
 * target before; one with a smaller share (a canary) runs beside it.
 *
 * <p>The version is named by {@code model} and {@code version}, or by the artifact it was registered from
 * ({@code artifactUri} and/or {@code artifactDigest}, {@code model} then optional): see
 * {@link CatalogWriter#startDeployment(io.mlcatalog.server.model.Source, DeploymentSpec)}.
 */
public record DeploymentSpec(String namespace, String environment, String target, String model, String version,
                             Double trafficPercent, Integer replicas, Map<String, Object> config, String deployedBy,
                             OffsetDateTime startedAt, String artifactUri, String artifactDigest) {

    public static DeploymentSpec of(String field, String namespace, String environment, String target, String model,
                                    String version, Double trafficPercent, Integer replicas, Object config, String deployedBy,
                                    OffsetDateTime startedAt) {
        return of(field, namespace, environment, target, model, version, trafficPercent, replicas, config, deployedBy, startedAt,
                null, null);
    }

    public static DeploymentSpec of(String field, String namespace, String environment, String target, String model,
                                    String version, Double trafficPercent, Integer replicas, Object config, String deployedBy,
                                    OffsetDateTime startedAt, String artifactUri, String artifactDigest) {
        if (trafficPercent != null && (trafficPercent.isNaN() || trafficPercent < 0 || trafficPercent > 100)) {
            throw CatalogException.badInput(field + ".trafficPercent", "trafficPercent must be between 0 and 100");
        }
        if (replicas != null && replicas < 0) {
            throw CatalogException.badInput(field + ".replicas", "replicas must not be negative");
        }
        String uri = artifactUri == null ? null : Uris.artifactUri(field + ".artifactUri", artifactUri);
        String digest = Digests.normalize(field + ".artifactDigest", artifactDigest);
        boolean byArtifact = uri != null || digest != null;
        if (version == null && !byArtifact) {
            throw CatalogException.badInput(field + ".version", "version is required (or the artifactUri or artifactDigest the version "
                    + "was registered from)");
        }
        return new DeploymentSpec(
                Text.name(field + ".namespace", namespace, Text.SHORT_NAME_BYTES),
                Text.name(field + ".environment", environment, Text.SHORT_NAME_BYTES),
                Text.name(field + ".target", target, Text.NAME_BYTES),
                version == null ? Text.optionalName(field + ".model", model, Text.SHORT_NAME_BYTES)
                        : Text.name(field + ".model", model, Text.SHORT_NAME_BYTES),
                version == null ? null : Text.name(field + ".version", version, 128),
                trafficPercent, replicas,
                JsonValues.object(field + ".config", config),
                Text.optionalName(field + ".deployedBy", deployedBy, Text.NAME_BYTES),
                Times.normalize(startedAt, field + ".startedAt"),
                uri, digest);
    }

    /** Whether this deployment takes over the target (rather than running beside what serves it, as a canary). */
    public boolean replaces() {
        return trafficPercent == null || trafficPercent >= 100;
    }

    /** Whether the version is named by its artifact rather than by its name. */
    public boolean byArtifact() {
        return version == null;
    }

    /** The artifact reference as people read it: {@code s3://models/churn/3 (sha256:…)}. */
    public String artifactText() {
        return artifactUri != null && artifactDigest != null ? artifactUri + " (" + artifactDigest + ")"
                : artifactUri != null ? artifactUri : artifactDigest;
    }
}
