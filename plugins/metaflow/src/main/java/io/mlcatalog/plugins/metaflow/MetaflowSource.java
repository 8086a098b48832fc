package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.spi.record.RunRecord;
import io.mlcatalog.spi.record.RunRef;
import io.mlcatalog.spi.record.RunStatus;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a Metaflow datastore: each flow run becomes a run (pipeline: the flow), each of its tasks a child run, with
 * the artifacts the task made as its outputs. Incremental per flow: the checkpoint holds the newest run read and the
 * runs still running, which are read again on every poll until they are done. A run deleted from the datastore stays
 * in the catalog.
 *
 * <p>Every task carries all the artifacts it inherited; an artifact (a value of a name and sha) is made by the first
 * task of its run that has it. Metaflow records no reads: a value of another flow's run that a task holds (the same
 * sha, of a type that is not a plain scalar, in a run that started later) is recorded as consumed from that run.
 */
final class MetaflowSource implements IngestSource {
    /** Metaflow's content digest of an artifact: the SHA-1 of its pickle (it names a value, not a file). */
    static final String DIGEST_PREFIX = "metaflow-sha1:";
    static final String MEDIA_TYPE = "application/vnd.python.pickle";
    private static final Set<String> SCALAR_TYPES = Set.of("<class 'str'>", "<class 'int'>", "<class 'float'>", "<class 'bool'>",
            "<class 'NoneType'>", "<class 'bytes'>");

    /** What the configuration says artifacts are: models (name globs, and the model's name), datasets read and written. */
    record Rules(List<Pattern> models, String model, Set<String> datasets, Set<String> outputDatasets) {
        static final Rules NONE = new Rules(List.of(), null, Set.of(), Set.of());

        boolean isModel(String artifact) {
            return models.stream().anyMatch(p -> p.matcher(artifact).matches());
        }
    }

    /** Where a value was first made: the artifact of a task of a run. */
    private record Producer(String flow, String run, Instant runStarted, String uri, String name, String sha, JsonNode info,
                            Instant createdAt) {
    }

    private final SourceContext context;
    private final Datastore datastore;
    private final String namespace;
    private final List<String> flows;
    private final Rules rules;
    /** sha → where it was made, run by run, of every run indexed so far (kept across polls; rebuilt after a restart). */
    private final Map<String, List<Producer>> producers = new HashMap<>();
    private final Set<String> indexed = new HashSet<>();
    /** run pathspec + artifact URI of every producer listed, so that a run read again (still running) is not listed twice */
    private final Set<String> listed = new HashSet<>();

    MetaflowSource(SourceContext context, Datastore datastore, String namespace, List<String> flows, Rules rules) {
        this.context = context;
        this.datastore = datastore;
        this.namespace = namespace;
        this.flows = flows;
        this.rules = rules;
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        datastore.refresh();
        List<String> present = datastore.flows();
        List<String> read = flows.isEmpty() ? present : flows.stream().filter(present::contains).toList();
        // the runs read to index them are used as they are below, not read twice
        Map<String, Datastore.Run> readNow = index(present);
        for (String flow : read) {
            Map<String, String> partition = Map.of("flow", flow);
            Map<String, String> offset = context.checkpoints().offset(partition).orElse(Map.of());
            String after = offset.get("after");
            // a run's position: when it was created where the store knows (the metadata service), then its id (a number
            // in a datastore; a scheduler's name, which says nothing of order, in a service)
            RunKey afterKey = after == null ? null : new RunKey(offset.containsKey("afterTs") ? Long.valueOf(offset.get("afterTs")) : null, after);
            Set<String> pending = new TreeSet<>(split(offset.get("pending")));
            Set<String> stillRunning = new TreeSet<>();
            RunKey newest = afterKey;
            for (String id : datastore.runs(flow)) {
                RunKey key = new RunKey(datastore.runCreated(flow, id), id);
                if (afterKey != null && key.compareTo(afterKey) <= 0 && !pending.contains(id)) {
                    continue;
                }
                Datastore.Run run = readNow.get(flow + "/" + id);
                try {
                    run = run != null ? run : datastore.run(flow, id);
                } catch (IOException e) {
                    // one unreadable run (a file half written, or damaged) does not hold up the others: it is read again
                    // on the next poll, and said in the instance's status until it can be
                    sink.problem("Metaflow run " + flow + "/" + id + " skipped, read again next poll: " + e.getMessage());
                    stillRunning.add(id);
                    continue;
                }
                RunStatus status = emit(run, sink);
                if (status == RunStatus.RUNNING) {
                    stillRunning.add(id);
                }
                if (newest == null || key.compareTo(newest) > 0) {
                    newest = key;
                }
            }
            Map<String, String> next = new LinkedHashMap<>();
            if (newest != null) {
                next.put("after", newest.id());
                if (newest.created() != null) {
                    next.put("afterTs", Long.toString(newest.created()));
                }
            }
            next.put("pending", String.join(",", stillRunning));
            sink.checkpoint(partition, next);
        }
    }

    @Override
    public void close() {
        datastore.close();
    }

    /** Adds the values made by the runs not indexed yet, of every flow (another flow's value may be read by a flow read here). */
    private Map<String, Datastore.Run> index(List<String> present) throws IOException {
        List<Datastore.Run> runs = new ArrayList<>();
        for (String flow : present) {
            for (String id : datastore.runs(flow)) {
                if (!indexed.contains(flow + "/" + id)) {
                    try {
                        runs.add(datastore.run(flow, id));
                    } catch (IOException e) {
                        // said when the run itself is read (below); not indexed until readable
                    }
                }
            }
        }
        runs.sort(Comparator.comparing(Datastore.Run::createdAt, Comparator.nullsLast(Comparator.naturalOrder())));
        for (Datastore.Run run : runs) {
            Set<String> seen = new HashSet<>();
            for (Datastore.Task t : run.tasks()) {
                t.objects().forEach((name, sha) -> {
                    JsonNode info = t.info().getOrDefault(name, MissingNode.getInstance());
                    String uri = uri(t.pathspec(run.flow(), run.id()), name);
                    if (!name.startsWith("_") && !run.parameters().containsKey(name) && seen.add(name + "@" + sha) && traceable(info)
                            && listed.add(uri + "@" + sha)) {
                        producers.computeIfAbsent(sha, k -> new ArrayList<>()).add(new Producer(run.flow(), run.id(), run.createdAt(),
                                uri, name, sha, info, t.endedAt()));
                    }
                });
            }
            if (MetaflowSource.status(run) != RunStatus.RUNNING) {
                indexed.add(run.flow() + "/" + run.id());
            }
        }
        Map<String, Datastore.Run> byPath = new HashMap<>();
        runs.forEach(r -> byPath.put(r.flow() + "/" + r.id(), r));
        return byPath;
    }

    /**
     * The run of another flow this run read the value from: of those that made it before this run started, the latest
     * (a flow reads the latest run of another, as Metaflow's Flow(...).latest_successful_run does); null when none.
     */
    private Producer readFrom(Datastore.Run run, String sha) {
        Producer latest = null;
        for (Producer p : producers.getOrDefault(sha, List.of())) {
            if (!p.flow().equals(run.flow()) && p.runStarted() != null && run.createdAt() != null && p.runStarted().isBefore(run.createdAt())
                    && (latest == null || p.runStarted().isAfter(latest.runStarted()))) {
                latest = p;
            }
        }
        return latest;
    }

    /** A value worth following from run to run: not a plain scalar, which two runs may well hold by chance. */
    private static boolean traceable(JsonNode info) {
        String type = info.path("type").asText(null);
        return type != null && !SCALAR_TYPES.contains(type);
    }

    static String uri(String taskPathspec, String artifact) {
        return "metaflow://" + taskPathspec + "/" + artifact;
    }

    /**
     * An end no earlier than its start: the metadata service stamps a run with its own clock and a task's end with the
     * machine's that ran it, and two clocks may disagree by more than a short run lasts.
     */
    private static Instant notBefore(Instant ended, Instant started) {
        return ended != null && started != null && ended.isBefore(started) ? started : ended;
    }

    /** A run's place in a flow's order: by creation time when both are known, then by id. */
    record RunKey(Long created, String id) implements Comparable<RunKey> {
        @Override
        public int compareTo(RunKey o) {
            if (created != null && o.created != null && !created.equals(o.created)) {
                return Long.compare(created, o.created);
            }
            return compareRunIds(id, o.id);
        }
    }

    /** Run ids are numbers (the local metadata provider's) or names (a scheduler's): numbers in order, else as text. */
    static int compareRunIds(String a, String b) {
        if (a.matches("\\d{1,18}") && b.matches("\\d{1,18}")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.split(","));
    }

    /** Emits the run, its tasks, their artifacts and the run's model versions; returns the run's status. */
    private RunStatus emit(Datastore.Run run, RecordSink sink) throws IOException {
        String pathspec = run.flow() + "/" + run.id();
        RunStatus status = status(run);
        Instant ended = status == RunStatus.RUNNING ? null : run.tasks().stream().map(Datastore.Task::endedAt)
                .filter(t -> t != null).max(Comparator.naturalOrder()).orElse(null);
        JsonNode git = run.tasks().stream().map(Datastore.Task::gitInfo).filter(g -> g != null).findFirst().orElse(null);
        Map<String, Object> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : run.parameters().entrySet()) {
            params.put(p.getKey(), datastore.scalar(run.flow(), p.getValue()).map(Pickles.Scalar::value).orElse(null));
        }
        RunRecord.Builder r = RunRecord.builder(namespace, pathspec, status)
                .externalId(pathspec).pipeline(run.flow()).user(run.user()).startedAt(run.createdAt()).endedAt(notBefore(ended, run.createdAt()))
                .params(params).tags(tags(run.tags(), run.systemTags()));
        code(r, git);
        for (String name : rules.datasets()) {
            if (params.get(name) instanceof String uri && looksLikeUri(uri)) {
                r.input(dataset(uri, run.createdAt()));
            }
        }
        RunRecord parent = r.build();
        sink.emit(parent);

        Set<String> seen = new HashSet<>();
        run.parameters().forEach((name, sha) -> seen.add(name + "@" + sha));
        Map<String, ArtifactRecord> made = new HashMap<>(); // name@sha → the artifact of the task that made it
        Set<String> consumed = new HashSet<>();
        for (Datastore.Task t : run.tasks()) {
            emitTask(run, t, parent.ref(), seen, made, consumed, sink);
        }
        if (!rules.models().isEmpty() && status == RunStatus.SUCCEEDED) {
            registerModels(run, parent.ref(), made, consumed, sink);
        }
        return status;
    }

    private void emitTask(Datastore.Run run, Datastore.Task t, RunRef parent, Set<String> seen, Map<String, ArtifactRecord> made,
                          Set<String> consumed, RecordSink sink) throws IOException {
        String taskPath = t.pathspec(run.flow(), run.id());
        RunStatus taskStatus = t.ok() == null ? RunStatus.RUNNING : t.ok() ? RunStatus.SUCCEEDED : RunStatus.FAILED;
        Map<String, String> taskTags = new LinkedHashMap<>(tags(run.tags(), List.of()));
        taskTags.put("metaflow.step", t.step());
        taskTags.put("metaflow.attempt", Integer.toString(t.attempt()));
        RunRecord.Builder task = RunRecord.builder(namespace, taskPath, taskStatus).externalId(taskPath).pipeline(run.flow())
                .user(t.user() != null ? t.user() : run.user()).startedAt(t.startedAt())
                .endedAt(taskStatus == RunStatus.RUNNING ? null : notBefore(t.endedAt(), t.startedAt())).parent(parent).tags(taskTags);
        code(task, t.gitInfo());
        if (t.attempts().size() > 1) {
            // the last attempt decides the task's status; the earlier ones are kept, as its history
            List<Map<String, Object>> attempts = new ArrayList<>();
            for (Datastore.Attempt a : t.attempts()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("attempt", a.number());
                m.put("ok", a.ok());
                m.put("doneAt", a.doneAt() == null ? null : a.doneAt().toString());
                attempts.add(m);
            }
            task.facets(Map.of("metaflowAttempts", Map.of("attempts", attempts)));
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : t.objects().entrySet()) {
            String name = a.getKey();
            String sha = a.getValue();
            if (name.startsWith("_") || !seen.add(name + "@" + sha)) {
                continue;
            }
            JsonNode info = t.info().getOrDefault(name, MissingNode.getInstance());
            Producer from = readFrom(run, sha);
            if (from != null) {
                // another flow's value: read from there, not made here
                task.input(artifact(from.uri(), from.name(), from.sha(), from.info(), from.createdAt()));
                consumed.add(name + "@" + sha);
                continue;
            }
            String type = info.path("type").asText(null);
            if ("<class 'float'>".equals(type) || "<class 'int'>".equals(type)) {
                datastore.scalar(run.flow(), sha).map(Pickles.Scalar::value).filter(v -> v instanceof Number)
                        .ifPresent(v -> metrics.put(name, v));
            }
            if ((rules.datasets().contains(name) || rules.outputDatasets().contains(name)) && "<class 'str'>".equals(type)) {
                var value = datastore.scalar(run.flow(), sha).map(Pickles.Scalar::value).orElse(null);
                if (value instanceof String uri && looksLikeUri(uri)) {
                    if (rules.datasets().contains(name)) {
                        task.input(dataset(uri, t.startedAt()));
                    } else {
                        task.output(dataset(uri, t.endedAt()));
                    }
                }
            }
            ArtifactRecord record = artifact(uri(taskPath, name), name, sha, info, t.endedAt());
            made.put(name + "@" + sha, record);
            task.output(record);
        }
        task.metrics(metrics);
        sink.emit(task.build());
    }

    /** The values the run ended with (its end step's) whose names are models, each a version of the model. */
    private void registerModels(Datastore.Run run, RunRef parent, Map<String, ArtifactRecord> made, Set<String> consumed,
                                RecordSink sink) {
        Datastore.Task end = run.tasks().stream().filter(t -> t.step().equals("end")).findFirst().orElse(null);
        if (end == null) {
            return;
        }
        String model = rules.model() != null ? rules.model() : run.flow();
        for (Map.Entry<String, String> a : end.objects().entrySet()) {
            String key = a.getKey() + "@" + a.getValue();
            ArtifactRecord file = made.get(key);
            if (!rules.isModel(a.getKey()) || file == null || consumed.contains(key)) {
                continue;
            }
            sink.emit(new ModelVersionRecord(namespace, model, null, "the " + a.getKey() + " of Metaflow run " + run.flow() + "/" + run.id(),
                    Map.of("metaflow.run", run.flow() + "/" + run.id(), "metaflow.artifact", a.getKey()), file, parent,
                    end.endedAt(), run.flow() + "/" + run.id() + "/" + a.getKey(), null));
        }
    }

    private ArtifactRecord artifact(String uri, String name, String sha, JsonNode info, Instant createdAt) {
        Map<String, Object> facet = new LinkedHashMap<>();
        facet.put("name", name);
        facet.put("sha", sha);
        if (info.path("type").isTextual()) {
            facet.put("type", info.path("type").asText());
        }
        if (info.path("encoding").isTextual()) {
            facet.put("encoding", info.path("encoding").asText());
        }
        return ArtifactRecord.builder(namespace, uri).name(name).digest(DIGEST_PREFIX + sha)
                .sizeBytes(info.path("size").isNumber() ? info.path("size").asLong() : null).mediaType(MEDIA_TYPE)
                .kind(rules.isModel(name) ? ArtifactKind.MODEL : ArtifactKind.OTHER).createdAt(createdAt)
                .facets(Map.of("metaflow", facet)).build();
    }

    private ArtifactRecord dataset(String uri, Instant seen) {
        return ArtifactRecord.builder(namespace, uri).kind(ArtifactKind.DATASET).observedAt(seen).build();
    }

    private static boolean looksLikeUri(String s) {
        return s.matches("[a-zA-Z][a-zA-Z0-9+.-]*://\\S+") || s.startsWith("/");
    }

    private static void code(RunRecord.Builder b, JsonNode git) {
        if (git != null && git.path("repo_url").isTextual() && git.path("commit_sha").isTextual()) {
            b.code(git.path("repo_url").asText(), git.path("commit_sha").asText());
        }
    }

    /** Done when the end step succeeded; failed when any task's last attempt failed; else running. */
    static RunStatus status(Datastore.Run run) {
        if (run.tasks().stream().anyMatch(t -> Boolean.FALSE.equals(t.ok()))) {
            return RunStatus.FAILED;
        }
        return run.tasks().stream().anyMatch(t -> t.step().equals("end") && Boolean.TRUE.equals(t.ok())) ? RunStatus.SUCCEEDED
                : RunStatus.RUNNING;
    }

    /** Metaflow's tags ({@code team:growth} → team = growth) and system tags (as {@code metaflow.<key>}). */
    static Map<String, String> tags(List<String> tags, List<String> systemTags) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String t : tags) {
            int colon = t.indexOf(':');
            m.put(colon > 0 ? t.substring(0, colon) : t, colon > 0 ? t.substring(colon + 1) : null);
        }
        for (String t : systemTags) {
            int colon = t.indexOf(':');
            m.put("metaflow." + (colon > 0 ? t.substring(0, colon) : t), colon > 0 ? t.substring(colon + 1) : null);
        }
        return m;
    }
}
