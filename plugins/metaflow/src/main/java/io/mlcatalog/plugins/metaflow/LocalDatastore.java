package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A Metaflow datastore on a local disk, read in Metaflow's own layout (the {@code .metaflow} folder):
 * {@code <flow>/<run>/<step>/<task>/} with {@code _meta/} (the task's {@code _self.json}, its artifacts' and system
 * metadata's JSON files) and {@code <attempt>.data.json} (artifact name → sha, with size and type), and the artifacts'
 * bytes under {@code <flow>/data/<sha[:2]>/<sha>} (a pickle, gzip-compressed).
 */
final class LocalDatastore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ATTEMPT_FILE = Pattern.compile("(\\d+)\\.(data\\.json|attempt\\.json|DONE\\.lock)");
    private static final Set<String> NOT_RUNS = Set.of("_meta", "data", "latest_run");
    private static final Set<String> NOT_STEPS = Set.of("_meta", "_parameters");

    /** A task's last attempt as the datastore shows it; {@code ok} is null while it runs. */
    record Task(String step, String id, int attempt, Boolean ok, Instant startedAt, Instant endedAt, String user,
                Map<String, String> objects, Map<String, JsonNode> info, JsonNode gitInfo) {
        String pathspec(String flow, String run) {
            return flow + "/" + run + "/" + step + "/" + id;
        }
    }

    /** A flow run: its metadata, its Parameters (name → sha) and its tasks, oldest first. */
    record Run(String flow, String id, String user, List<String> tags, List<String> systemTags, Instant createdAt,
               Map<String, String> parameters, List<Task> tasks) {
    }

    private final Path root;

    /** @param root the {@code .metaflow} folder, or the folder holding it */
    LocalDatastore(Path root) {
        this.root = Files.isDirectory(root.resolve(".metaflow")) ? root.resolve(".metaflow") : root;
    }

    Path root() {
        return root;
    }

    /** The flows, by name: the folders with a {@code _meta/_self.json}. */
    List<String> flows() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("the Metaflow datastore " + root + " is not a folder (is the volume mounted?)");
        }
        return children(root, p -> Files.isRegularFile(p.resolve("_meta").resolve("_self.json")));
    }

    /** The run ids of a flow. */
    List<String> runs(String flow) throws IOException {
        return children(root.resolve(flow), p -> !NOT_RUNS.contains(p.getFileName().toString())
                && Files.isRegularFile(p.resolve("_meta").resolve("_self.json")));
    }

    Run run(String flow, String id) throws IOException {
        Path dir = root.resolve(flow).resolve(id);
        JsonNode self = json(dir.resolve("_meta").resolve("_self.json"));
        List<Task> tasks = new ArrayList<>();
        for (String step : children(dir, p -> !NOT_STEPS.contains(p.getFileName().toString()))) {
            for (String task : children(dir.resolve(step), p -> !p.getFileName().toString().equals("_meta"))) {
                tasks.add(task(dir.resolve(step).resolve(task), step, task));
            }
        }
        tasks.sort(Comparator.comparing(Task::startedAt, Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Task::step)
                .thenComparing(Task::id));
        Map<String, String> parameters = new LinkedHashMap<>();
        Path params = dir.resolve("_parameters");
        if (Files.isDirectory(params)) {
            for (String task : children(params, p -> !p.getFileName().toString().equals("_meta"))) {
                Task t = task(params.resolve(task), "_parameters", task);
                t.objects().forEach((name, sha) -> {
                    if (!name.startsWith("_")) {
                        parameters.put(name, sha);
                    }
                });
            }
        }
        return new Run(flow, id, text(self, "user_name"), strings(self.path("tags")), strings(self.path("system_tags")),
                millis(self.path("ts_epoch")), parameters, tasks);
    }

    private Task task(Path dir, String step, String id) throws IOException {
        int attempt = -1;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = ATTEMPT_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    attempt = Math.max(attempt, Integer.parseInt(m.group(1)));
                }
            }
        }
        Path meta = dir.resolve("_meta");
        JsonNode self = Files.isRegularFile(meta.resolve("_self.json")) ? json(meta.resolve("_self.json")) : JSON.createObjectNode();
        Boolean ok = null;
        Instant ended = null;
        JsonNode git = null;
        Instant lastMeta = null;
        String tag = "attempt_id:" + Math.max(attempt, 0);
        if (Files.isDirectory(meta)) {
            try (Stream<Path> files = Files.list(meta)) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith("sysmeta_")).sorted().toList()) {
                    JsonNode m = json(f);
                    Instant at = millis(m.path("ts_epoch"));
                    lastMeta = at != null && (lastMeta == null || at.isAfter(lastMeta)) ? at : lastMeta;
                    boolean thisAttempt = strings(m.path("tags")).contains(tag);
                    switch (m.path("field_name").asText()) {
                        case "attempt_ok" -> {
                            if (thisAttempt) {
                                ok = "True".equalsIgnoreCase(m.path("value").asText());
                            }
                        }
                        case "attempt-done" -> {
                            if (thisAttempt) {
                                ended = at;
                            }
                        }
                        case "git-info" -> git = git != null ? git : JSON.readTree(m.path("value").asText("{}"));
                        default -> {
                        }
                    }
                }
            }
        }
        Map<String, String> objects = new LinkedHashMap<>();
        Map<String, JsonNode> info = new LinkedHashMap<>();
        Path data = dir.resolve(Math.max(attempt, 0) + ".data.json");
        if (Files.isRegularFile(data)) {
            JsonNode d = json(data);
            d.path("objects").fields().forEachRemaining(e -> objects.put(e.getKey(), e.getValue().asText()));
            d.path("info").fields().forEachRemaining(e -> info.put(e.getKey(), e.getValue()));
        }
        boolean done = attempt >= 0 && Files.exists(dir.resolve(attempt + ".DONE.lock"));
        if (ok == null && done) {
            // a successful attempt records no attempt_ok of its own here: its _task_ok artifact says it
            ok = objects.containsKey("_task_ok") ? scalar(step.equals("_parameters") ? null : dirFlow(dir), objects.get("_task_ok"))
                    .map(s -> !Boolean.FALSE.equals(s.value())).orElse(true) : true;
        }
        if (ok != null && ended == null) {
            ended = lastMeta;
        }
        return new Task(step, id, Math.max(attempt, 0), ok, millis(self.path("ts_epoch")), ended, text(self, "user_name"), objects, info, git);
    }

    private String dirFlow(Path taskDir) {
        return root.relativize(taskDir).getName(0).toString();
    }

    /** The bytes of an artifact (its pickle), or empty when the datastore does not have them. */
    Optional<byte[]> blob(String flow, String sha) throws IOException {
        if (sha == null || sha.length() < 3) {
            return Optional.empty();
        }
        Path f = root.resolve(flow).resolve("data").resolve(sha.substring(0, 2)).resolve(sha);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(f);
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                return Optional.of(in.readAllBytes());
            } catch (IOException e) {
                throw new IOException(f + ": not a readable gzip file (" + e.getMessage() + ")", e);
            }
        }
        return Optional.of(bytes);
    }

    /** The artifact's value when it is a scalar pickle (see {@link Pickles}). */
    Optional<Pickles.Scalar> scalar(String flow, String sha) throws IOException {
        if (flow == null) {
            return Optional.empty();
        }
        Optional<byte[]> b = blob(flow, sha);
        return b.isEmpty() ? Optional.empty() : Pickles.scalar(b.get());
    }

    private static JsonNode json(Path f) throws IOException {
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(v -> result.add(v.asText()));
        return result;
    }

    private static Instant millis(JsonNode n) {
        return n.isNumber() ? Instant.ofEpochMilli(n.asLong()) : null;
    }

    private interface DirFilter {
        boolean test(Path p) throws IOException;
    }

    private static List<String> children(Path dir, DirFilter keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(Files::isDirectory).toList()) {
                if (keep.test(p)) {
                    names.add(p.getFileName().toString());
                }
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }
}
