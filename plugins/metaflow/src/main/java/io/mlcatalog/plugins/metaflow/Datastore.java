package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.zip.GZIPInputStream;

/**
 * A Metaflow datastore read in Metaflow's own layout: {@code <flow>/<run>/<step>/<task>/} with {@code _meta/} (the
 * task's {@code _self.json}, its artifacts' and system metadata's JSON files) and {@code <attempt>.data.json}
 * (artifact name → sha, with size and type), and the artifacts' bytes under {@code <flow>/data/<sha[:2]>/<sha>} (a
 * pickle, gzip-compressed). The same on a disk and on S3 ({@link Store}).
 */
final class Datastore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ATTEMPT_FILE = Pattern.compile("(\\d+)\\.(data\\.json|attempt\\.json|DONE\\.lock)");
    private static final Set<String> NOT_RUNS = Set.of("_meta", "data", "latest_run");
    private static final Set<String> NOT_STEPS = Set.of("_meta", "_parameters");

    /** A task's last attempt as the datastore shows it; {@code ok} is null while it runs. */
    record Task(String step, String id, int attempt, Boolean ok, Instant startedAt, Instant endedAt, String user,
                Map<String, String> objects, Map<String, JsonNode> info, JsonNode gitInfo, List<Attempt> attempts) {
        String pathspec(String flow, String run) {
            return flow + "/" + run + "/" + step + "/" + id;
        }
    }

    /** One attempt of a task: whether it succeeded (null: not known or running) and when it was done. */
    record Attempt(int number, Boolean ok, Instant doneAt) {
    }

    /** A flow run: its metadata, its Parameters (name → sha) and its tasks, oldest first. */
    record Run(String flow, String id, String user, List<String> tags, List<String> systemTags, Instant createdAt,
               Map<String, String> parameters, List<Task> tasks) {
    }

    private final Store store;

    Datastore(Store store) {
        this.store = store;
    }

    /** Starts a poll: what the store kept of the last one is read afresh. */
    void refresh() {
        store.refresh();
    }

    /** The flows, by name: the folders with a {@code _meta/_self.json}. */
    List<String> flows() throws IOException {
        List<String> flows = new ArrayList<>();
        for (String f : store.folders("")) {
            if (store.files(f + "/_meta").contains("_self.json")) {
                flows.add(f);
            }
        }
        return flows;
    }

    /** When a run was created, where the store knows it without reading the run (the metadata service), else null. */
    Long runCreated(String flow, String id) throws IOException {
        return store.created(flow + "/" + id);
    }

    /** The run ids of a flow. */
    List<String> runs(String flow) throws IOException {
        List<String> runs = new ArrayList<>();
        for (String r : store.folders(flow)) {
            if (!NOT_RUNS.contains(r)) {
                runs.add(r);
            }
        }
        return runs;
    }

    Run run(String flow, String id) throws IOException {
        String dir = flow + "/" + id;
        JsonNode self = json(dir + "/_meta/_self.json").orElseThrow(() -> new IOException(store.describe(dir + "/_meta/_self.json")
                + ": missing (a run folder without _self.json is not a run, or not one yet)"));
        List<Task> tasks = new ArrayList<>();
        for (String step : store.folders(dir)) {
            if (NOT_STEPS.contains(step)) {
                continue;
            }
            for (String task : store.folders(dir + "/" + step)) {
                if (!task.equals("_meta")) {
                    tasks.add(task(flow, dir + "/" + step + "/" + task, step, task));
                }
            }
        }
        tasks.sort(Comparator.comparing(Task::startedAt, Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Task::step)
                .thenComparing(Task::id));
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String task : store.folders(dir + "/_parameters")) {
            if (!task.equals("_meta")) {
                task(flow, dir + "/_parameters/" + task, "_parameters", task).objects().forEach((name, sha) -> {
                    if (!name.startsWith("_")) {
                        parameters.put(name, sha);
                    }
                });
            }
        }
        return new Run(flow, id, text(self, "user_name"), strings(self.path("tags")), strings(self.path("system_tags")),
                millis(self.path("ts_epoch")), parameters, tasks);
    }

    private Task task(String flow, String dir, String step, String id) throws IOException {
        int attempt = -1;
        List<String> files = store.files(dir);
        for (String f : files) {
            Matcher m = ATTEMPT_FILE.matcher(f);
            if (m.matches()) {
                attempt = Math.max(attempt, Integer.parseInt(m.group(1)));
            }
        }
        String meta = dir + "/_meta";
        JsonNode self = json(meta + "/_self.json").orElse(JSON.createObjectNode());
        Boolean ok = null;
        Instant ended = null;
        JsonNode git = null;
        Instant lastMeta = null;
        String tag = "attempt_id:" + Math.max(attempt, 0);
        Map<Integer, Boolean> okOf = new java.util.TreeMap<>();
        Map<Integer, Instant> doneOf = new java.util.TreeMap<>();
        for (String f : store.files(meta)) {
            if (!f.startsWith("sysmeta_")) {
                continue;
            }
            JsonNode m = json(meta + "/" + f).orElse(JSON.createObjectNode());
            Instant at = millis(m.path("ts_epoch"));
            lastMeta = at != null && (lastMeta == null || at.isAfter(lastMeta)) ? at : lastMeta;
            boolean thisAttempt = strings(m.path("tags")).contains(tag);
            Integer number = attemptOf(m);
            switch (m.path("field_name").asText()) {
                case "attempt_ok" -> {
                    boolean value = "True".equalsIgnoreCase(m.path("value").asText());
                    if (number != null) {
                        okOf.put(number, value);
                    }
                    if (thisAttempt) {
                        ok = value;
                    }
                }
                case "attempt-done" -> {
                    if (number != null) {
                        doneOf.put(number, at);
                    }
                    if (thisAttempt) {
                        ended = at;
                    }
                }
                case "git-info" -> git = git != null ? git : JSON.readTree(m.path("value").asText("{}"));
                default -> {
                }
            }
        }
        Map<String, String> objects = new LinkedHashMap<>();
        Map<String, JsonNode> info = new LinkedHashMap<>();
        Optional<JsonNode> data = json(dir + "/" + Math.max(attempt, 0) + ".data.json");
        data.ifPresent(d -> {
            d.path("objects").fields().forEachRemaining(e -> objects.put(e.getKey(), e.getValue().asText()));
            d.path("info").fields().forEachRemaining(e -> info.put(e.getKey(), e.getValue()));
        });
        boolean done = attempt >= 0 && files.contains(attempt + ".DONE.lock");
        if (ok == null && done) {
            // a successful attempt records no attempt_ok of its own here: its _task_ok artifact says it
            ok = !objects.containsKey("_task_ok") || scalar(flow, objects.get("_task_ok")).map(s -> !Boolean.FALSE.equals(s.value())).orElse(true);
        }
        if (ok != null && ended == null) {
            ended = lastMeta;
        }
        List<Attempt> attempts = new ArrayList<>();
        for (int n = 0; n <= Math.max(attempt, 0); n++) {
            attempts.add(new Attempt(n, n == Math.max(attempt, 0) ? ok : okOf.get(n), n == Math.max(attempt, 0) ? ended : doneOf.get(n)));
        }
        return new Task(step, id, Math.max(attempt, 0), ok, millis(self.path("ts_epoch")), ended, text(self, "user_name"), objects, info, git,
                attempts);
    }

    /** The attempt a system metadata entry is of (its attempt_id tag), or null. */
    private static Integer attemptOf(JsonNode m) {
        for (String t : strings(m.path("tags"))) {
            if (t.matches("attempt_id:\\d{1,6}")) {
                return Integer.parseInt(t.substring("attempt_id:".length()));
            }
        }
        return null;
    }

    /** The bytes of an artifact (its pickle), or empty when the datastore does not have them. */
    Optional<byte[]> blob(String flow, String sha) throws IOException {
        if (sha == null || sha.length() < 3 || !sha.matches("[0-9a-f]+")) {
            return Optional.empty();
        }
        String path = flow + "/data/" + sha.substring(0, 2) + "/" + sha;
        Optional<byte[]> read = store.read(path);
        if (read.isEmpty()) {
            return read;
        }
        byte[] bytes = read.get();
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                return Optional.of(in.readAllBytes());
            } catch (IOException e) {
                throw new IOException(store.describe(path) + ": not a readable gzip file (" + e.getMessage() + ")", e);
            }
        }
        return Optional.of(bytes);
    }

    /** The artifact's value when it is a scalar pickle (see {@link Pickles}). */
    Optional<Pickles.Scalar> scalar(String flow, String sha) throws IOException {
        Optional<byte[]> b = blob(flow, sha);
        return b.isEmpty() ? Optional.empty() : Pickles.scalar(b.get());
    }

    private Optional<JsonNode> json(String path) throws IOException {
        Optional<byte[]> bytes = store.read(path);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(bytes.get()));
        } catch (IOException e) {
            throw new IOException(store.describe(path) + ": not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
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

    @Override
    public void close() {
        store.close();
    }
}
