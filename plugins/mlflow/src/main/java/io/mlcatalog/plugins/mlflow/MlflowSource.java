package io.mlcatalog.plugins.mlflow;

import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.AliasRecord;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.spi.record.RunIoRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads MLflow through a {@link Tracking}: the runs of each experiment, its logged models, then the model registry.
 *
 * <p><b>Runs.</b> Per experiment, the checkpoint holds the position of the newest run read (its start time and id:
 * {@code after}, {@code afterId}), the runs not ended yet ({@code pending}: read again every poll until they end, or
 * until they have run for {@code staleAfter}) and the update time of the newest logged model read ({@code models}). A
 * poll reads at most {@code maxRunsPerPoll} new runs, oldest first; the next poll goes on from there. Once it has caught
 * up, it also reads the runs that started within {@code lookBack} before the newest one: MLflow's start times come
 * from the clients' clocks, so a run created late may carry an earlier time. A run is written again only when what
 * MLflow says of it changed since this process last wrote it.
 *
 * <p><b>Registry.</b> Each model's checkpoint holds a digest of each of its versions as last written ({@code v:<n>})
 * and its aliases ({@code a:<alias>}). Every poll lists the versions (MLflow keeps no time of last change for a tag set
 * later) and writes those whose digest changed. MLflow keeps an alias's present only: an alias is recorded from when a
 * poll first sees it (or sees it moved), and ended when a poll sees it removed (or its model deleted).
 *
 * <p><b>What fails.</b> The experiments not listed: the poll fails (nothing is written). One experiment's runs or the
 * registry not read: said as a {@link RecordSink#problem problem}, its checkpoint left where it was, the rest written.
 * A record the catalog refuses (a protected alias this instance may not move, say) is skipped and reported alone
 * ({@link Atomicity#PER_RECORD}).
 */
final class MlflowSource implements IngestSource {
    /** Runs read by the look-back at most, per experiment and poll. */
    private static final int LATE_LIMIT = 50_000;
    /** What this process last wrote of each run and logged model (by key), kept for this many of them. */
    private static final int WRITTEN_CACHE = 200_000;

    private final SourceContext context;
    private final Tracking tracking;
    private final RecordMapper mapper;
    private final Set<String> experimentFilter;
    private final boolean registry;
    private final int maxRunsPerPoll;
    private final Duration lookBack;
    private final Duration staleAfter;
    /** run id (or "model:" + logged model id) → digest of the records last written for it */
    private final Map<String, Integer> written = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > WRITTEN_CACHE;
        }
    };
    /** This poll's emissions not written yet: the key and digest of each, by the index of its last record. */
    private final Map<Integer, Map.Entry<String, Integer>> emittedThisPoll = new HashMap<>();
    private int emittedCount;

    MlflowSource(SourceContext context, Tracking tracking, String namespace, Set<String> experiments, boolean registry,
                 int maxRunsPerPoll, Duration lookBack, Duration staleAfter) {
        this.context = context;
        this.tracking = tracking;
        this.mapper = new RecordMapper(namespace);
        this.experimentFilter = experiments;
        this.registry = registry;
        this.maxRunsPerPoll = maxRunsPerPoll;
        this.lookBack = lookBack;
        this.staleAfter = staleAfter;
    }

    @Override
    public Atomicity atomicity() {
        return Atomicity.PER_RECORD;
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        emittedThisPoll.clear();
        emittedCount = 0;
        Tracking.Listing<Tracking.Experiment> all = tracking.experiments();
        all.skipped().forEach((id, why) -> sink.problem("experiment " + id + " skipped, read again next poll: " + why));
        Map<String, Tracking.Experiment> byId = new HashMap<>();
        all.items().forEach(e -> byId.put(e.id(), e)); // a parent run may be in an experiment not read
        List<Tracking.Experiment> experiments = all.items().stream()
                .filter(e -> !"deleted".equals(e.lifecycleStage()))
                .filter(e -> experimentFilter.isEmpty() || experimentFilter.contains(e.name()) || experimentFilter.contains(e.id()))
                .toList();
        Poll poll = new Poll(sink, byId);
        int budget = maxRunsPerPoll;
        for (Tracking.Experiment experiment : experiments) {
            budget -= readExperiment(experiment, Math.max(budget, 0), poll);
        }
        if (registry) {
            readRegistry(poll);
        }
    }

    /** What one poll knows so far: the runs it read (for their artifact URIs), and where it emits. */
    private final class Poll {
        final RecordSink sink;
        final Map<String, Tracking.Experiment> experiments;
        final Map<String, Tracking.Run> runs = new HashMap<>();
        /** ids of the runs this poll emitted or knows written (so that a child's parent is) */
        final Set<String> done = new HashSet<>();
        final Map<String, Optional<Tracking.Run>> fetched = new HashMap<>();

        Poll(RecordSink sink, Map<String, Tracking.Experiment> experiments) {
            this.sink = sink;
            this.experiments = experiments;
        }

        /** Emits the records of one thing (a run, a logged model) unless this process wrote exactly them already. */
        void emit(String key, List<? extends MetadataRecord> records) {
            int digest = records.hashCode();
            if (Objects.equals(written.get(key), digest)) {
                return;
            }
            for (MetadataRecord r : records) {
                sink.emit(r);
                emittedCount++;
            }
            emittedThisPoll.put(emittedCount - 1, Map.entry(key, digest));
        }

        /** A run by id, read once per poll; empty when MLflow has none (or it is deleted), or could not be read (said). */
        Optional<Tracking.Run> fetch(String runId) throws IOException {
            Tracking.Run known = runs.get(runId);
            if (known != null) {
                return Optional.of(known);
            }
            Optional<Tracking.Run> run = fetched.get(runId);
            if (run == null) {
                run = tracking.run(runId);
                fetched.put(runId, run);
            }
            return run;
        }
    }

    @Override
    public void committed(List<InvalidRecordException> rejected) {
        Set<Integer> refused = new HashSet<>();
        rejected.forEach(e -> refused.add(e.index()));
        // a run's records are remembered as written only when none of them was refused
        int first = 0;
        for (int last : new TreeSet<>(emittedThisPoll.keySet())) {
            boolean ok = true;
            for (int i = first; i <= last; i++) {
                ok &= !refused.contains(i);
            }
            if (ok) {
                Map.Entry<String, Integer> e = emittedThisPoll.get(last);
                written.put(e.getKey(), e.getValue());
            }
            first = last + 1;
        }
        emittedThisPoll.clear();
    }

    /** Emits an experiment's runs and logged models; returns how many new runs it read. */
    private int readExperiment(Tracking.Experiment experiment, int budget, Poll poll) {
        RecordSink sink = poll.sink;
        Map<String, String> partition = Map.of("experiment", experiment.id());
        Map<String, String> offset = context.checkpoints().offset(partition).orElse(Map.of());
        long after = number(offset.get("after"));
        String afterId = blankToNull(offset.get("afterId"));
        long modelsAfter = number(offset.get("models"));
        Set<String> pending = new TreeSet<>(split(offset.get("pending")));
        Tracking.Listing<Tracking.Run> fresh;
        List<Tracking.Run> late = List.of();
        Tracking.Listing<Tracking.Run> again;
        Tracking.Listing<Tracking.LoggedModel> models;
        try {
            fresh = budget > 0 ? tracking.runs(experiment, after, afterId, budget) : Tracking.Listing.of(List.of());
            boolean caughtUp = fresh.items().size() < budget;
            if (caughtUp && (after > 0 || afterId != null)) {
                late = tracking.runs(experiment, Math.max(0, after - lookBack.toMillis()), null, LATE_LIMIT).items().stream()
                        .filter(r -> (r.startTime() == null ? 0 : r.startTime()) <= after).toList();
            }
            Set<String> ids = new TreeSet<>(pending);
            fresh.items().forEach(r -> ids.remove(r.id()));
            again = ids.isEmpty() ? Tracking.Listing.of(List.of()) : tracking.runsById(experiment, ids);
            models = tracking.loggedModels(experiment, modelsAfter);
        } catch (IOException e) {
            sink.problem("experiment " + experiment.name() + " (" + experiment.id() + ") not read, read again next poll: " + e.getMessage());
            return 0;
        }
        // a run that could not be read is read again next poll, as one that has not ended is
        // (the file store names a damaged run in every listing of its experiment: it is told once)
        Map<String, String> skipped = new TreeMap<>(fresh.skipped());
        skipped.putAll(again.skipped());
        Set<String> stillPending = new TreeSet<>(skipped.keySet());
        skipped.forEach((id, why) -> sink.problem("run " + id + " skipped, read again next poll: " + why));
        models.skipped().forEach((id, why) -> sink.problem("logged model " + id + " skipped, read again next poll: " + why));

        Map<String, Tracking.Run> read = new LinkedHashMap<>();
        List<Tracking.Run> all = new ArrayList<>(late);
        all.addAll(fresh.items());
        all.addAll(again.items());
        all.stream().sorted(Comparator.comparing((Tracking.Run r) -> start(r)).thenComparing(Tracking.Run::id)).forEach(r -> read.put(r.id(), r));
        poll.runs.putAll(read);
        long staleBefore = context.clock().millis() - staleAfter.toMillis();
        for (Tracking.Run run : read.values()) {
            if (!emitRun(run, experiment, poll, new HashSet<>())) {
                stillPending.add(run.id()); // its parent could not be read: it is written again with it next poll
            }
            if (!RecordMapper.ended(run) && start(run) >= staleBefore) {
                stillPending.add(run.id());
            }
        }
        long newestModel = modelsAfter;
        for (Tracking.LoggedModel m : models.items()) {
            String uri = RecordMapper.location(m.artifactLocation());
            if (uri == null || "deleted".equals(m.lifecycleStage())) {
                continue;
            }
            ArtifactRecord artifact = mapper.loggedModel(m, uri);
            poll.emit("model:" + m.id(), List.of(m.sourceRunId() == null || m.sourceRunId().isBlank() ? artifact
                    : new RunIoRecord(mapper.ref(m.sourceRunId().strip()), artifact, RunIoRecord.Direction.PRODUCED, m.id(), null).awaitingRun()));
            if (m.updated() != null && m.updated() > newestModel) {
                newestModel = m.updated();
            }
        }
        // the position moves with the new runs read, in (start time, id) order
        long nextAfter = after;
        String nextAfterId = afterId;
        for (Tracking.Run r : fresh.items()) {
            if (start(r) > nextAfter || start(r) == nextAfter && (nextAfterId == null || r.id().compareTo(nextAfterId) > 0)) {
                nextAfter = start(r);
                nextAfterId = r.id();
            }
        }
        Map<String, String> next = new LinkedHashMap<>();
        next.put("after", Long.toString(nextAfter));
        if (nextAfterId != null) {
            next.put("afterId", nextAfterId);
        }
        next.put("pending", String.join(",", stillPending));
        next.put("models", Long.toString(models.skipped().isEmpty() ? newestModel : modelsAfter));
        sink.checkpoint(partition, next);
        return fresh.items().size();
    }

    /**
     * Emits a run after its parent (MLflow's nested runs: {@code mlflow.parentRunId}), which the catalog needs recorded
     * first. A parent not in this poll (it ended in an earlier one, or is in another experiment) is read by its id and
     * written again if it changed; one MLflow no longer has (or has deleted) leaves the run without a parent (its tag
     * still names it). Returns false when the parent could not be read (the run is written without it, for now).
     */
    private boolean emitRun(Tracking.Run run, Tracking.Experiment experiment, Poll poll, Set<String> path) {
        if (poll.done.contains(run.id()) || !path.add(run.id())) {
            return true; // written already, or a cycle of parents (MLflow does not prevent one)
        }
        boolean parentRead = true;
        String parentId = run.tags().get(RecordMapper.PARENT_RUN_ID);
        boolean parentKnown = false;
        if (parentId != null && !parentId.isBlank() && !parentId.equals(run.id())) {
            Tracking.Run parent = null;
            try {
                parent = poll.fetch(parentId).orElse(null);
            } catch (IOException e) {
                poll.sink.problem("run " + run.id() + ": its parent run " + parentId + " not read, read again next poll: " + e.getMessage());
                parentRead = false;
            }
            if (parent != null) {
                Tracking.Experiment parentExperiment = poll.experiments.getOrDefault(parent.experimentId(), new Tracking.Experiment(
                        parent.experimentId(), "experiment " + parent.experimentId(), null, "active"));
                emitRun(parent, parentExperiment, poll, path);
            }
            parentKnown = poll.done.contains(parentId);
        }
        List<MetadataRecord> records = new ArrayList<>();
        mapper.codeVersion(run).ifPresent(records::add);
        records.add(mapper.run(run, experiment, parentKnown));
        poll.emit(run.id(), records);
        poll.done.add(run.id());
        return parentRead;
    }

    private void readRegistry(Poll poll) {
        RecordSink sink = poll.sink;
        Tracking.Listing<Tracking.RegisteredModel> models;
        Tracking.Listing<Tracking.ModelVersion> versions;
        try {
            models = tracking.registeredModels();
            versions = tracking.modelVersions();
        } catch (IOException e) {
            sink.problem("model registry not read, read again next poll: " + e.getMessage());
            return;
        }
        models.skipped().forEach((name, why) -> sink.problem("registered model " + name + " skipped, read again next poll: " + why));
        versions.skipped().forEach((key, why) -> sink.problem("model version " + key + " skipped, read again next poll: " + why));
        Map<String, Tracking.RegisteredModel> registered = new TreeMap<>();
        models.items().stream().filter(m -> !m.isPrompt()).forEach(m -> registered.put(m.name(), m));
        Map<String, List<Tracking.ModelVersion>> byModel = new TreeMap<>();
        for (Tracking.ModelVersion v : versions.items()) {
            if (registered.containsKey(v.model()) && !"Deleted_Internal".equals(v.stage())) {
                byModel.computeIfAbsent(v.model(), k -> new ArrayList<>()).add(v);
            }
        }
        Map<String, Map<String, String>> before = new TreeMap<>();
        context.checkpoints().all().forEach((partition, offset) -> {
            if (partition.size() == 1 && partition.containsKey("model")) {
                before.put(partition.get("model"), offset);
            }
        });
        Set<String> names = new LinkedHashSet<>(registered.keySet());
        names.addAll(before.keySet());
        names.removeAll(models.skipped().keySet()); // not read this time: as they were
        Instant now = context.clock().instant();
        for (String model : names) {
            Map<String, String> was = before.getOrDefault(model, Map.of());
            Map<String, String> next = new TreeMap<>();
            // the versions: written when what MLflow says of one changed
            Set<String> present = new HashSet<>();
            List<Tracking.ModelVersion> list = new ArrayList<>(byModel.getOrDefault(model, List.of())); // none: a model with no version yet
            list.sort(Comparator.comparingLong(v -> number(v.version())));
            for (Tracking.ModelVersion v : list) {
                present.add(v.version());
                String key = "v:" + v.version();
                String uri;
                try {
                    uri = RecordMapper.location(versionUri(v, poll));
                } catch (IOException e) {
                    sink.problem("model version " + model + "/" + v.version() + " skipped, read again next poll: " + e.getMessage());
                    if (was.containsKey(key)) {
                        next.put(key, was.get(key));
                    }
                    continue;
                }
                String digest = digest(v, uri);
                if (!digest.equals(was.get(key))) {
                    sink.emit(mapper.modelVersion(v, uri));
                    emittedCount++;
                }
                next.put(key, digest);
            }
            // versions the listing skipped (damaged) keep their digest, so that they are read again
            was.forEach((k, d) -> {
                if (k.startsWith("v:") && versions.skipped().containsKey(model + "/" + k.substring(2))) {
                    next.put(k, d);
                    present.add(k.substring(2));
                }
            });
            // the aliases: recorded as they appear, move and go, each only to a version written
            Tracking.RegisteredModel m = registered.get(model);
            Map<String, String> current = m == null ? Map.of() : m.aliases();
            Set<String> aliases = new TreeSet<>();
            was.keySet().stream().filter(k -> k.startsWith("a:")).forEach(k -> aliases.add(k.substring(2)));
            aliases.addAll(current.keySet());
            for (String alias : aliases) {
                String version = current.get(alias);
                String old = was.get("a:" + alias);
                if (version != null && (!next.containsKey("v:" + version) || versions.skipped().containsKey(model + "/" + version))) {
                    if (old != null) {
                        next.put("a:" + alias, old); // its version was not read: as it was, until it is
                    }
                    sink.problem("alias " + model + "@" + alias + " not moved to version " + version + ", which was not read; read again next poll");
                    continue;
                }
                if (!Objects.equals(version, old)) {
                    sink.emit(new AliasRecord(mapper.namespace(), model, alias, version, now, null, null));
                    emittedCount++;
                }
                if (version != null) {
                    next.put("a:" + alias, version);
                }
            }
            if (!next.equals(was) || !before.containsKey(model)) {
                sink.checkpoint(Map.of("model", model), next);
            }
        }
    }

    /**
     * Where a version's model files are: MLflow 3's resolved storage location (in its SQL and file stores), else its
     * source: {@code models:/m-…} read as that logged model's location, {@code runs:/<run>/<path>} as the run's artifact
     * URI and the path; anything else as it is.
     */
    private String versionUri(Tracking.ModelVersion v, Poll poll) throws IOException {
        if (v.storageLocation() != null && !v.storageLocation().isBlank()) {
            return v.storageLocation().strip();
        }
        String source = v.source() == null ? null : v.source().strip();
        if (source == null || source.isEmpty()) {
            return null;
        }
        if (source.startsWith("models:/m-")) {
            String id = source.substring("models:/".length());
            int slash = id.indexOf('/');
            Optional<Tracking.LoggedModel> model = tracking.loggedModel(slash < 0 ? id : id.substring(0, slash));
            if (model.isPresent() && model.get().artifactLocation() != null) {
                return RecordMapper.trimSlash(model.get().artifactLocation()) + (slash < 0 ? "" : id.substring(slash));
            }
            return source;
        }
        if (source.startsWith("runs:/")) {
            String rest = source.substring("runs:/".length());
            int slash = rest.indexOf('/');
            String runId = slash < 0 ? rest : rest.substring(0, slash);
            Optional<Tracking.Run> run = poll.fetch(runId);
            if (run.isPresent() && run.get().artifactUri() != null) {
                String base = RecordMapper.trimSlash(run.get().artifactUri());
                return slash < 0 || slash == rest.length() - 1 ? base : base + "/" + RecordMapper.trimSlash(rest.substring(slash + 1));
            }
        }
        return source;
    }

    /** A digest of what MLflow says of a version, stable across restarts (kept in the checkpoint). */
    static String digest(Tracking.ModelVersion v, String uri) {
        StringBuilder s = new StringBuilder();
        for (Object part : new Object[] {v.model(), v.version(), v.created(), v.description(), v.stage(), v.status(), v.runId(), uri}) {
            s.append(part).append('\u0000');
        }
        new TreeMap<>(v.tags()).forEach((k, value) -> s.append(k).append('=').append(value).append('\u0000'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long start(Tracking.Run r) {
        return r.startTime() == null ? 0 : r.startTime();
    }

    private static long number(String s) {
        if (s == null || s.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static List<String> split(String s) {
        List<String> ids = new ArrayList<>();
        if (s != null) {
            for (String id : s.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.strip());
                }
            }
        }
        return ids;
    }

    @Override
    public void close() {
        tracking.close();
    }
}
