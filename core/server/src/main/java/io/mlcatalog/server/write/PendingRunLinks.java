package io.mlcatalog.server.write;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.store.AssertionStore;
import io.mlcatalog.server.store.AssertionStore.Subject;
import io.mlcatalog.server.store.ChangeLog;
import io.mlcatalog.server.store.LineageStore;
import io.mlcatalog.server.store.LineageStore.Edge;
import io.mlcatalog.server.store.ModelStore;
import io.mlcatalog.server.store.PendingLinkStore;
import io.mlcatalog.server.store.PendingLinkStore.Pending;
import io.mlcatalog.server.store.RunStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Links that wait for their run: a record links an artifact or a model version to a run the catalog does not have
 * yet (a sidecar file names the run that wrote a model; the run's own record comes later, or never). The link is kept
 * as a pending row, and the write that records the run, whoever sends it, makes the link in its transaction: the same
 * edges, the same provenance (the assertion is the linking source's, with its external id and observation time) and
 * the same change-log entry as if the run had been there first.
 *
 * <p><b>Races.</b> "Is the run there? No: wait for it" and "record the run, then take what waits for it" run in
 * different transactions. Both take a transaction-scoped advisory lock on the run (its id, or the external id a
 * reference names it by) before anything else, so one sees the other's committed result: a link never waits for a
 * run that was recorded meanwhile.
 */
final class PendingRunLinks {
    private final PendingLinkStore store;
    private final RunStore runs;
    private final ModelStore models;
    private final LineageStore lineage;
    private final AssertionStore assertions;
    private final ChangeLog changes;

    PendingRunLinks(PendingLinkStore store, RunStore runs, ModelStore models, LineageStore lineage, AssertionStore assertions,
                    ChangeLog changes) {
        this.store = store;
        this.runs = runs;
        this.models = models;
        this.lineage = lineage;
        this.assertions = assertions;
        this.changes = changes;
    }

    /** The run a reference names, locked, or null when it is not recorded. */
    Future<Run> resolve(SqlConnection tx, RunKey key, String field) {
        return store.lockRuns(tx, List.of(key.lockKey())).compose(x -> {
            if (key.named()) {
                return runs.lock(tx, key.id());
            }
            return store.runsByExternalId(tx, key.namespace(), key.externalId()).compose(ids -> {
                if (ids.isEmpty()) {
                    return Future.succeededFuture(null);
                }
                if (ids.size() > 1) {
                    return Future.failedFuture(CatalogException.conflict(field + ".externalId", "several runs are recorded with "
                            + key.describe() + ": give the run's namespace (and name)"));
                }
                return runs.lock(tx, ids.get(0));
            });
        });
    }

    /** Keeps a link from {@code subject} to the run that {@code key} names until the run is recorded. */
    Future<Void> await(SqlConnection tx, Source source, RunKey key, UUID subject, EdgeKind kind) {
        return store.add(tx, new Pending(key.id(), key.namespace(), key.name(), key.externalId(), subject, kind, source.name(),
                source.externalId(), source.observedAt()));
    }

    /** The locks a run write takes first, before any row lock: see the class comment. */
    Future<Void> lockForRunWrite(SqlConnection tx, Collection<RunSpec> specs) {
        Set<Long> keys = new LinkedHashSet<>();
        for (RunSpec s : specs) {
            keys.add(RunKey.runLockKey(s.id()));
            if (s.externalId() != null) {
                keys.add(RunKey.externalIdLockKey(s.externalId()));
            }
        }
        return store.lockRuns(tx, keys);
    }

    /** Makes the links that wait for any of these runs, just recorded or updated in this transaction. */
    Future<Void> complete(SqlConnection tx, Collection<Run> recorded) {
        List<UUID> ids = recorded.stream().map(Run::id).toList();
        List<String> externalIds = recorded.stream().map(Run::externalId).filter(java.util.Objects::nonNull).distinct().toList();
        return store.lockFor(tx, ids, externalIds).compose(pending -> {
            if (pending.isEmpty()) {
                return Future.succeededFuture();
            }
            Future<Void> chain = Future.succeededFuture();
            List<UUID> done = new ArrayList<>();
            for (Pending p : pending) {
                Run run = match(p, recorded);
                if (run == null) {
                    continue; // an external id recorded in another namespace than the reference asks for
                }
                done.add(p.id());
                chain = chain.compose(x -> link(tx, p, run));
            }
            return chain.compose(x -> store.remove(tx, done));
        });
    }

    private static Run match(Pending p, Collection<Run> recorded) {
        for (Run r : recorded) {
            if (p.runId() != null ? p.runId().equals(r.id())
                    : p.runExternalId().equals(r.externalId()) && (p.runNamespace() == null || p.runNamespace().equals(r.namespace()))) {
                return r;
            }
        }
        return null;
    }

    private Future<Void> link(SqlConnection tx, Pending p, Run run) {
        Source source = new Source(p.source(), p.observedAt(), p.externalId());
        if (p.kind() == EdgeKind.REGISTERED_FROM_RUN) {
            return models.lockVersion(tx, p.subjectId()).compose(v -> {
                if (v == null || (v.runId() != null && !v.runId().equals(run.id()))) {
                    return Future.succeededFuture(); // gone, or registered from another run since: that one stands
                }
                ModelVersion linked = new ModelVersion(v.id(), v.modelId(), v.version(), v.versionNumber(), v.status(), v.description(),
                        v.artifactId(), run.id(), v.createdAt());
                Future<Void> update = v.runId() != null ? Future.succeededFuture()
                        : models.updateVersion(tx, linked).compose(x -> {
                    ChangeLog.Diff diff = ChangeLog.diff(Snapshots.of(v), Snapshots.of(linked));
                    return changes.append(tx, source, v.id(), NodeType.MODEL_VERSION, "UPDATED", diff.before(), diff.after());
                });
                Edge edge = new Edge(run.id(), v.id(), EdgeKind.REGISTERED_FROM_RUN, v.createdAt(), null);
                return update.compose(x -> addEdge(tx, source, run, edge));
            });
        }
        // the link's time is the run's, as for a link to a run that was there first: an input from its start, an output from its end
        OffsetDateTime at = p.kind() == EdgeKind.CONSUMED ? Merges.first(run.startedAt(), Merges.first(run.endedAt(), p.observedAt()))
                : Merges.first(run.endedAt(), Merges.first(run.startedAt(), p.observedAt()));
        Edge edge = p.kind() == EdgeKind.CONSUMED ? new Edge(p.subjectId(), run.id(), p.kind(), at, null)
                : new Edge(run.id(), p.subjectId(), p.kind(), at, null);
        return addEdge(tx, source, run, edge);
    }

    private Future<Void> addEdge(SqlConnection tx, Source source, Run run, Edge edge) {
        return lineage.link(tx, List.of(edge))
                .compose(created -> created.isEmpty() ? Future.<Void>succeededFuture()
                        : changes.append(tx, source, run.id(), NodeType.RUN, "LINKED", null, Merges.linked(run.id(), created)))
                .compose(x -> assertions.assertAll(tx, source, List.of(new Subject(edge.id(), source.externalId()))));
    }
}
