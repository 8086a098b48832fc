package io.mlcatalog.server.write;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.store.ArtifactStore;
import io.mlcatalog.server.store.AssertionStore;
import io.mlcatalog.server.store.AssertionStore.Subject;
import io.mlcatalog.server.store.ChangeLog;
import io.mlcatalog.server.store.CodeVersionStore;
import io.mlcatalog.server.store.FacetStore;
import io.mlcatalog.server.store.LineageStore;
import io.mlcatalog.server.store.LineageStore.Edge;
import io.mlcatalog.server.store.NamespaceStore;
import io.mlcatalog.server.store.RunStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Upserts many runs (with their code versions, artifacts, edges, provenance and facets) in the caller's
 * transaction with a fixed number of round trips, whatever the number of runs: every step is one batched
 * statement for all of them. The rules are those of {@link CatalogWriter#upsertRun} ({@link RunMerge},
 * {@link Merges}), so the result is the same as writing the runs one by one; the change log differs only
 * in that a run created and updated within one batch is logged once, as created in its final state.
 * Rows are locked in id order, so concurrent batches cannot deadlock on them.
 */
public final class BatchRunWriter {
    private final NamespaceStore namespaces;
    private final CodeVersionStore codeVersions;
    private final RunStore runs;
    private final ArtifactStore artifacts;
    private final LineageStore lineage;
    private final AssertionStore assertions;
    private final ChangeLog changes;
    private final FacetStore facets;
    private final CatalogWriter writer;

    public BatchRunWriter(NamespaceStore namespaces, CodeVersionStore codeVersions, RunStore runs, ArtifactStore artifacts,
                          LineageStore lineage, AssertionStore assertions, ChangeLog changes, FacetStore facets, CatalogWriter writer) {
        this.namespaces = namespaces;
        this.codeVersions = codeVersions;
        this.runs = runs;
        this.artifacts = artifacts;
        this.lineage = lineage;
        this.assertions = assertions;
        this.changes = changes;
        this.facets = facets;
        this.writer = writer;
    }

    /** One run assertion and who made it. */
    public record Item(Source source, RunSpec spec) {
    }

    /** A run of the batch refused (its parent is not recorded, say): nothing of the batch is written. */
    public static final class ItemRefused extends RuntimeException {
        private final int index;
        private final CatalogException reason;

        ItemRefused(int index, CatalogException reason) {
            super(reason.getMessage(), null, false, false);
            this.index = index;
            this.reason = reason;
        }

        public int index() {
            return index;
        }

        public CatalogException reason() {
            return reason;
        }
    }

    public Future<Void> upsertRuns(SqlConnection tx, List<Item> items) {
        if (items.isEmpty()) {
            return Future.succeededFuture();
        }
        Set<String> nss = new TreeSet<>();
        for (Item i : items) {
            nss.add(i.spec().namespace());
            i.spec().inputs().forEach(a -> nss.add(a.namespace()));
            i.spec().outputs().forEach(a -> nss.add(a.namespace()));
        }
        return absorbedRuns(tx, items).compose(absorbed -> {
            List<Item> changing = items.stream().filter(i -> !absorbed.contains(i.spec().id())).toList();
            // the statements whose answers nothing waits for are sent ahead of the next ones (Db#sendAhead): the same
            // statements in the same order, in fewer round trips
            return Db.sendAhead(writer.lockRunsForLinks(tx, changing.stream().map(Item::spec).toList()),
                    () -> namespaces.ensure(tx, nss)
                            .compose(x -> upsertCodeVersions(tx, items))
                            .compose(x -> checkParents(tx, items))
                            .compose(x -> upsertRunRows(tx, changing)));
        })
                .compose(runRows -> writer.completePendingLinks(tx, runRows.after().values()).map(runRows))
                .compose(runRows -> upsertArtifacts(tx, items, () -> linkAndAssert(tx, items, runRows, () -> Db.sendAhead(putFacets(tx, items, runRows.created()),
                        () -> mergeTags(tx, items)))));
    }

    // ------------------------------------------------------------------ code versions

    private Future<Void> upsertCodeVersions(SqlConnection tx, List<Item> items) {
        Map<UUID, List<Item>> byId = new LinkedHashMap<>();
        for (Item i : items) {
            CodeVersionSpec c = i.spec().codeVersion();
            if (c != null) {
                byId.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(i);
            }
        }
        if (byId.isEmpty()) {
            return Future.succeededFuture();
        }
        return upsertAll(tx, byId, codeVersions::lockAll, codeVersions::insertAll, codeVersions::updateAll,
                (first) -> Merges.codeVersion(first.spec().codeVersion(), first.source().observedAt()),
                (old, item) -> Merges.codeVersion(old, item.spec().codeVersion()), Snapshots::of, (a, b) -> false,
                NodeType.CODE_VERSION).mapEmpty();
    }

    // ------------------------------------------------------------------ runs

    private Future<Void> checkParents(SqlConnection tx, List<Item> items) {
        Set<UUID> inBatch = new HashSet<>();
        items.forEach(i -> inBatch.add(i.spec().id()));
        Set<UUID> needed = new HashSet<>();
        items.forEach(i -> {
            if (i.spec().parentId() != null && !inBatch.contains(i.spec().parentId())) {
                needed.add(i.spec().parentId());
            }
        });
        if (needed.isEmpty()) {
            return Future.succeededFuture();
        }
        return runs.existing(tx, needed).compose(found -> {
            for (int k = 0; k < items.size(); k++) {
                UUID parent = items.get(k).spec().parentId();
                if (parent != null && needed.contains(parent) && !found.contains(parent)) {
                    return Future.failedFuture(new ItemRefused(k, CatalogException.notFound("input.parentRunId",
                            "no run with id " + GlobalId.of(NodeType.RUN, parent))));
                }
            }
            return Future.succeededFuture();
        });
    }

    /**
     * The runs of the batch that are stored already and that the batch's assertions leave as they are (what
     * {@link #upsertAll} would neither write nor log), found by a plain read. Every task of a DAG run names the DAG run as
     * its parent, which the OpenLineage mapping asserts again as running: locking that run, and taking its advisory lock
     * (see {@link PendingRunLinks}), in each task's transaction made all the tasks of a pipeline wait on each other. A run
     * left out here is neither locked nor written: a run stored and committed has had the links that waited for it made
     * by the transaction that recorded it, and a later link finds it; and the assertions leave it as a committed state
     * holds it, as if this transaction had come before any other writer of the run.
     */
    private Future<Set<UUID>> absorbedRuns(SqlConnection tx, List<Item> items) {
        Map<UUID, List<Item>> byId = new LinkedHashMap<>();
        items.forEach(i -> byId.computeIfAbsent(i.spec().id(), k -> new ArrayList<>()).add(i));
        return runs.readAll(tx, byId.keySet()).map(stored -> {
            Set<UUID> absorbed = new HashSet<>();
            stored.forEach((id, old) -> {
                Run row = old;
                for (Item item : byId.get(id)) {
                    row = mergeRun(row, item);
                }
                if (ChangeLog.diff(RunMerge.snapshot(old), RunMerge.snapshot(row)).isEmpty()) {
                    absorbed.add(id);
                }
            });
            return absorbed;
        });
    }

    private static Run mergeRun(Run old, Item item) {
        return withUpdatedAt(RunMerge.merge(old, item.spec(), codeVersionId(item), item.source().observedAt()), item.source().observedAt());
    }

    private Future<Upserted<Run>> upsertRunRows(SqlConnection tx, List<Item> items) {
        Map<UUID, List<Item>> byId = new LinkedHashMap<>();
        items.forEach(i -> byId.computeIfAbsent(i.spec().id(), k -> new ArrayList<>()).add(i));
        return upsertAll(tx, byId, runs::lockAll, runs::insertAll, runs::updateAll,
                first -> RunMerge.create(first.spec(), codeVersionId(first), first.source().observedAt()),
                BatchRunWriter::mergeRun,
                RunMerge::snapshot, (a, b) -> false, NodeType.RUN);
    }

    private static UUID codeVersionId(Item i) {
        return i.spec().codeVersion() == null ? null : i.spec().codeVersion().id();
    }

    private static Run withUpdatedAt(Run r, OffsetDateTime t) {
        return new Run(r.id(), r.namespace(), r.name(), r.externalId(), r.pipeline(), r.status(), r.statusAt(), r.startedAt(),
                r.endedAt(), r.user(), r.params(), r.metrics(), r.codeVersionId(), r.parentId(), r.createdAt(), t);
    }

    // ------------------------------------------------------------------ artifacts

    /** An artifact assertion within a run assertion. */
    private record ArtifactItem(Source source, ArtifactSpec spec) {
    }

    /** Upserts the batch's artifacts, then runs {@code next}, its first statement sent along with their last. */
    private Future<Void> upsertArtifacts(SqlConnection tx, List<Item> items, java.util.function.Supplier<Future<Void>> next) {
        Map<UUID, List<ArtifactItem>> byId = new LinkedHashMap<>();
        for (Item i : items) {
            for (ArtifactSpec a : i.spec().inputs()) {
                byId.computeIfAbsent(a.id(), k -> new ArrayList<>()).add(new ArtifactItem(i.source(), a));
            }
            for (ArtifactSpec a : i.spec().outputs()) {
                byId.computeIfAbsent(a.id(), k -> new ArrayList<>()).add(new ArtifactItem(i.source(), a));
            }
        }
        if (byId.isEmpty()) {
            return next.get();
        }
        // the last-seen time goes to this connection's slot, apart from the row (V16__artifact_seen.sql): the latest
        // presence each artifact is asserted at here
        Map<UUID, OffsetDateTime> seen = new HashMap<>();
        Set<UUID> mayBeGone = new HashSet<>();
        byId.forEach((id, list) -> list.forEach(a -> {
            if (a.spec().gone()) {
                mayBeGone.add(id);
            } else {
                seen.merge(id, a.source().observedAt(), Merges::latest);
            }
        }));
        return Db.sendAhead(artifacts.lockForWrite(tx, byId.keySet(), mayBeGone), () -> artifacts.readAll(tx, byId.keySet()))
                .compose(stored -> {
                    // a stored artifact the assertions change in nothing the log shows (nor its gone time) needs no row lock:
                    // only its last-seen time moves. The others are locked, merged and logged as before.
                    Map<UUID, List<ArtifactItem>> changing = new LinkedHashMap<>();
                    byId.forEach((id, list) -> {
                        Artifact old = stored.get(id);
                        if (old == null) {
                            changing.put(id, list);
                            return;
                        }
                        Artifact row = old;
                        for (ArtifactItem item : list) {
                            row = Merges.artifact(row, item.spec(), item.source().observedAt());
                        }
                        if (!ChangeLog.diff(Snapshots.of(old), Snapshots.of(row)).isEmpty()) {
                            changing.put(id, list);
                        } else if (old.seenAt() != null && !seen.getOrDefault(id, old.seenAt()).isAfter(old.seenAt())) {
                            seen.remove(id); // seen as late before: nothing to write
                        }
                    });
                    Future<?> rows = changing.isEmpty() ? Future.succeededFuture()
                            : upsertAll(tx, changing, artifacts::lockAll, artifacts::insertAll, artifacts::updateAll,
                            first -> Merges.artifact(first.spec(), first.source().observedAt()),
                            (old, item) -> Merges.artifact(old, item.spec(), item.source().observedAt()), Snapshots::of, (a, b) -> false,
                            NodeType.ARTIFACT);
                    return rows.compose(x -> Db.sendAhead(artifacts.see(tx, seen), next));
                });
    }

    // ------------------------------------------------------------------ edges, provenance, facets, tags

    /** Links the runs to their inputs and outputs and records the provenance, then runs {@code next}, sent along. */
    private Future<Void> linkAndAssert(SqlConnection tx, List<Item> items, Upserted<Run> runRows, java.util.function.Supplier<Future<Void>> next) {
        Map<Edge, Item> owners = new LinkedHashMap<>();
        Map<Edge, OffsetDateTime> since = new HashMap<>();
        Map<String, Map<UUID, String>> subjects = new LinkedHashMap<>();
        Map<String, Source> sources = new LinkedHashMap<>();
        for (Item i : items) {
            RunSpec s = i.spec();
            UUID cv = codeVersionId(i);
            List<Edge> runEdges = Merges.runEdges(s, s.id(), cv, s.inputs().stream().map(ArtifactSpec::id).toList(),
                    s.outputs().stream().map(ArtifactSpec::id).toList(), i.source().observedAt());
            for (Edge e : runEdges) {
                Edge k = key(e);
                owners.putIfAbsent(k, i);
                // of an edge asserted twice in the batch, the earliest since: what writing them one by one would leave
                since.merge(k, e.since(), (a, b) -> b.isBefore(a) ? b : a);
            }
            sources.putIfAbsent(i.source().name(), i.source());
            Map<UUID, String> bySource = subjects.computeIfAbsent(i.source().name(), k -> new LinkedHashMap<>());
            String runExternalId = i.source().externalId() != null ? i.source().externalId() : s.externalId();
            bySource.putIfAbsent(s.id(), runExternalId == null ? "" : runExternalId);
            if (cv != null) {
                bySource.putIfAbsent(cv, "");
            }
            s.inputs().forEach(a -> bySource.putIfAbsent(a.id(), ""));
            s.outputs().forEach(a -> bySource.putIfAbsent(a.id(), ""));
            runEdges.forEach(e -> bySource.putIfAbsent(e.id(), ""));
        }
        List<Edge> all = new ArrayList<>();
        owners.keySet().forEach(k -> all.add(new Edge(k.from(), k.to(), k.kind(), since.get(k), null)));
        return lineage.link(tx, all).compose(created -> {
            Map<UUID, List<Edge>> byRun = new LinkedHashMap<>();
            Map<UUID, Source> linkedBy = new LinkedHashMap<>();
            for (Edge e : created) {
                UUID run = e.kind().from() == NodeType.RUN ? e.from() : e.to();
                byRun.computeIfAbsent(run, k -> new ArrayList<>()).add(e);
                linkedBy.putIfAbsent(run, owners.get(key(e)).source());
            }
            List<ChangeLog.Entry> entries = new ArrayList<>();
            byRun.forEach((run, list) -> entries.add(new ChangeLog.Entry(linkedBy.get(run), run, NodeType.RUN, "LINKED", null,
                    Merges.linked(run, list))));
            // the log, the provenance (a statement per source) and what comes next: nothing here needs another's answer
            List<Future<?>> sent = new ArrayList<>();
            sent.add(changes.appendAll(tx, entries));
            for (var e : subjects.entrySet()) {
                List<Subject> list = new ArrayList<>();
                e.getValue().forEach((id, ext) -> list.add(new Subject(id, ext.isEmpty() ? null : ext)));
                sent.add(assertions.assertAll(tx, sources.get(e.getKey()), list));
            }
            sent.add(next.get());
            return Future.all(sent).<Void>mapEmpty();
        });
    }

    private static Edge key(Edge e) {
        return new Edge(e.from(), e.to(), e.kind(), null, null);
    }

    /** Run, job and artifact facets, in one put: their documents are stored in one statement (see {@link FacetStore#putAll}). */
    private Future<Void> putFacets(SqlConnection tx, List<Item> items, Set<UUID> createdRuns) {
        List<FacetStore.RunFacets> runFacets = new ArrayList<>();
        List<FacetStore.JobFacets> jobFacets = new ArrayList<>();
        List<FacetStore.ArtifactFacets> artifactFacets = new ArrayList<>();
        for (Item i : items) {
            RunSpec s = i.spec();
            for (List<ArtifactSpec> io : List.of(s.inputs(), s.outputs())) {
                for (ArtifactSpec a : io) {
                    if (!a.facets().isEmpty()) {
                        artifactFacets.add(new FacetStore.ArtifactFacets(a.id(),
                                a.createdAt() != null ? a.createdAt() : i.source().observedAt(), a.facets()));
                    }
                }
            }
            OffsetDateTime at = s.eventTime(i.source().observedAt());
            if (!s.facets().isEmpty()) {
                runFacets.add(new FacetStore.RunFacets(s.id(), at, s.facets()));
            }
            if (!s.jobFacets().isEmpty()) {
                jobFacets.add(new FacetStore.JobFacets(new FacetStore.Job(s.namespace(), s.pipeline()), at, s.jobFacets()));
            }
        }
        // the facet rows of runs this transaction inserted are inserted plainly, not upserted (see FacetStore#putAll)
        return facets.putAll(tx, runFacets, jobFacets, artifactFacets, createdRuns);
    }

    /** Tags are rare on batched runs: merged one run at a time, as the one-by-one write does. */
    private Future<Void> mergeTags(SqlConnection tx, List<Item> items) {
        Future<Void> chain = Future.succeededFuture();
        for (Item i : items) {
            if (!i.spec().tags().isEmpty()) {
                chain = chain.compose(x -> writer.mergeRunTags(tx, i.source(), i.spec().id(), i.spec().tags()));
            }
        }
        return chain;
    }

    // ------------------------------------------------------------------ the batched upsert

    /**
     * Locks the rows that exist (in id order), folds each row's assertions into it in batch order, inserts
     * the new rows and updates the changed ones, one statement each, and logs what changed. A row another
     * transaction created meanwhile (the insert found it) is locked and merged in a second pass.
     */
    /** The rows as they were before a batched upsert (those that existed), after it (all), and those it inserted. */
    private record Upserted<T>(Map<UUID, T> before, Map<UUID, T> after, Set<UUID> created) {
    }

    private <T extends io.mlcatalog.server.model.Entity, I> Future<Upserted<T>> upsertAll(
            SqlConnection tx, Map<UUID, List<I>> byId,
            BiFunction<SqlConnection, Set<UUID>, Future<Map<UUID, T>>> lockAll,
            BiFunction<SqlConnection, List<T>, Future<Set<UUID>>> insertAll,
            BiFunction<SqlConnection, List<T>, Future<Void>> updateAll,
            Function<I, T> create, BiFunction<T, I, T> merge, Function<T, Map<String, Object>> snapshot,
            java.util.function.BiPredicate<T, T> quietChange, NodeType type) {
        return lockAll.apply(tx, byId.keySet()).compose(existing -> {
            List<T> inserts = new ArrayList<>();
            Map<UUID, I> firstOf = new LinkedHashMap<>();
            for (var e : byId.entrySet()) {
                if (!existing.containsKey(e.getKey())) {
                    T row = create.apply(e.getValue().get(0));
                    for (I item : e.getValue().subList(1, e.getValue().size())) {
                        row = merge.apply(row, item);
                    }
                    inserts.add(row);
                    firstOf.put(e.getKey(), e.getValue().get(0));
                }
            }
            return insertAll.apply(tx, inserts).compose(inserted -> {
                List<ChangeLog.Entry> log = new ArrayList<>();
                for (T row : inserts) {
                    if (inserted.contains(row.id())) {
                        log.add(new ChangeLog.Entry(source(firstOf.get(row.id())), row.id(), type, "CREATED", null, snapshot.apply(row)));
                    }
                }
                Set<UUID> raced = new HashSet<>(firstOf.keySet());
                raced.removeAll(inserted);
                Future<Map<UUID, T>> racedRows = raced.isEmpty() ? Future.succeededFuture(Map.of()) : lockAll.apply(tx, raced);
                return racedRows.compose(lateRows -> {
                    Map<UUID, T> toMerge = new LinkedHashMap<>(existing);
                    toMerge.putAll(lateRows);
                    Map<UUID, T> after = new LinkedHashMap<>();
                    inserts.forEach(r -> after.put(r.id(), r));
                    List<T> updates = new ArrayList<>();
                    for (var e : toMerge.entrySet()) {
                        T old = e.getValue();
                        T row = old;
                        for (I item : byId.get(e.getKey())) {
                            row = merge.apply(row, item);
                        }
                        after.put(row.id(), row);
                        ChangeLog.Diff diff = ChangeLog.diff(snapshot.apply(old), snapshot.apply(row));
                        if (diff.isEmpty() && quietChange.test(old, row)) {
                            updates.add(row); // written, not logged: only what the log does not show moved
                        } else if (!diff.isEmpty()) {
                            updates.add(row);
                            log.add(new ChangeLog.Entry(source(byId.get(e.getKey()).get(0)), row.id(), type, "UPDATED", diff.before(),
                                    diff.after()));
                        }
                    }
                    return Db.sendAhead(updateAll.apply(tx, updates), () -> changes.appendAll(tx, log))
                            .map(x -> new Upserted<>(toMerge, after, Set.copyOf(inserted)));
                });
            });
        });
    }

    private static Source source(Object item) {
        if (item instanceof Item i) {
            return i.source();
        }
        return ((ArtifactItem) item).source();
    }
}
