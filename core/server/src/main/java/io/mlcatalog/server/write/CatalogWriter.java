package io.mlcatalog.server.write;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.Alias;
import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.CodeVersion;
import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.Entity;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.ModelVersionStatus;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.store.AliasStore;
import io.mlcatalog.server.store.ArtifactStore;
import io.mlcatalog.server.store.AssertionStore;
import io.mlcatalog.server.store.AssertionStore.Subject;
import io.mlcatalog.server.store.ChangeLog;
import io.mlcatalog.server.store.CodeVersionStore;
import io.mlcatalog.server.store.DeploymentStore;
import io.mlcatalog.server.store.FacetStore;
import io.mlcatalog.server.store.LineageStore;
import io.mlcatalog.server.store.LineageStore.Edge;
import io.mlcatalog.server.store.ModelStore;
import io.mlcatalog.server.store.NamespaceStore;
import io.mlcatalog.server.store.RunStore;
import io.mlcatalog.server.store.TagStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static java.util.Objects.requireNonNull;

/**
 * Every write to the catalog. Each public method is one transaction that upserts the rows, keeps the
 * lineage edges in step, records who asserted what, and appends to the change log only what really
 * changed: sending the same write twice returns the same object and changes nothing.
 */
public final class CatalogWriter {
    private final Db db;
    private final NamespaceStore namespaces;
    private final CodeVersionStore codeVersions;
    private final RunStore runs;
    private final ArtifactStore artifacts;
    private final ModelStore models;
    private final AliasStore aliases;
    private final DeploymentStore deployments;
    private final TagStore tags;
    private final LineageStore lineage;
    private final AssertionStore assertions;
    private final ChangeLog changes;
    private final FacetStore facets;
    private final PendingRunLinks pendingLinks;
    private final io.mlcatalog.server.store.JobStore jobs;

    public CatalogWriter(Db db, NamespaceStore namespaces, CodeVersionStore codeVersions, RunStore runs, ArtifactStore artifacts,
                         ModelStore models, AliasStore aliases, DeploymentStore deployments, TagStore tags, LineageStore lineage,
                         AssertionStore assertions, ChangeLog changes, FacetStore facets) {
        this.db = requireNonNull(db, "db is null");
        this.namespaces = requireNonNull(namespaces, "namespaces is null");
        this.codeVersions = requireNonNull(codeVersions, "codeVersions is null");
        this.runs = requireNonNull(runs, "runs is null");
        this.artifacts = requireNonNull(artifacts, "artifacts is null");
        this.models = requireNonNull(models, "models is null");
        this.aliases = requireNonNull(aliases, "aliases is null");
        this.deployments = requireNonNull(deployments, "deployments is null");
        this.tags = requireNonNull(tags, "tags is null");
        this.lineage = requireNonNull(lineage, "lineage is null");
        this.assertions = requireNonNull(assertions, "assertions is null");
        this.changes = requireNonNull(changes, "changes is null");
        this.facets = requireNonNull(facets, "facets is null");
        this.pendingLinks = new PendingRunLinks(new io.mlcatalog.server.store.PendingLinkStore(db), runs, models, lineage, assertions,
                changes);
        this.jobs = new io.mlcatalog.server.store.JobStore(db);
    }

    // ------------------------------------------------------------------ code versions and artifacts

    // Each public write comes in two forms: one that is a transaction of its own, and one that runs in
    // the caller's transaction (a plugin's batch: many writes and their checkpoint, committed together).

    public Future<CodeVersion> upsertCodeVersion(Source source, CodeVersionSpec spec) {
        return db.inTransaction(tx -> upsertCodeVersion(tx, source, spec));
    }

    public Future<CodeVersion> upsertCodeVersion(SqlConnection tx, Source source, CodeVersionSpec spec) {
        // a commit belongs to no namespace: any writer may record one, a reader none
        if (!source.access().writesAnywhere()) {
            return Future.failedFuture(Access.forbidden(null, "this token may not write"));
        }
        return upsertCodeVersionRow(tx, source, spec)
                .compose(c -> assertions.assertAll(tx, source, List.of(new Subject(c.id(), source.externalId()))).map(c));
    }

    public Future<Artifact> logArtifact(Source source, ArtifactSpec spec) {
        return db.inTransaction(tx -> logArtifact(tx, source, spec));
    }

    public Future<Artifact> logArtifact(SqlConnection tx, Source source, ArtifactSpec spec) {
        return mayWrite(source, List.of(spec.namespace()), "namespace")
                .compose(x -> namespaces.ensure(tx, List.of(spec.namespace())))
                .compose(x -> upsertArtifact(tx, source, spec))
                .compose(a -> assertions.assertAll(tx, source, List.of(new Subject(a.id(), source.externalId()))).map(a));
    }

    /**
     * Records that an already recorded run consumed or produced an artifact (recorded too if new).
     *
     * @param kind {@link EdgeKind#CONSUMED} or {@link EdgeKind#PRODUCED}
     */
    public Future<Artifact> linkArtifact(SqlConnection tx, Source source, UUID runId, String runField, ArtifactSpec spec, EdgeKind kind) {
        if (kind != EdgeKind.CONSUMED && kind != EdgeKind.PRODUCED) {
            throw new IllegalArgumentException("a run consumes or produces an artifact, not " + kind);
        }
        return runs.lock(tx, runId).compose(run -> {
            if (run == null || !source.access().canRead(run.namespace())) {
                return Future.failedFuture(CatalogException.notFound(runField, "no run with id " + GlobalId.of(NodeType.RUN, runId)
                        + " is recorded (record the run first)"));
            }
            return link(tx, source, run, spec, kind);
        });
    }

    /**
     * Records that a run consumed or produced an artifact (recorded too if new). The run is named by a reference that
     * may be an external id alone. When it is not recorded: with {@code awaitRun}, the artifact is recorded and the
     * link waits for the run ({@link PendingRunLinks}); else nothing is written and the record is refused.
     */
    public Future<Artifact> linkArtifact(SqlConnection tx, Source source, RunKey run, String runField, ArtifactSpec spec, EdgeKind kind,
                                         boolean awaitRun) {
        if (kind != EdgeKind.CONSUMED && kind != EdgeKind.PRODUCED) {
            throw new IllegalArgumentException("a run consumes or produces an artifact, not " + kind);
        }
        return pendingLinks.resolve(tx, run, runField).compose(found -> {
            if (found != null) {
                return link(tx, source, found, spec, kind);
            }
            if (!awaitRun) {
                return Future.failedFuture(CatalogException.notFound(runField, notRecorded(run)));
            }
            return logArtifact(tx, source, spec).compose(a -> pendingLinks.await(tx, source, run, a.id(), kind).map(a));
        });
    }

    private static String notRecorded(RunKey run) {
        return (run.named() ? "no run with id " + GlobalId.of(NodeType.RUN, run.id()) + " (" + run.describe() + ")"
                : "no run with " + run.describe()) + " is recorded (record the run first, or let the link await it)";
    }

    private Future<Artifact> link(SqlConnection tx, Source source, Run run, ArtifactSpec spec, EdgeKind kind) {
        if (!source.access().canWrite(run.namespace())) {
            return Future.failedFuture(Access.forbidden("run", "this token may not write in namespace '" + Text.excerpt(run.namespace()) + "'"));
        }
        {
            // the link's time is the recorded run's: an input from its start, an output from its end
            OffsetDateTime at = kind == EdgeKind.CONSUMED ? first(run.startedAt(), first(run.endedAt(), source.observedAt()))
                    : first(run.endedAt(), first(run.startedAt(), source.observedAt()));
            return logArtifact(tx, source, spec).compose(a -> {
                Edge edge = kind == EdgeKind.CONSUMED ? new Edge(a.id(), run.id(), kind, at, null) : new Edge(run.id(), a.id(), kind, at, null);
                return lineage.link(tx, List.of(edge))
                        .compose(created -> logLinks(tx, source, run.id(), NodeType.RUN, created))
                        .compose(x -> assertions.assertAll(tx, source, List.of(new Subject(a.id(), null),
                                new Subject(edge.id(), source.externalId()))))
                        .map(a);
            });
        }
    }

    private Future<CodeVersion> upsertCodeVersionRow(SqlConnection tx, Source source, CodeVersionSpec spec) {
        return upsert(tx, source, Merges.codeVersion(spec, source.observedAt()), id -> codeVersions.lock(tx, id),
                c -> codeVersions.insertIfAbsent(tx, c), old -> Merges.codeVersion(old, spec), c -> codeVersions.update(tx, c),
                Snapshots::of);
    }

    private Future<Artifact> upsertArtifact(SqlConnection tx, Source source, ArtifactSpec spec) {
        return upsertArtifactRow(tx, source, spec)
                .compose(a -> spec.facets().isEmpty() ? Future.succeededFuture(a)
                        : facets.putArtifactFacets(tx, a.id(), artifactFacetsAt(source, spec), spec.facets()).map(a));
    }

    /** The artifact's row alone: a run's write puts its artifacts' facets with its own (see {@link #putFacets}). */
    private Future<Artifact> upsertArtifactRow(SqlConnection tx, Source source, ArtifactSpec spec) {
        // the advisory lock first (shared for a presence, exclusive for an absence), then the row; the last-seen time goes
        // to this connection's slot, apart from the row (V16__artifact_seen.sql)
        return artifacts.lockForWrite(tx, List.of(spec.id()), spec.gone() ? List.of(spec.id()) : List.of())
                .compose(x -> upsert(tx, source, Merges.artifact(spec, source.observedAt()), id -> artifacts.lock(tx, id),
                        a -> artifacts.insertIfAbsent(tx, a), old -> Merges.artifact(old, spec, source.observedAt()),
                        a -> artifacts.update(tx, a), Snapshots::of))
                .compose(a -> spec.gone() ? Future.succeededFuture(a)
                        : artifacts.see(tx, Map.of(a.id(), source.observedAt())).map(a));
    }

    private static OffsetDateTime artifactFacetsAt(Source source, ArtifactSpec spec) {
        return spec.createdAt() != null ? spec.createdAt() : source.observedAt();
    }

    // ------------------------------------------------------------------ runs

    public Future<Run> upsertRun(Source source, RunSpec spec) {
        return db.inTransaction(tx -> upsertRun(tx, source, spec));
    }

    public Future<Run> upsertRun(SqlConnection tx, Source source, RunSpec spec) {
        Set<String> nss = new TreeSet<>();
        nss.add(spec.namespace());
        spec.inputs().forEach(a -> nss.add(a.namespace()));
        spec.outputs().forEach(a -> nss.add(a.namespace()));
        return mayWrite(source, nss, "namespace")
                .compose(x -> pendingLinks.lockForRunWrite(tx, List.of(spec)))
                .compose(x -> namespaces.ensure(tx, nss))
                .compose(x -> spec.codeVersion() == null ? Future.<CodeVersion>succeededFuture(null)
                        : upsertCodeVersionRow(tx, source, spec.codeVersion()))
                .compose(cv -> checkExists(tx, source, spec.parentId(), "input.parentRunId").map(cv))
                .compose(cv -> upsertRunRow(tx, source, spec, cv == null ? null : cv.id())
                        .compose(run -> pendingLinks.complete(tx, List.of(run)).map(run))
                        .compose(run -> Futures.each(spec.inputs(), a -> upsertArtifactRow(tx, source, a))
                                .compose(ins -> Futures.each(spec.outputs(), a -> upsertArtifactRow(tx, source, a))
                                        .compose(outs -> linkRun(tx, source, spec, run, cv, ins, outs)))
                                .compose(x -> mergeTags(tx, source, run, spec.tags()))
                                .compose(x -> putFacets(tx, source, run, spec))
                                .map(run)));
    }

    /** The locks a batched run write takes before any row lock (see {@link PendingRunLinks}). */
    Future<Void> lockRunsForLinks(SqlConnection tx, List<RunSpec> specs) {
        return pendingLinks.lockForRunWrite(tx, specs);
    }

    /** Makes the links that waited for these runs, recorded in this transaction. */
    Future<Void> completePendingLinks(SqlConnection tx, java.util.Collection<Run> recorded) {
        return pendingLinks.complete(tx, recorded);
    }

    /** Records facets of a job (a pipeline of a namespace) asserted at {@code at}. */
    public Future<Void> putJobFacets(SqlConnection tx, Source source, String namespace, String job, OffsetDateTime at,
                                     Map<String, Object> jobFacets) {
        String ns = Text.name("namespace", namespace, Text.SHORT_NAME_BYTES);
        String name = Text.name("name", job, Text.NAME_BYTES);
        Map<String, Object> f = JsonValues.object("facets", jobFacets, JsonValues.MAX_FACET_ELEMENTS);
        f.keySet().forEach(k -> Text.name("facets", k, 256));
        OffsetDateTime when = Times.normalize(at, "at");
        return mayWrite(source, List.of(ns), "namespace").compose(x -> namespaces.ensure(tx, List.of(ns))).compose(x -> facets.putJobFacets(tx, new FacetStore.Job(ns, name), when, f));
    }

    /**
     * Records what a job says of itself apart from any run (an OpenLineage job event): its facets, and the datasets it
     * declares it reads and writes (recorded as artifacts if new), as of {@code at}. Idempotent.
     */
    public Future<Void> putJob(SqlConnection tx, Source source, String namespace, String job, OffsetDateTime at,
                               Map<String, Object> jobFacets, List<ArtifactSpec> inputs, List<ArtifactSpec> outputs) {
        String ns = Text.name("namespace", namespace, Text.SHORT_NAME_BYTES);
        String name = Text.name("name", job, Text.NAME_BYTES);
        OffsetDateTime when = Times.normalize(at, "at");
        Future<Void> done = putJobFacets(tx, source, ns, name, at, jobFacets);
        for (var declared : List.of(Map.entry(EdgeKind.CONSUMED, inputs), Map.entry(EdgeKind.PRODUCED, outputs))) {
            if (declared.getValue().isEmpty()) {
                continue;
            }
            done = done.compose(x -> {
                List<UUID> ids = new java.util.ArrayList<>(declared.getValue().size());
                Future<Void> logged = Future.succeededFuture();
                for (ArtifactSpec spec : declared.getValue()) {
                    logged = logged.compose(y -> logArtifact(tx, source, spec).map(a -> {
                        ids.add(a.id());
                        return null;
                    }));
                }
                return logged.compose(y -> jobs.declare(tx, ns, name, declared.getKey(), ids, when));
            });
        }
        return done;
    }

    /** The run's, its job's and its artifacts' facets, in one put: their documents are stored in one statement. */
    private Future<Void> putFacets(SqlConnection tx, Source source, Run run, RunSpec spec) {
        OffsetDateTime at = spec.eventTime(source.observedAt());
        List<FacetStore.ArtifactFacets> artifactFacets = new java.util.ArrayList<>();
        for (List<ArtifactSpec> io : List.of(spec.inputs(), spec.outputs())) {
            for (ArtifactSpec a : io) {
                if (!a.facets().isEmpty()) {
                    artifactFacets.add(new FacetStore.ArtifactFacets(a.id(), artifactFacetsAt(source, a), a.facets()));
                }
            }
        }
        return facets.putAll(tx, List.of(new FacetStore.RunFacets(run.id(), at, spec.facets())),
                spec.jobFacets().isEmpty() ? List.of()
                        : List.of(new FacetStore.JobFacets(new FacetStore.Job(run.namespace(), spec.pipeline()), at, spec.jobFacets())),
                artifactFacets);
    }

    /** A run named by id must be there, and readable to the writer: one it may not read is not there for it. */
    private Future<Void> checkExists(SqlConnection tx, Source source, UUID parentId, String field) {
        if (parentId == null) {
            return Future.succeededFuture();
        }
        return runs.namespaceOf(tx, parentId).compose(ns -> ns != null && source.access().canRead(ns) ? Future.<Void>succeededFuture()
                : Future.failedFuture(CatalogException.notFound(field, "no run with id " + GlobalId.of(NodeType.RUN, parentId))));
    }

    private Future<Run> upsertRunRow(SqlConnection tx, Source source, RunSpec spec, UUID codeVersionId) {
        OffsetDateTime now = source.observedAt();
        return upsert(tx, source, RunMerge.create(spec, codeVersionId, now), id -> runs.lock(tx, id), r -> runs.insertIfAbsent(tx, r),
                old -> RunMerge.merge(old, spec, codeVersionId, now),
                r -> runs.update(tx, withUpdatedAt(r, now)), RunMerge::snapshot);
    }

    /** Links a run to what it consumed and produced and to its code (edge times: {@link Merges#runEdges}). */
    private Future<Void> linkRun(SqlConnection tx, Source source, RunSpec spec, Run run, CodeVersion cv, List<Artifact> ins,
                                 List<Artifact> outs) {
        List<Edge> edges = Merges.runEdges(spec, run.id(), cv == null ? null : cv.id(), ins.stream().map(Artifact::id).toList(),
                outs.stream().map(Artifact::id).toList(), source.observedAt());
        List<Subject> subjects = new ArrayList<>();
        subjects.add(new Subject(run.id(), source.externalId() != null ? source.externalId() : run.externalId()));
        if (cv != null) {
            subjects.add(new Subject(cv.id(), null));
        }
        ins.forEach(a -> subjects.add(new Subject(a.id(), null)));
        outs.forEach(a -> subjects.add(new Subject(a.id(), null)));
        edges.forEach(e -> subjects.add(new Subject(e.id(), null)));
        return lineage.link(tx, edges)
                .compose(created -> logLinks(tx, source, run.id(), NodeType.RUN, created))
                .compose(x -> assertions.assertAll(tx, source, subjects));
    }

    /** One change-log entry for the edges a write added to an entity. */
    private Future<Void> logLinks(SqlConnection tx, Source source, UUID entityId, NodeType type, List<Edge> created) {
        if (created.isEmpty()) {
            return Future.succeededFuture();
        }
        return changes.append(tx, source, entityId, type, "LINKED", null, Merges.linked(entityId, created));
    }

    /** Adds tags to a run (others kept), in the caller's transaction. */
    Future<Void> mergeRunTags(SqlConnection tx, Source source, UUID runId, List<Tag> incoming) {
        return mergeTags(tx, source, runId, NodeType.RUN, incoming);
    }

    private Future<Void> mergeTags(SqlConnection tx, Source source, Entity entity, List<Tag> incoming) {
        return mergeTags(tx, source, entity.id(), entity.type(), incoming);
    }

    private Future<Void> mergeTags(SqlConnection tx, Source source, UUID entityId, NodeType entityType, List<Tag> incoming) {
        if (incoming.isEmpty()) {
            return Future.succeededFuture();
        }
        return tags.lock(tx, entityId).compose(old -> {
            Map<String, String> merged = new java.util.TreeMap<>();
            old.forEach(t -> merged.put(t.key(), t.value()));
            incoming.forEach(t -> merged.put(t.key(), t.value()));
            List<Tag> result = merged.entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList();
            return writeTags(tx, source, entityId, entityType, old, result);
        });
    }

    private Future<Void> writeTags(SqlConnection tx, Source source, UUID id, NodeType type, List<Tag> old, List<Tag> result) {
        // compared as sets: the stored tags come back in the database collation's order, which is not Java's String order
        if (Set.copyOf(old).equals(Set.copyOf(result))) {
            return Future.succeededFuture();
        }
        return tags.replace(tx, id, result)
                .compose(x -> changes.append(tx, source, id, type, "TAGS_SET", Snapshots.of(old), Snapshots.of(result)));
    }

    /**
     * Makes the entity's tags exactly {@code newTags} (a run, model or model version).
     *
     * @return the entity's global id
     */
    public Future<GlobalId> setTags(Source source, GlobalId entity, List<Tag> newTags) {
        if (entity.type() != NodeType.RUN && entity.type() != NodeType.MODEL && entity.type() != NodeType.MODEL_VERSION) {
            return Future.failedFuture(CatalogException.badInput("entity", "only runs, models and model versions have tags, not a "
                    + entity.type().graphqlName()));
        }
        return db.inTransaction(tx -> lockEntity(tx, source, entity)
                .compose(x -> tags.lock(tx, entity.uuid()))
                .compose(old -> writeTags(tx, source, entity.uuid(), entity.type(), old, newTags))
                .map(entity));
    }

    /** Locks the entity and checks that the writer may change it; one it may not read is not found. */
    private Future<Void> lockEntity(SqlConnection tx, Source source, GlobalId entity) {
        Future<String> namespace = switch (entity.type()) {
            case RUN -> runs.lock(tx, entity.uuid()).map(r -> r == null ? null : r.namespace());
            case MODEL -> models.lock(tx, entity.uuid()).map(m -> m == null ? null : m.namespace());
            case MODEL_VERSION -> models.lockVersion(tx, entity.uuid()).compose(v -> v == null ? Future.<String>succeededFuture(null)
                    : models.lock(tx, v.modelId()).map(Model::namespace));
            default -> Future.succeededFuture(null);
        };
        return namespace.compose(ns -> ns == null || !source.access().canRead(ns)
                ? Future.failedFuture(CatalogException.notFound("entity", "no " + entity.type().graphqlName() + " with id " + entity))
                : mayWrite(source, List.of(ns), "entity"));
    }

    // ------------------------------------------------------------------ models and versions

    public Future<ModelVersion> registerModelVersion(Source source, ModelVersionSpec spec) {
        return db.inTransaction(tx -> registerModelVersion(tx, source, spec));
    }

    /**
     * Registers a model version from a run named by a reference (which may be an external id alone), in place of the
     * spec's run id. When the run is not recorded: with {@code awaitRun}, the version is registered without it and
     * linked to it when the run is recorded ({@link PendingRunLinks}); else the record is refused.
     */
    public Future<ModelVersion> registerModelVersion(SqlConnection tx, Source source, ModelVersionSpec spec, RunKey run, String runField,
                                                     boolean awaitRun) {
        if (run == null) {
            return registerModelVersion(tx, source, spec);
        }
        return pendingLinks.resolve(tx, run, runField).compose(found -> {
            if (found != null) {
                return registerModelVersion(tx, source, spec.withRunId(found.id()));
            }
            if (!awaitRun) {
                return Future.failedFuture(CatalogException.notFound(runField, notRecorded(run)));
            }
            return registerModelVersion(tx, source, spec.withRunId(null))
                    .compose(v -> pendingLinks.await(tx, source, run, v.id(), EdgeKind.REGISTERED_FROM_RUN).map(v));
        });
    }

    public Future<ModelVersion> registerModelVersion(SqlConnection tx, Source source, ModelVersionSpec spec) {
        Set<String> nss = new TreeSet<>();
        nss.add(spec.namespace());
        if (spec.artifact() != null) {
            nss.add(spec.artifact().namespace());
        }
        OffsetDateTime created = spec.createdAt() != null ? spec.createdAt() : source.observedAt();
        Model freshModel = new Model(Ids.model(spec.namespace(), spec.model()), spec.namespace(), spec.model(), null, created);
        return mayWrite(source, nss, "input.namespace")
                .compose(x -> namespaces.ensure(tx, nss))
                // upserting the model also locks it: versions of one model are numbered one at a time
                .compose(x -> upsert(tx, source, freshModel, id -> models.lock(tx, id), m -> models.insertIfAbsent(tx, m),
                        old -> new Model(old.id(), old.namespace(), old.name(), old.description(), earliest(old.createdAt(), spec.createdAt())),
                        m -> models.update(tx, m), Snapshots::of))
                .compose(model -> checkExists(tx, source, spec.runId(), "input.runId")
                        .compose(x -> spec.artifact() == null ? Future.<Artifact>succeededFuture(null)
                                : upsertArtifact(tx, source, spec.artifact()))
                        .compose(artifact -> upsertVersion(tx, source, model, spec, artifact == null ? null : artifact.id(), created)
                                .compose(version -> linkVersion(tx, source, model, version)
                                        .compose(x -> mergeTags(tx, source, version, spec.tags()))
                                        .map(version))));
    }

    private Future<ModelVersion> upsertVersion(SqlConnection tx, Source source, Model model, ModelVersionSpec spec, UUID artifactId,
                                               OffsetDateTime created) {
        Future<String> versionText;
        if (spec.version() != null) {
            versionText = Future.succeededFuture(spec.version());
        } else {
            versionText = models.findVersionBySource(tx, model.id(), artifactId, spec.runId()).compose(existing -> existing != null
                    ? Future.succeededFuture(existing.version())
                    : models.nextVersionNumber(tx, model.id()).map(String::valueOf));
        }
        return versionText.compose(version -> {
            ModelVersion fresh = new ModelVersion(Ids.modelVersion(model.id(), version), model.id(), version,
                    ModelVersionSpec.number(version), ModelVersionStatus.READY, spec.description(), artifactId, spec.runId(), created);
            return upsert(tx, source, fresh, id -> models.lockVersion(tx, id), v -> models.insertVersionIfAbsent(tx, v),
                    old -> mergeVersion(model, old, spec, artifactId), v -> models.updateVersion(tx, v), Snapshots::of);
        });
    }

    private static ModelVersion mergeVersion(Model model, ModelVersion old, ModelVersionSpec spec, UUID artifactId) {
        // a version names one model file and one run for ever: a different one is a new version
        if (artifactId != null && old.artifactId() != null && !artifactId.equals(old.artifactId())) {
            throw CatalogException.conflict("input.artifact", "version " + old.version() + " of model " + model.name()
                    + " is registered with another artifact (" + GlobalId.of(NodeType.ARTIFACT, old.artifactId())
                    + "); register a new version instead");
        }
        if (spec.runId() != null && old.runId() != null && !spec.runId().equals(old.runId())) {
            throw CatalogException.conflict("input.runId", "version " + old.version() + " of model " + model.name()
                    + " is registered from another run (" + GlobalId.of(NodeType.RUN, old.runId()) + "); register a new version instead");
        }
        return new ModelVersion(old.id(), old.modelId(), old.version(), old.versionNumber(), old.status(),
                spec.description() != null ? spec.description() : old.description(), first(old.artifactId(), artifactId),
                first(old.runId(), spec.runId()), earliest(old.createdAt(), spec.createdAt()));
    }

    private Future<Void> linkVersion(SqlConnection tx, Source source, Model model, ModelVersion v) {
        List<Edge> edges = new ArrayList<>();
        if (v.runId() != null) {
            edges.add(new Edge(v.runId(), v.id(), EdgeKind.REGISTERED_FROM_RUN, v.createdAt(), null));
        }
        if (v.artifactId() != null) {
            edges.add(new Edge(v.artifactId(), v.id(), EdgeKind.REGISTERED_FROM_ARTIFACT, v.createdAt(), null));
        }
        List<Subject> subjects = new ArrayList<>(List.of(new Subject(model.id(), null), new Subject(v.id(), source.externalId())));
        if (v.artifactId() != null) {
            subjects.add(new Subject(v.artifactId(), null));
        }
        edges.forEach(e -> subjects.add(new Subject(e.id(), null)));
        return lineage.link(tx, edges)
                .compose(created -> logLinks(tx, source, v.id(), NodeType.MODEL_VERSION, created))
                .compose(x -> assertions.assertAll(tx, source, subjects));
    }

    // ------------------------------------------------------------------ aliases

    /**
     * Points {@code alias} of the model at {@code version} from {@code at} (default now). Moving an alias
     * ends its previous interval; an assignment that arrives late is placed where it belongs in time.
     */
    public Future<Alias> setAlias(Source source, String namespace, String modelName, String alias, String version, OffsetDateTime at) {
        return db.inTransaction(tx -> setAlias(tx, source, namespace, modelName, alias, version, at));
    }

    public Future<Alias> setAlias(SqlConnection tx, Source source, String namespace, String modelName, String alias, String version,
                                  OffsetDateTime at) {
        String name = Text.name("alias", alias, 128);
        String versionText = Text.name("version", version, 128);
        OffsetDateTime t = Times.normalize(at, "at");
        return lockModel(tx, source, namespace, modelName).compose(model -> mayMoveAlias(tx, source, model, name).compose(y -> models.version(tx, model.id(), versionText))
                .compose(v -> {
                    if (v == null) {
                        return Future.failedFuture(CatalogException.notFound("version", "model " + model.name() + " has no version '"
                                + Text.excerpt(version) + "'"));
                    }
                    OffsetDateTime when = t != null ? t : source.observedAt();
                    return aliases.at(tx, model.id(), name, when).compose(before -> {
                        if (t == null && before != null && before.modelVersionId().equals(v.id())) {
                            return Future.succeededFuture(before); // already there: nothing to do
                        }
                        // an assignment the alias already held is still recorded (a later, out-of-order event
                        // may split the interval around it) but is not a change anyone needs in the log
                        boolean moves = before == null || !before.modelVersionId().equals(v.id());
                        return aliases.recordEvent(tx, model.id(), name, when, v.id(), source.actor()).compose(changed -> !changed
                                ? aliases.at(tx, model.id(), name, when)
                                : !moves ? aliases.rebuildIntervals(tx, model.id(), name).compose(x -> aliases.at(tx, model.id(), name, when))
                                : aliases.rebuildIntervals(tx, model.id(), name)
                                .compose(x -> versionText(tx, before))
                                .compose(beforeVersion -> changes.append(tx, source, model.id(), NodeType.MODEL, "ALIAS_SET",
                                        aliasChange(name, beforeVersion, null), aliasChange(name, v.version(), when)))
                                .compose(x -> aliases.at(tx, model.id(), name, when)));
                    });
                }));
    }

    /**
     * Fails unless the writer may move or remove the model's alias: a writer of its namespace, and for a
     * protected alias one with a promote grant there. Checked before anything is written.
     */
    private Future<Void> mayMoveAlias(SqlConnection tx, Source source, Model model, String alias) {
        return mayWrite(source, List.of(model.namespace()), "namespace").compose(x -> source.access().canPromote(model.namespace())
                ? Future.<Void>succeededFuture()
                : aliases.isProtected(tx, model.id(), alias).compose(prot -> !prot ? Future.<Void>succeededFuture()
                : Future.failedFuture(Access.forbidden("alias", "alias '" + alias + "' of model " + model.name()
                + " is protected: only a token with a promote grant on namespace '" + model.namespace() + "' may move or remove it"))));
    }

    /**
     * Marks the alias of a model protected (or lifts that), for tokens with a promote grant on its namespace.
     *
     * @return true when this changed anything
     */
    public Future<Boolean> protectAlias(Source source, String namespace, String modelName, String alias, boolean protect) {
        String name = Text.name("alias", alias, 128);
        return db.inTransaction(tx -> lockModel(tx, source, namespace, modelName).compose(model -> {
            if (!source.access().canPromote(model.namespace())) {
                return Future.failedFuture(Access.forbidden("alias", "protecting an alias takes a promote grant on namespace '"
                        + model.namespace() + "'"));
            }
            return (protect ? aliases.protect(tx, model.id(), name, source.actor()) : aliases.unprotect(tx, model.id(), name))
                    .compose(changed -> !changed ? Future.succeededFuture(false)
                            : changes.append(tx, source, model.id(), NodeType.MODEL, protect ? "ALIAS_PROTECTED" : "ALIAS_UNPROTECTED",
                            null, Map.of("alias", name)).map(true));
        }));
    }

    /** Removes the alias from {@code at} (default now); false when it pointed nowhere then. */
    public Future<Boolean> removeAlias(Source source, String namespace, String modelName, String alias, OffsetDateTime at) {
        return db.inTransaction(tx -> removeAlias(tx, source, namespace, modelName, alias, at));
    }

    public Future<Boolean> removeAlias(SqlConnection tx, Source source, String namespace, String modelName, String alias,
                                       OffsetDateTime at) {
        String name = Text.name("alias", alias, 128);
        OffsetDateTime t = Times.normalize(at, "at");
        return lockModel(tx, source, namespace, modelName).compose(model -> mayMoveAlias(tx, source, model, name).compose(y -> {
            OffsetDateTime when = t != null ? t : source.observedAt();
            return aliases.at(tx, model.id(), name, when).compose(before -> {
                if (before == null) {
                    return Future.succeededFuture(false);
                }
                return aliases.recordEvent(tx, model.id(), name, when, null, source.actor())
                        .compose(x -> aliases.rebuildIntervals(tx, model.id(), name))
                        .compose(x -> versionText(tx, before))
                        .compose(beforeVersion -> changes.append(tx, source, model.id(), NodeType.MODEL, "ALIAS_REMOVED",
                                aliasChange(name, beforeVersion, null), aliasChange(name, null, when)))
                        .map(true);
            });
        }));
    }

    private Future<String> versionText(SqlConnection tx, Alias alias) {
        if (alias == null) {
            return Future.succeededFuture(null);
        }
        return models.lockVersion(tx, alias.modelVersionId()).map(ModelVersion::version);
    }

    private static Map<String, Object> aliasChange(String alias, String version, OffsetDateTime at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alias", alias);
        m.put("version", version);
        if (at != null) {
            m.put("at", Times.format(at));
        }
        return m;
    }

    /** Finds the model by namespace (optional when the name is unambiguous) and name, and locks it. */
    private Future<Model> lockModel(SqlConnection tx, Source source, String namespace, String modelName) {
        String ns = Text.optionalName("namespace", namespace, Text.SHORT_NAME_BYTES);
        String name = Text.name("model", modelName, Text.SHORT_NAME_BYTES);
        // a model the writer may not read is not there for it (and does not make a name ambiguous)
        Future<List<Model>> readable = models.findByName(tx, ns, name)
                .map(all -> all.stream().filter(m -> source.access().canRead(m.namespace())).toList());
        return readable.compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(CatalogException.notFound("model", "no model named '" + Text.excerpt(name) + "'"
                        + (ns == null ? "" : " in namespace '" + Text.excerpt(ns) + "'")));
            }
            if (found.size() > 1) {
                return Future.failedFuture(CatalogException.badInput("namespace", "a model named '" + name + "' exists in several namespaces ("
                        + String.join(", ", found.stream().map(Model::namespace).toList()) + "): give the namespace"));
            }
            return models.lock(tx, found.get(0).id());
        });
    }

    // ------------------------------------------------------------------ deployments

    /**
     * Records that a model version started serving {@code environment}/{@code target}. A deployment that
     * replaces (no traffic share, or 100%) ends every deployment active on the target at that instant; a
     * replacing deployment that started later ends this one (for events that arrive out of order).
     */
    public Future<Deployment> startDeployment(Source source, DeploymentSpec spec) {
        return db.inTransaction(tx -> startDeployment(tx, source, spec));
    }

    public Future<Deployment> startDeployment(SqlConnection tx, Source source, DeploymentSpec spec) {
        OffsetDateTime start = spec.startedAt() != null ? spec.startedAt() : source.observedAt();
        return mayWrite(source, List.of(spec.namespace()), "input.namespace")
                .compose(x -> namespaces.ensure(tx, List.of(spec.namespace())))
                .compose(x -> spec.byArtifact() ? versionByArtifact(tx, spec, start) : findModel(tx, spec.namespace(), spec.model(), "input.model")
                        .compose(model -> models.version(tx, model.id(), spec.version()).compose(v -> v != null ? Future.succeededFuture(v)
                                : Future.failedFuture(CatalogException.notFound("input.version", "model " + model.name()
                                + " has no version '" + Text.excerpt(spec.version()) + "'")))))
                .compose(version -> deployments.lockTarget(tx, spec.namespace(), spec.environment(), spec.target(), start)
                        .compose(onTarget -> startDeployment(tx, source, spec, version, onTarget)));
    }

    /**
     * The version a deployment names by its model file: of the namespace's versions (the model's, when named)
     * registered from an artifact with that URI and/or digest, the newest registered by the deployment's start, else
     * the first registered after it. Taking the one registered by then, not the newest overall, keeps a deployment
     * that is recorded again (a source's resync) on the version it was first recorded with, when a later version is
     * registered from a file at the same URI.
     */
    private Future<ModelVersion> versionByArtifact(SqlConnection tx, DeploymentSpec spec, OffsetDateTime start) {
        return models.versionByArtifact(tx, spec.namespace(), spec.model(), spec.artifactUri(), spec.artifactDigest(), start)
                .compose(v -> v != null ? Future.succeededFuture(v) : Future.failedFuture(CatalogException.notFound(
                        spec.artifactUri() != null ? "input.artifactUri" : "input.artifactDigest",
                        "no model version is registered with artifact " + Text.excerpt(spec.artifactText())
                                + (spec.model() == null ? "" : " for model '" + Text.excerpt(spec.model()) + "'")
                                + " in namespace '" + Text.excerpt(spec.namespace()) + "'")));
    }

    /**
     * Ends every deployment serving the target at {@code at} that started before then (one starting at that very
     * instant is a successor, not what stopped). None is no error.
     *
     * @return the deployments it ended
     */
    public Future<List<Deployment>> endDeploymentsOn(SqlConnection tx, Source source, String namespace, String environment,
                                                     String target, OffsetDateTime at, DeploymentStatus status) {
        return mayWrite(source, List.of(namespace), "namespace").compose(x -> deployments.lockTarget(tx, namespace, environment, target, at).compose(onTarget -> Futures.each(onTarget.stream()
                        .filter(d -> d.startedAt().isBefore(at) && (d.endedAt() == null || d.endedAt().isAfter(at)))
                        .toList(), d -> endDeployment(tx, source, d, at, status))));
    }

    /**
     * Ends the deployment of {@code model} {@code version} on the target that was serving at {@code at}
     * (or, failing that, the last one that started before it).
     */
    public Future<Deployment> endDeploymentOf(SqlConnection tx, Source source, String namespace, String environment, String target,
                                              String model, String version, OffsetDateTime at, DeploymentStatus status) {
        return mayWrite(source, List.of(namespace), "namespace").compose(x -> findModel(tx, namespace, model, "model"))
                .compose(m -> models.version(tx, m.id(), version).compose(v -> v != null ? Future.succeededFuture(v)
                        : Future.failedFuture(CatalogException.notFound("version", "model " + model + " has no version '"
                        + Text.excerpt(version) + "'"))))
                // every deployment on the target, from the beginning: the one to end may have started long before
                .compose(v -> deployments.lockTarget(tx, namespace, environment, target, Times.EARLIEST).compose(onTarget -> {
                    Deployment match = null;
                    for (Deployment d : onTarget) { // oldest first: the last one that started by then
                        if (d.modelVersionId().equals(v.id()) && !d.startedAt().isAfter(at)) {
                            match = d;
                        }
                    }
                    if (match == null) {
                        return Future.failedFuture(CatalogException.notFound("target", "no deployment of " + model + " version " + version
                                + " on " + environment + "/" + target + " started by " + Times.format(at)));
                    }
                    return endDeployment(tx, source, match, at, status);
                }));
    }

    private Future<Deployment> startDeployment(SqlConnection tx, Source source, DeploymentSpec spec, ModelVersion version,
                                               List<Deployment> onTarget) {
        if (spec.startedAt() == null) {
            // "deploy v3" sent again while v3 serves: the same deployment, not a new one
            for (Deployment d : onTarget) {
                if (d.modelVersionId().equals(version.id()) && d.endedAt() == null) {
                    return updateDeployment(tx, source, d, spec);
                }
            }
        }
        OffsetDateTime start = spec.startedAt() != null ? spec.startedAt() : source.observedAt();
        UUID id = Ids.deployment(spec.namespace(), spec.environment(), spec.target(), version.id(), start);
        for (Deployment d : onTarget) {
            if (d.id().equals(id)) {
                return updateDeployment(tx, source, d, spec);
            }
        }
        OffsetDateTime end = onTarget.stream()
                .filter(d -> d.startedAt().isAfter(start) && replaces(d))
                .map(Deployment::startedAt).min(OffsetDateTime::compareTo).orElse(null);
        Deployment fresh = new Deployment(id, spec.namespace(), spec.environment(), spec.target(), version.id(),
                end == null ? DeploymentStatus.ACTIVE : DeploymentStatus.ENDED, spec.trafficPercent(), spec.replicas(), spec.config(),
                spec.deployedBy(), start, end);
        List<Deployment> replaced = !spec.replaces() ? List.of() : onTarget.stream()
                .filter(d -> d.startedAt().isBefore(start) && (d.endedAt() == null || d.endedAt().isAfter(start)))
                .toList();
        Edge edge = new Edge(version.id(), id, EdgeKind.DEPLOYED_AS, start, end);
        return deployments.insertIfAbsent(tx, fresh)
                .compose(x -> changes.append(tx, source, id, NodeType.DEPLOYMENT, "DEPLOYMENT_STARTED", null, Snapshots.of(fresh)))
                .compose(x -> lineage.link(tx, List.of(edge)))
                .compose(x -> Futures.each(replaced, d -> endDeployment(tx, source, d, start, DeploymentStatus.ENDED)))
                .compose(x -> assertions.assertAll(tx, source, List.of(new Subject(id, source.externalId()), new Subject(edge.id(), null))))
                .map(fresh);
    }

    private static boolean replaces(Deployment d) {
        return d.trafficPercent() == null || d.trafficPercent() >= 100;
    }

    private Future<Deployment> updateDeployment(SqlConnection tx, Source source, Deployment old, DeploymentSpec spec) {
        Deployment merged = new Deployment(old.id(), old.namespace(), old.environment(), old.target(), old.modelVersionId(),
                old.status(), first(spec.trafficPercent(), old.trafficPercent()), first(spec.replicas(), old.replicas()),
                first(spec.config(), old.config()), first(spec.deployedBy(), old.deployedBy()), old.startedAt(), old.endedAt());
        return changeDeployment(tx, source, old, merged, "DEPLOYMENT_UPDATED");
    }

    /** Ends a deployment at {@code at} (default now); an earlier end than the recorded one wins. */
    public Future<Deployment> endDeployment(Source source, UUID id, OffsetDateTime at, DeploymentStatus status) {
        OffsetDateTime t = Times.normalize(at, "at");
        if (status == DeploymentStatus.ACTIVE) {
            return Future.failedFuture(CatalogException.badInput("status", "a deployment ends as ENDED or FAILED, not ACTIVE"));
        }
        return db.inTransaction(tx -> deployments.lock(tx, id).compose(d -> {
            if (d == null || !source.access().canRead(d.namespace())) {
                return Future.failedFuture(CatalogException.notFound("id", "no deployment with id " + GlobalId.of(NodeType.DEPLOYMENT, id)));
            }
            if (!source.access().canWrite(d.namespace())) {
                return Future.failedFuture(Access.forbidden("id", "this token may not write in namespace '" + Text.excerpt(d.namespace()) + "'"));
            }
            OffsetDateTime when = t != null ? t : source.observedAt();
            if (when.isBefore(d.startedAt())) {
                return Future.failedFuture(CatalogException.badInput("at", "a deployment cannot end (" + Times.format(when)
                        + ") before it started (" + Times.format(d.startedAt()) + ")"));
            }
            return endDeployment(tx, source, d, when, status == null ? DeploymentStatus.ENDED : status);
        }));
    }

    private Future<Deployment> endDeployment(SqlConnection tx, Source source, Deployment d, OffsetDateTime at, DeploymentStatus status) {
        boolean earlier = d.endedAt() == null || at.isBefore(d.endedAt());
        Deployment ended = !earlier ? d : new Deployment(d.id(), d.namespace(), d.environment(), d.target(), d.modelVersionId(),
                // a deployment that failed stays failed, even when a replacement that started before its end arrives late
                d.status() == DeploymentStatus.FAILED ? DeploymentStatus.FAILED : status, d.trafficPercent(), d.replicas(),
                d.config(), d.deployedBy(), d.startedAt(), at);
        return changeDeployment(tx, source, d, ended, "DEPLOYMENT_ENDED")
                .compose(result -> lineage.setUntil(tx, result.id(), EdgeKind.DEPLOYED_AS, result.endedAt()).map(result));
    }

    private Future<Deployment> changeDeployment(SqlConnection tx, Source source, Deployment old, Deployment updated, String action) {
        ChangeLog.Diff diff = ChangeLog.diff(Snapshots.of(old), Snapshots.of(updated));
        if (diff.isEmpty()) {
            return Future.succeededFuture(old);
        }
        return deployments.update(tx, updated)
                .compose(x -> changes.append(tx, source, updated.id(), NodeType.DEPLOYMENT, action, diff.before(), diff.after()))
                .map(updated);
    }

    private Future<Model> findModel(SqlConnection tx, String namespace, String modelName, String field) {
        return models.findByName(tx, namespace, modelName).compose(found -> found.isEmpty()
                ? Future.failedFuture(CatalogException.notFound(field, "no model named '" + Text.excerpt(modelName)
                + "' in namespace '" + Text.excerpt(namespace) + "'"))
                : Future.succeededFuture(found.get(0)));
    }

    /** Fails FORBIDDEN unless the writer may write in every one of the namespaces. */
    private static Future<Void> mayWrite(Source source, java.util.Collection<String> namespaces, String field) {
        for (String ns : namespaces) {
            if (!source.access().canWrite(ns)) {
                return Future.failedFuture(Access.forbidden(field, "this token may not write in namespace '" + Text.excerpt(ns) + "'"));
            }
        }
        return Future.succeededFuture();
    }

    // ------------------------------------------------------------------ the upsert pattern

    /**
     * Inserts {@code fresh}, or merges it into the stored row: locks the row, computes the merged state,
     * and writes and logs only when the visible state changed. Lock first, because most writes of an
     * idempotent ingest are repeats; insert with ON CONFLICT DO NOTHING, because two writers may race to
     * create the same row (the loser then merges).
     */
    private <T extends Entity> Future<T> upsert(SqlConnection tx, Source source, T fresh, Function<UUID, Future<T>> lock,
                                               Function<T, Future<Boolean>> insert, UnaryOperator<T> merge,
                                               Function<T, Future<Void>> update, Function<T, Map<String, Object>> snapshot) {
        return upsert(tx, source, fresh, lock, insert, merge, update, snapshot, (old, merged) -> false);
    }

    /**
     * As above; {@code quietChange} says when a merge changed only state the change log does not show (an artifact's
     * last-seen time): the row is then written without a log entry.
     */
    private <T extends Entity> Future<T> upsert(SqlConnection tx, Source source, T fresh, Function<UUID, Future<T>> lock,
                                               Function<T, Future<Boolean>> insert, UnaryOperator<T> merge,
                                               Function<T, Future<Void>> update, Function<T, Map<String, Object>> snapshot,
                                               java.util.function.BiPredicate<T, T> quietChange) {
        return lock.apply(fresh.id()).compose(existing -> {
            if (existing != null) {
                return mergeInto(tx, source, existing, merge, update, snapshot, quietChange);
            }
            return insert.apply(fresh).compose(inserted -> inserted
                    ? changes.append(tx, source, fresh.id(), fresh.type(), "CREATED", null, snapshot.apply(fresh)).map(fresh)
                    : lock.apply(fresh.id()).compose(raced -> mergeInto(tx, source, raced, merge, update, snapshot, quietChange)));
        });
    }

    private <T extends Entity> Future<T> mergeInto(SqlConnection tx, Source source, T old, UnaryOperator<T> merge,
                                                  Function<T, Future<Void>> update, Function<T, Map<String, Object>> snapshot,
                                                  java.util.function.BiPredicate<T, T> quietChange) {
        T merged;
        try {
            merged = merge.apply(old);
        } catch (CatalogException e) {
            return Future.failedFuture(e);
        }
        ChangeLog.Diff diff = ChangeLog.diff(snapshot.apply(old), snapshot.apply(merged));
        if (diff.isEmpty()) {
            return quietChange.test(old, merged) ? update.apply(merged).map(merged) : Future.succeededFuture(old);
        }
        return update.apply(merged)
                .compose(x -> changes.append(tx, source, merged.id(), merged.type(), "UPDATED", diff.before(), diff.after()))
                .map(merged);
    }

    private static Run withUpdatedAt(Run r, OffsetDateTime t) {
        return new Run(r.id(), r.namespace(), r.name(), r.externalId(), r.pipeline(), r.status(), r.statusAt(), r.startedAt(),
                r.endedAt(), r.user(), r.params(), r.metrics(), r.codeVersionId(), r.parentId(), r.createdAt(), t);
    }

    private static <T> T first(T existing, T incoming) {
        return Merges.first(existing, incoming);
    }

    private static OffsetDateTime earliest(OffsetDateTime a, OffsetDateTime b) {
        return Merges.earliest(a, b);
    }
}
