package io.mlcatalog.plugins.mlflow;

import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.AliasRecord;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.RunIoRecord;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads MLflow through a {@link Tracking}: the runs of each experiment, its logged models, then the model registry.
 *
 * <p><b>Incremental.</b> Per experiment, the checkpoint holds the start time of the newest run read ({@code after}),
 * the runs not ended yet ({@code pending}: read again every poll until they end) and the update time of the newest
 * logged model read. The registry's checkpoint holds the update time of the newest version read; each model's, the
 * aliases it had at the last poll. A poll reads at most {@code maxRunsPerPoll} runs, oldest first; the next poll goes on
 * from there. What is logged to a run after it ended is not read again (the docs say so).
 *
 * <p><b>Aliases.</b> MLflow keeps an alias's present only. An alias is recorded from when a poll first sees it (or sees
 * it moved), and ended when a poll sees it removed (or its model deleted).
 *
 * <p><b>What fails.</b> The experiments not listed: the poll fails (nothing is written). One experiment's runs or the
 * registry not read: said as a {@link RecordSink#problem problem}, its checkpoint left where it was, the rest written.
 */
final class MlflowSource implements IngestSource {
    static final Map<String, String> REGISTRY = Map.of("registry", "versions");

    private final SourceContext context;
    private final Tracking tracking;
    private final RecordMapper mapper;
    private final Set<String> experimentFilter;
    private final boolean registry;
    private final int maxRunsPerPoll;

    MlflowSource(SourceContext context, Tracking tracking, String namespace, Set<String> experiments, boolean registry,
                 int maxRunsPerPoll) {
        this.context = context;
        this.tracking = tracking;
        this.mapper = new RecordMapper(namespace);
        this.experimentFilter = experiments;
        this.registry = registry;
        this.maxRunsPerPoll = maxRunsPerPoll;
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        Tracking.Listing<Tracking.Experiment> all = tracking.experiments();
        all.skipped().forEach((id, why) -> sink.problem("experiment " + id + " skipped, read again next poll: " + why));
        Map<String, Tracking.Experiment> byId = new HashMap<>();
        all.items().forEach(e -> byId.put(e.id(), e)); // a parent run may be in an experiment not read
        List<Tracking.Experiment> experiments = all.items().stream()
                .filter(e -> !"deleted".equals(e.lifecycleStage()))
                .filter(e -> experimentFilter.isEmpty() || experimentFilter.contains(e.name()) || experimentFilter.contains(e.id()))
                .toList();
        // artifact URIs of the runs read in this poll, for versions registered from runs:/<id>/<path>
        Map<String, String> artifactUris = new HashMap<>();
        Set<String> emitted = new HashSet<>();
        int budget = maxRunsPerPoll;
        for (Tracking.Experiment experiment : experiments) {
            if (budget <= 0) {
                break; // the next poll goes on with the rest
            }
            budget -= readExperiment(experiment, byId, budget, artifactUris, emitted, sink);
        }
        if (registry) {
            readRegistry(artifactUris, sink);
        }
    }

    /** Emits an experiment's runs and logged models; returns how many runs it read. */
    private int readExperiment(Tracking.Experiment experiment, Map<String, Tracking.Experiment> experiments, int budget,
                               Map<String, String> artifactUris, Set<String> emitted, RecordSink sink) {
        Map<String, String> partition = Map.of("experiment", experiment.id());
        Map<String, String> offset = context.checkpoints().offset(partition).orElse(Map.of());
        long after = number(offset.get("after"));
        long modelsAfter = number(offset.get("models"));
        Set<String> pending = new TreeSet<>(split(offset.get("pending")));
        Tracking.Listing<Tracking.Run> runs;
        Tracking.Listing<Tracking.LoggedModel> models;
        try {
            runs = tracking.runs(experiment, after, pending, budget);
            models = tracking.loggedModels(experiment, modelsAfter);
        } catch (IOException e) {
            sink.problem("experiment " + experiment.name() + " (" + experiment.id() + ") not read, read again next poll: " + e.getMessage());
            return 0;
        }
        // a run that could not be read is read again next poll, as one that has not ended is
        Set<String> stillRunning = new TreeSet<>(runs.skipped().keySet());
        runs.skipped().forEach((id, why) -> sink.problem("run " + id + " skipped, read again next poll: " + why));
        models.skipped().forEach((id, why) -> sink.problem("logged model " + id + " skipped, read again next poll: " + why));
        Map<String, Tracking.Run> read = new LinkedHashMap<>();
        runs.items().stream().sorted(Comparator.comparing((Tracking.Run r) -> r.startTime() == null ? 0L : r.startTime()).thenComparing(Tracking.Run::id))
                .forEach(r -> read.put(r.id(), r));
        read.values().forEach(r -> {
            if (r.artifactUri() != null) {
                artifactUris.put(r.id(), r.artifactUri());
            }
        });
        long newest = after;
        for (Tracking.Run run : read.values()) {
            emitRun(run, experiment, experiments, read, emitted, sink, new HashSet<>());
            if (!RecordMapper.ended(run)) {
                stillRunning.add(run.id());
            }
            if (run.startTime() != null && run.startTime() > newest) {
                newest = run.startTime();
            }
        }
        long newestModel = modelsAfter;
        for (Tracking.LoggedModel m : models.items()) {
            if (m.artifactLocation() == null || m.artifactLocation().isBlank() || "deleted".equals(m.lifecycleStage())) {
                continue;
            }
            ArtifactRecord artifact = mapper.loggedModel(m);
            if (m.sourceRunId() != null && !m.sourceRunId().isBlank()) {
                sink.emit(new RunIoRecord(mapper.ref(m.sourceRunId().strip()), artifact, RunIoRecord.Direction.PRODUCED, m.id(), null)
                        .awaitingRun());
            } else {
                sink.emit(artifact);
            }
            if (m.updated() != null && m.updated() > newestModel) {
                newestModel = m.updated();
            }
        }
        Map<String, String> next = new LinkedHashMap<>();
        next.put("after", Long.toString(newest));
        next.put("pending", String.join(",", stillRunning));
        next.put("models", Long.toString(models.skipped().isEmpty() ? newestModel : modelsAfter));
        sink.checkpoint(partition, next);
        return read.size();
    }

    /**
     * Emits a run after its parent (MLflow's nested runs: {@code mlflow.parentRunId}), which the catalog needs recorded
     * first. A parent not in this poll (it ended in an earlier one, or is in another experiment) is read by its id and
     * written again, which changes nothing if it was; one MLflow no longer has leaves the run without a parent (its tag
     * still names it).
     */
    private void emitRun(Tracking.Run run, Tracking.Experiment experiment, Map<String, Tracking.Experiment> experiments,
                         Map<String, Tracking.Run> read, Set<String> emitted, RecordSink sink, Set<String> path) {
        if (emitted.contains(run.id()) || !path.add(run.id())) {
            return; // written already, or a cycle of parents (MLflow does not prevent one)
        }
        String parentId = run.tags().get(RecordMapper.PARENT_RUN_ID);
        boolean parentKnown = false;
        if (parentId != null && !parentId.isBlank() && !parentId.equals(run.id())) {
            Tracking.Run parent = read.get(parentId);
            if (parent == null && !emitted.contains(parentId)) {
                parent = fetch(parentId, sink).orElse(null);
            }
            if (parent != null) {
                Tracking.Experiment parentExperiment = experiments.getOrDefault(parent.experimentId(), new Tracking.Experiment(
                        parent.experimentId(), "experiment " + parent.experimentId(), null, "active"));
                emitRun(parent, parentExperiment, experiments, read, emitted, sink, path);
            }
            parentKnown = emitted.contains(parentId);
        }
        mapper.codeVersion(run).ifPresent(sink::emit);
        sink.emit(mapper.run(run, experiment, parentKnown));
        emitted.add(run.id());
    }

    private Optional<Tracking.Run> fetch(String runId, RecordSink sink) {
        try {
            return tracking.run(runId);
        } catch (IOException e) {
            sink.problem("parent run " + runId + " not read (its child is recorded without it): " + e.getMessage());
            return Optional.empty();
        }
    }

    private void readRegistry(Map<String, String> artifactUris, RecordSink sink) {
        Map<String, String> offset = context.checkpoints().offset(REGISTRY).orElse(Map.of());
        long after = number(offset.get("after"));
        Set<String> atAfter = new HashSet<>(split(offset.get("at")));
        Tracking.Listing<Tracking.RegisteredModel> models;
        Tracking.Listing<Tracking.ModelVersion> versions;
        try {
            models = tracking.registeredModels();
            versions = tracking.modelVersions(after);
        } catch (IOException e) {
            sink.problem("model registry not read, read again next poll: " + e.getMessage());
            return;
        }
        models.skipped().forEach((name, why) -> sink.problem("registered model " + name + " skipped, read again next poll: " + why));
        versions.skipped().forEach((key, why) -> sink.problem("model version " + key + " skipped, read again next poll: " + why));
        Set<String> prompts = new HashSet<>();
        Map<String, Tracking.RegisteredModel> registered = new TreeMap<>();
        for (Tracking.RegisteredModel m : models.items()) {
            if (m.isPrompt()) {
                prompts.add(m.name());
            } else {
                registered.put(m.name(), m);
            }
        }
        long newest = after;
        Set<String> atNewest = new TreeSet<>(atAfter);
        Map<String, Optional<String>> fetchedUris = new HashMap<>();
        List<Tracking.ModelVersion> sorted = versions.items().stream()
                .sorted(Comparator.comparing(Tracking.ModelVersion::model).thenComparing(v -> number(v.version()))).toList();
        for (Tracking.ModelVersion v : sorted) {
            String key = v.model() + "/" + v.version();
            long updated = v.updated() == null ? 0 : v.updated();
            if (updated < after || updated == after && atAfter.contains(key)) {
                continue; // read by an earlier poll
            }
            if (updated > newest) {
                newest = updated;
                atNewest.clear();
            }
            if (updated == newest) {
                atNewest.add(key);
            }
            if (prompts.contains(v.model()) || "Deleted_Internal".equals(v.stage())) {
                continue;
            }
            String uri = RecordMapper.modelVersionUri(v, runId -> artifactUris.containsKey(runId) ? artifactUris.get(runId)
                    : fetchedUris.computeIfAbsent(runId, id -> fetch(id, sink).map(Tracking.Run::artifactUri)).orElse(null));
            sink.emit(mapper.modelVersion(v, uri));
        }
        if (versions.skipped().isEmpty()) {
            // else the versions are all read again next poll (written again, changing nothing) until the skipped one is read
            sink.checkpoint(REGISTRY, Map.of("after", Long.toString(newest), "at", String.join(",", atNewest)));
        }
        emitAliases(registered, models.skipped().keySet(), sink);
    }

    /** Records each alias that appeared, moved or went since the last poll, at this poll's time. */
    private void emitAliases(Map<String, Tracking.RegisteredModel> models, Set<String> unread, RecordSink sink) {
        Instant now = context.clock().instant();
        Map<String, Map<String, String>> before = new TreeMap<>();
        context.checkpoints().all().forEach((partition, offset) -> {
            if (partition.size() == 1 && partition.containsKey("model")) {
                before.put(partition.get("model"), offset);
            }
        });
        Set<String> names = new LinkedHashSet<>(models.keySet());
        names.addAll(before.keySet());
        names.removeAll(unread); // not read this time: their aliases are as they were
        for (String model : names) {
            Map<String, String> was = before.getOrDefault(model, Map.of());
            Tracking.RegisteredModel m = models.get(model);
            Map<String, String> current = m == null ? Map.of() : m.aliases();
            if (was.equals(current) && before.containsKey(model)) {
                continue;
            }
            Set<String> aliases = new TreeSet<>(was.keySet());
            aliases.addAll(current.keySet());
            for (String alias : aliases) {
                String version = current.get(alias);
                if (!java.util.Objects.equals(version, was.get(alias))) {
                    sink.emit(new AliasRecord(mapper.namespace(), model, alias, version, now, null, null));
                }
            }
            sink.checkpoint(Map.of("model", model), current);
        }
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
