package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run (training, evaluation, pipeline step), with what it ran and what it read and wrote. Status
 * follows event time: {@code endedAt} for a terminal status, else {@code startedAt}; a late, older
 * record never moves a run backwards. Params and metrics merge key by key with what is stored; inputs,
 * outputs and tags are added.
 *
 * @param repository with {@code commit}: the code that ran, joined to the code version whoever records it
 * @param parent     the run this one is a step of, which must already be recorded
 * @param facets     named JSON documents about the run, kept whole; of each name, the one from the latest event is kept
 * @param jobFacets  named JSON documents about the run's job (its {@code pipeline}, which must be given)
 */
public record RunRecord(String namespace, String name, String externalId, String pipeline, RunStatus status, Instant startedAt,
                        Instant endedAt, String user, Map<String, Object> params, Map<String, Object> metrics,
                        Map<String, String> tags, String repository, String commit, RunRef parent, List<ArtifactRecord> inputs,
                        List<ArtifactRecord> outputs, Map<String, Object> facets, Map<String, Object> jobFacets, Instant observedAt)
        implements MetadataRecord {

    public RunRecord {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(status, "status is null");
        params = Maps.copy(params);
        metrics = Maps.copy(metrics);
        tags = Maps.copy(tags);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
        facets = Maps.copy(facets);
        jobFacets = Maps.copy(jobFacets);
    }

    /** This run as a reference, for links from other records. */
    public RunRef ref() {
        return new RunRef(namespace, name, externalId);
    }

    public static Builder builder(String namespace, String name, RunStatus status) {
        return new Builder(namespace, name, status);
    }

    public static final class Builder {
        private final String namespace;
        private final String name;
        private final RunStatus status;
        private String externalId;
        private String pipeline;
        private Instant startedAt;
        private Instant endedAt;
        private String user;
        private Map<String, Object> params;
        private Map<String, Object> metrics;
        private Map<String, String> tags;
        private String repository;
        private String commit;
        private RunRef parent;
        private final List<ArtifactRecord> inputs = new ArrayList<>();
        private final List<ArtifactRecord> outputs = new ArrayList<>();
        private Map<String, Object> facets;
        private Map<String, Object> jobFacets;
        private Instant observedAt;

        private Builder(String namespace, String name, RunStatus status) {
            this.namespace = namespace;
            this.name = name;
            this.status = status;
        }

        public Builder externalId(String v) { externalId = v; return this; }
        public Builder pipeline(String v) { pipeline = v; return this; }
        public Builder startedAt(Instant v) { startedAt = v; return this; }
        public Builder endedAt(Instant v) { endedAt = v; return this; }
        public Builder user(String v) { user = v; return this; }
        public Builder params(Map<String, Object> v) { params = v; return this; }
        public Builder metrics(Map<String, Object> v) { metrics = v; return this; }
        public Builder tags(Map<String, String> v) { tags = v; return this; }
        /** The code that ran: repository and full commit sha. */
        public Builder code(String repo, String sha) { repository = repo; commit = sha; return this; }
        public Builder parent(RunRef v) { parent = v; return this; }
        public Builder input(ArtifactRecord v) { inputs.add(v); return this; }
        public Builder output(ArtifactRecord v) { outputs.add(v); return this; }
        public Builder facets(Map<String, Object> v) { facets = v; return this; }
        public Builder jobFacets(Map<String, Object> v) { jobFacets = v; return this; }
        public Builder observedAt(Instant v) { observedAt = v; return this; }

        public RunRecord build() {
            return new RunRecord(namespace, name, externalId, pipeline, status, startedAt, endedAt, user, params, metrics, tags,
                    repository, commit, parent, inputs, outputs, facets, jobFacets, observedAt);
        }
    }
}
