package io.mlcatalog.server.generate;

import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.RunStatus;

import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import static java.util.Collections.unmodifiableList;

/**
 * A generated catalog, in memory: the rows of every table, as the API would have written them.
 * Rows refer to each other by index into these lists; times are epoch seconds (UTC). Lineage edges
 * and assertions are derived from the rows when they are written ({@link #forEachEdge}), so they
 * cannot disagree with them.
 */
public record SyntheticCatalog(long seed, Sizes sizes, List<String> namespaces, List<CodeVersionRow> codeVersions,
                               List<RunRow> runs, List<ArtifactRow> artifacts, List<ModelRow> models, List<VersionRow> versions,
                               List<AliasEventRow> aliasEvents, List<AliasRow> aliases, List<DeploymentRow> deployments,
                               List<TagRow> tags, List<ChangeRow> changes) {

    /** Who the generated rows say asserted them (assertion.source, alias set_by, change_log actor). */
    public static final String SOURCE = "generator";

    /** Simulates a year of pipelines and releases; the same seed and sizes give the same catalog. */
    public static SyntheticCatalog generate(long seed, Sizes sizes) {
        Workload w = Workload.simulate(seed, sizes);
        Releases r = Releases.simulate(w, sizes);
        return new SyntheticCatalog(seed, sizes, unmodifiableList(w.namespaces), unmodifiableList(w.codeVersions),
                unmodifiableList(w.runs), unmodifiableList(w.artifacts), unmodifiableList(w.models), unmodifiableList(w.versions),
                unmodifiableList(r.aliasEvents), unmodifiableList(r.aliases), unmodifiableList(r.deployments), unmodifiableList(r.tags),
                unmodifiableList(r.changes));
    }

    public record CodeVersionRow(UUID id, String repository, String commit, List<String> branches, List<String> tags, String author,
                                 String message, long committedAt, long createdAt) {
    }

    /** A run; {@code codeVersion} is an index or -1, {@code inputs} and {@code outputs} are artifact indexes. */
    public record RunRow(UUID id, int namespace, String name, String externalId, String pipeline, RunStatus status, long statusAt,
                         long startedAt, Long endedAt, String user, String params, String metrics, int codeVersion,
                         long createdAt, long updatedAt, int[] inputs, int[] outputs) {
    }

    /** An artifact; {@code digest} and {@code mediaType} may be null. */
    public record ArtifactRow(UUID id, int namespace, String name, String uri, String digest, long sizeBytes, String mediaType,
                              ArtifactKind kind, long createdAt) {
    }

    public record ModelRow(UUID id, int namespace, String name, String description, long createdAt) {
    }

    /** A model version registered from a training run ({@code run}) and its model file ({@code artifact}). */
    public record VersionRow(UUID id, int model, String version, int number, String description, int artifact, int run,
                             long createdAt) {
    }

    /** An assignment ({@code version} an index) or removal ({@code version} -1) of an alias. */
    public record AliasEventRow(int model, String name, long at, int version) {
    }

    /** What an alias meant during {@code [since, until)}; {@code until} null while it still holds. */
    public record AliasRow(int model, String name, int version, long since, Long until) {
    }

    public record DeploymentRow(UUID id, int namespace, String environment, String target, int version, DeploymentStatus status,
                                Double trafficPercent, int replicas, String config, String deployedBy, long startedAt, Long endedAt) {
        /** A deployment without a traffic share (or with all of it) ends whatever served the target when it starts. */
        public boolean replaces() {
            return trafficPercent == null || trafficPercent >= 100;
        }
    }

    public record TagRow(UUID entity, String key, String value) {
    }

    /** A change-log entry; {@code before} and {@code after} are JSON objects (or null). */
    public record ChangeRow(long at, UUID entity, NodeType type, String action, String before, String after) {
    }

    /** A lineage edge as the writer records it. {@code until} is null but for deployments that ended. */
    public record EdgeRow(UUID from, UUID to, EdgeKind kind, long since, Long until, long createdAt) {
        public UUID id() {
            return Ids.edge(from, to, kind);
        }
    }

    /**
     * Every lineage edge, in a fixed order: per run its inputs, its code version and its outputs; per
     * version its run and model file; per deployment its version.
     */
    public void forEachEdge(Consumer<EdgeRow> sink) {
        for (RunRow r : runs) {
            for (int a : r.inputs()) {
                sink.accept(new EdgeRow(artifacts.get(a).id(), r.id(), EdgeKind.CONSUMED, r.startedAt(), null, r.createdAt()));
            }
            if (r.codeVersion() >= 0) {
                sink.accept(new EdgeRow(codeVersions.get(r.codeVersion()).id(), r.id(), EdgeKind.BUILT_FROM, r.startedAt(), null,
                        r.createdAt()));
            }
            for (int a : r.outputs()) {
                sink.accept(new EdgeRow(r.id(), artifacts.get(a).id(), EdgeKind.PRODUCED, r.endedAt() != null ? r.endedAt() : r.startedAt(),
                        null, r.updatedAt()));
            }
        }
        for (VersionRow v : versions) {
            sink.accept(new EdgeRow(runs.get(v.run()).id(), v.id(), EdgeKind.REGISTERED_FROM_RUN, v.createdAt(), null, v.createdAt()));
            sink.accept(new EdgeRow(artifacts.get(v.artifact()).id(), v.id(), EdgeKind.REGISTERED_FROM_ARTIFACT, v.createdAt(), null,
                    v.createdAt()));
        }
        for (DeploymentRow d : deployments) {
            sink.accept(new EdgeRow(versions.get(d.version()).id(), d.id(), EdgeKind.DEPLOYED_AS, d.startedAt(), d.endedAt(),
                    d.startedAt()));
        }
    }

    public long edgeCount() {
        long n = 2L * versions.size() + deployments.size();
        for (RunRow r : runs) {
            n += r.inputs().length + r.outputs().length + (r.codeVersion() >= 0 ? 1 : 0);
        }
        return n;
    }
}
