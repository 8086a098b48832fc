package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.RunRecord;
import io.mlcatalog.spi.record.RunRef;
import io.mlcatalog.spi.record.RunStatus;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a Metaflow datastore: each flow run becomes a run (pipeline: the flow), each of its tasks a child run, with
 * the artifacts the task made as its outputs. Incremental per flow: the checkpoint holds the newest run read and the
 * runs still running, which are read again on every poll until they are done. A run deleted from the datastore stays
 * in the catalog.
 */
final class MetaflowSource implements IngestSource {
    /** Metaflow's content digest of an artifact: the SHA-1 of its pickle (it names a value, not a file). */
    static final String DIGEST_PREFIX = "metaflow-sha1:";
    static final String MEDIA_TYPE = "application/vnd.python.pickle";

    private final SourceContext context;
    private final LocalDatastore datastore;
    private final String namespace;
    private final List<String> flows;

    MetaflowSource(SourceContext context, LocalDatastore datastore, String namespace, List<String> flows) {
        this.context = context;
        this.datastore = datastore;
        this.namespace = namespace;
        this.flows = flows;
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        List<String> present = datastore.flows();
        for (String flow : flows.isEmpty() ? present : flows) {
            if (!present.contains(flow)) {
                continue; // not run yet
            }
            Map<String, String> partition = Map.of("flow", flow);
            Map<String, String> offset = context.checkpoints().offset(partition).orElse(Map.of());
            String after = offset.get("after");
            Set<String> pending = new TreeSet<>(split(offset.get("pending")));
            Set<String> stillRunning = new TreeSet<>();
            String newest = after;
            for (String id : datastore.runs(flow)) {
                if (after != null && compareRunIds(id, after) <= 0 && !pending.contains(id)) {
                    continue;
                }
                LocalDatastore.Run run = datastore.run(flow, id);
                RunStatus status = emit(run, sink);
                if (status == RunStatus.RUNNING) {
                    stillRunning.add(id);
                }
                if (newest == null || compareRunIds(id, newest) > 0) {
                    newest = id;
                }
            }
            Map<String, String> next = new LinkedHashMap<>();
            if (newest != null) {
                next.put("after", newest);
            }
            next.put("pending", String.join(",", stillRunning));
            sink.checkpoint(partition, next);
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

    /** Emits the run, its tasks and their artifacts; returns the run's status. */
    private RunStatus emit(LocalDatastore.Run run, RecordSink sink) throws IOException {
        String pathspec = run.flow() + "/" + run.id();
        RunStatus status = status(run);
        Instant ended = status == RunStatus.RUNNING ? null : run.tasks().stream().map(LocalDatastore.Task::endedAt)
                .filter(t -> t != null).max(Comparator.naturalOrder()).orElse(null);
        JsonNode git = run.tasks().stream().map(LocalDatastore.Task::gitInfo).filter(g -> g != null).findFirst().orElse(null);
        Map<String, Object> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : run.parameters().entrySet()) {
            var value = datastore.scalar(run.flow(), p.getValue());
            params.put(p.getKey(), value.map(Pickles.Scalar::value).orElse(null));
        }
        RunRecord.Builder r = RunRecord.builder(namespace, pathspec, status)
                .externalId(pathspec).pipeline(run.flow()).user(run.user()).startedAt(run.createdAt()).endedAt(ended)
                .params(params).tags(tags(run.tags(), run.systemTags()));
        if (git != null && git.path("repo_url").isTextual() && git.path("commit_sha").isTextual()) {
            r.code(git.path("repo_url").asText(), git.path("commit_sha").asText());
        }
        RunRecord parent = r.build();
        sink.emit(parent);
        RunRef parentRef = parent.ref();

        // every task carries all the artifacts it inherited: an artifact is made by the first task that has it (a value
        // of that name and sha); Parameters are the run's, not any task's
        Set<String> seen = new HashSet<>();
        run.parameters().forEach((name, sha) -> seen.add(name + "@" + sha));
        for (LocalDatastore.Task t : run.tasks()) {
            String taskPath = t.pathspec(run.flow(), run.id());
            RunStatus taskStatus = t.ok() == null ? RunStatus.RUNNING : t.ok() ? RunStatus.SUCCEEDED : RunStatus.FAILED;
            Map<String, String> taskTags = new LinkedHashMap<>(tags(run.tags(), List.of()));
            taskTags.put("metaflow.step", t.step());
            taskTags.put("metaflow.attempt", Integer.toString(t.attempt()));
            RunRecord.Builder task = RunRecord.builder(namespace, taskPath, taskStatus).externalId(taskPath).pipeline(run.flow())
                    .user(t.user() != null ? t.user() : run.user()).startedAt(t.startedAt())
                    .endedAt(taskStatus == RunStatus.RUNNING ? null : t.endedAt()).parent(parentRef).tags(taskTags);
            if (t.gitInfo() != null && t.gitInfo().path("repo_url").isTextual() && t.gitInfo().path("commit_sha").isTextual()) {
                task.code(t.gitInfo().path("repo_url").asText(), t.gitInfo().path("commit_sha").asText());
            }
            Map<String, Object> metrics = new LinkedHashMap<>();
            for (Map.Entry<String, String> a : t.objects().entrySet()) {
                String name = a.getKey();
                if (name.startsWith("_") || !seen.add(name + "@" + a.getValue())) {
                    continue;
                }
                JsonNode info = t.info().getOrDefault(name, com.fasterxml.jackson.databind.node.MissingNode.getInstance());
                String type = info.path("type").asText(null);
                if ("<class 'float'>".equals(type) || "<class 'int'>".equals(type)) {
                    datastore.scalar(run.flow(), a.getValue()).map(Pickles.Scalar::value)
                            .filter(v -> v instanceof Number).ifPresent(v -> metrics.put(name, v));
                }
                Map<String, Object> facet = new LinkedHashMap<>();
                facet.put("name", name);
                facet.put("sha", a.getValue());
                if (type != null) {
                    facet.put("type", type);
                }
                if (info.path("encoding").isTextual()) {
                    facet.put("encoding", info.path("encoding").asText());
                }
                task.output(ArtifactRecord.builder(namespace, "metaflow://" + taskPath + "/" + name).name(name)
                        .digest(DIGEST_PREFIX + a.getValue()).sizeBytes(info.path("size").isNumber() ? info.path("size").asLong() : null)
                        .mediaType(MEDIA_TYPE).kind(ArtifactKind.OTHER).createdAt(t.endedAt()).facets(Map.of("metaflow", facet)).build());
            }
            task.metrics(metrics);
            sink.emit(task.build());
        }
        return status;
    }

    /** Done when the end step succeeded; failed when any task's last attempt failed; else running. */
    static RunStatus status(LocalDatastore.Run run) {
        boolean failed = run.tasks().stream().anyMatch(t -> Boolean.FALSE.equals(t.ok()));
        if (failed) {
            return RunStatus.FAILED;
        }
        boolean ended = run.tasks().stream().anyMatch(t -> t.step().equals("end") && Boolean.TRUE.equals(t.ok()));
        return ended ? RunStatus.SUCCEEDED : RunStatus.RUNNING;
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
