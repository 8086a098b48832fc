package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A model version started serving a target in an environment. Without a traffic share (or at 100)
 * it replaces what served the target: those deployments end at {@code startedAt}. With a smaller share
 * it is a canary beside them.
 *
 * <p>The version is named by {@code model} and {@code version}, or, when only the model file is known
 * (a workload that says which file it loads, a container image pinned by digest), by
 * {@code artifactUri} and/or {@code artifactDigest}: the catalog then takes the version of the namespace
 * (of {@code model}, when given) registered from an artifact with that URI and/or digest, the newest one
 * registered by {@code startedAt} (else the first registered after it). When none is registered the
 * record is refused, naming the artifact.
 *
 * @param target         the service, endpoint or InferenceService
 * @param model          the model's name; may be null only when an artifact names the version
 * @param version        the version; null when {@code artifactUri} or {@code artifactDigest} names it
 * @param startedAt      when it started serving; null for {@code observedAt} (the host's receipt time when that is
 *                       null too), and then, as a mutation without {@code startedAt}, a version already serving the
 *                       target goes on serving (the same deployment, not a new one)
 * @param artifactUri    the URI of the model file the version was registered from, or null
 * @param artifactDigest the digest of that file ({@code sha256:<hex>}, …), or null
 */
public record DeploymentStartRecord(String namespace, String environment, String target, String model, String version,
                                    Double trafficPercent, Integer replicas, Map<String, Object> config, String deployedBy,
                                    Instant startedAt, String externalId, Instant observedAt, String artifactUri,
                                    String artifactDigest) implements MetadataRecord {

    public DeploymentStartRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(target, "target is null");
        if (version == null && artifactUri == null && artifactDigest == null) {
            throw new NullPointerException("version is null (give the version, or the artifactUri or artifactDigest it was registered from)");
        }
        if (version != null) {
            Objects.requireNonNull(model, "model is null");
        }
        config = config == null ? null : Maps.copy(config);
    }

    /** A deployment of {@code model} {@code version} (the record as it was before artifact references: plugins built against it keep compiling). */
    public DeploymentStartRecord(String namespace, String environment, String target, String model, String version,
                                 Double trafficPercent, Integer replicas, Map<String, Object> config, String deployedBy,
                                 Instant startedAt, String externalId, Instant observedAt) {
        this(namespace, environment, target, model, version, trafficPercent, replicas, config, deployedBy, startedAt, externalId,
                observedAt, null, null);
    }

    /** A builder for a deployment on {@code environment}/{@code target} in {@code namespace}. */
    public static Builder builder(String namespace, String environment, String target) {
        return new Builder(namespace, environment, target);
    }

    public static final class Builder {
        private final String namespace;
        private final String environment;
        private final String target;
        private String model;
        private String version;
        private String artifactUri;
        private String artifactDigest;
        private Double trafficPercent;
        private Integer replicas;
        private Map<String, Object> config;
        private String deployedBy;
        private Instant startedAt;
        private String externalId;
        private Instant observedAt;

        private Builder(String namespace, String environment, String target) {
            this.namespace = namespace;
            this.environment = environment;
            this.target = target;
        }

        /** The version by name. */
        public Builder version(String model, String version) {
            this.model = model;
            this.version = version;
            return this;
        }

        /** Only versions of this model (with {@link #artifactUri}/{@link #artifactDigest}). */
        public Builder model(String v) { model = v; return this; }
        public Builder artifactUri(String v) { artifactUri = v; return this; }
        public Builder artifactDigest(String v) { artifactDigest = v; return this; }
        public Builder trafficPercent(Double v) { trafficPercent = v; return this; }
        public Builder replicas(Integer v) { replicas = v; return this; }
        public Builder config(Map<String, Object> v) { config = v; return this; }
        public Builder deployedBy(String v) { deployedBy = v; return this; }
        public Builder startedAt(Instant v) { startedAt = v; return this; }
        public Builder externalId(String v) { externalId = v; return this; }
        public Builder observedAt(Instant v) { observedAt = v; return this; }

        public DeploymentStartRecord build() {
            return new DeploymentStartRecord(namespace, environment, target, model, version, trafficPercent, replicas, config,
                    deployedBy, startedAt, externalId, observedAt, artifactUri, artifactDigest);
        }
    }
}
