package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A datastore whose metadata is kept by Metaflow's metadata service ({@code METAFLOW_SERVICE_URL}) rather than in
 * {@code _meta} folders: the service's records shown in the layout Metaflow's local metadata provider writes them in,
 * which holds the very same records (a run's {@code _meta/_self.json} is the run as the service answers it, a task's
 * {@code _meta/sysmeta_<field>_<ts>.json} one of its metadata rows). Everything else (a task's {@code <attempt>.data.json}
 * and {@code DONE.lock}, the artifacts' bytes) is read from the datastore itself, {@code values} (on S3, as Metaflow
 * keeps it beside a service), when given; without it, a task's artifacts are listed from the service (their names and
 * shas, not their values).
 *
 * <p>Read as Metaflow's client reads the service: {@code GET /flows}, {@code /flows/<f>/runs}, {@code …/steps},
 * {@code …/tasks}, a run's {@code metadata} and {@code artifacts}; bare JSON arrays, 404 for what is not there, the
 * configured headers (an API gateway's {@code x-api-key}) on every request. A service that pages
 * ({@code _limit}, {@code X-Next-Cursor}) is followed page by page; a cursor handed back twice stops the listing.
 * Listings are kept for one poll ({@link #refresh}).
 */
final class ServiceStore implements Store {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 500;
    private static final int MAX_PAGES = 10_000;

    private final URI base;
    private final Map<String, String> headers;
    private final Store values;
    private final Duration timeout;
    private final HttpClient http;
    /** This poll's answers, by request path (null: 404). */
    private final Map<String, JsonNode> answers = new HashMap<>();
    /** This poll's run creation times, by a flow's runs listing, then run number: asked for once a run. */
    private final Map<String, Map<String, Long>> created = new HashMap<>();

    ServiceStore(URI base, Map<String, String> headers, Store values, Duration timeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.headers = Map.copyOf(headers);
        this.values = values;
        this.timeout = timeout;
        // redirects are not followed: one would carry the API key to another host
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public synchronized void refresh() {
        answers.clear();
        created.clear();
    }

    // ------------------------------------------------------------------ the local layout, from the service

    @Override
    public List<String> folders(String path) throws IOException {
        String[] p = parts(path);
        return switch (p.length) {
            case 0 -> names(list("/flows"), "flow_id");
            case 1 -> names(list(objectPath(p) + "/runs"), "run_number");
            case 2 -> names(list(objectPath(p) + "/steps"), "step_name");
            case 3 -> names(list(objectPath(p) + "/tasks"), "task_id");
            default -> values == null ? List.of() : values.folders(path);
        };
    }

    @Override
    public Long created(String path) throws IOException {
        String[] p = parts(path);
        if (p.length != 2) {
            return null;
        }
        String runs = objectPath(new String[] {p[0]}) + "/runs";
        Map<String, Long> byRun;
        synchronized (this) {
            byRun = created.get(runs);
        }
        if (byRun == null) {
            // indexed once a poll: looking each run up in the listing was a scan of it for every run
            byRun = new HashMap<>();
            for (JsonNode run : list(runs)) {
                if (run.path("ts_epoch").canConvertToLong()) {
                    byRun.putIfAbsent(run.path("run_number").asText(), run.path("ts_epoch").asLong());
                }
            }
            synchronized (this) {
                created.put(runs, byRun);
            }
        }
        return byRun.get(p[1]);
    }

    @Override
    public List<String> files(String path) throws IOException {
        String[] p = parts(path);
        if (p.length >= 2 && p[p.length - 1].equals("_meta")) {
            String[] object = java.util.Arrays.copyOf(p, p.length - 1);
            List<String> files = new ArrayList<>();
            if (object(object).isPresent()) {
                files.add("_self.json");
            }
            if (object.length == 4) {
                files.addAll(new TreeSet<>(taskMetadata(object).keySet()));
            }
            return files;
        }
        if (p.length == 4) {
            List<String> stored = values == null ? List.of() : values.files(path);
            return stored.isEmpty() ? listedAttempts(p) : stored;
        }
        return values == null ? List.of() : values.files(path);
    }

    @Override
    public Optional<byte[]> read(String path) throws IOException {
        String[] p = parts(path);
        if (p.length >= 3 && p[p.length - 2].equals("_meta")) {
            String[] object = java.util.Arrays.copyOf(p, p.length - 2);
            String file = p[p.length - 1];
            if (file.equals("_self.json")) {
                Optional<JsonNode> o = object(object);
                return o.isEmpty() ? Optional.empty() : Optional.of(JSON.writeValueAsBytes(o.get()));
            }
            JsonNode row = object.length == 4 ? taskMetadata(object).get(file) : null;
            return row == null ? Optional.empty() : Optional.of(JSON.writeValueAsBytes(row));
        }
        Optional<byte[]> stored = values == null ? Optional.empty() : values.read(path);
        if (stored.isEmpty() && p.length == 5 && p[4].endsWith(".data.json")) {
            return listedDataJson(p);
        }
        return stored;
    }

    @Override
    public String describe(String path) {
        return path.contains("_meta") || values == null ? "the Metaflow service at " + base + " (" + path + ")" : values.describe(path);
    }

    @Override
    public void close() {
        if (values != null) {
            values.close();
        }
    }

    // ------------------------------------------------------------------ records

    /** A flow, run, step or task as the service answers it, or empty when it has none (404). */
    private Optional<JsonNode> object(String[] p) throws IOException {
        if (p.length == 0 || p.length > 4) {
            return Optional.empty();
        }
        JsonNode o = get(objectPath(p));
        return o == null || !o.isObject() || o.isEmpty() ? Optional.empty() : Optional.of(o);
    }

    /** A task's metadata rows, named as the local provider names their files. */
    private Map<String, JsonNode> taskMetadata(String[] task) throws IOException {
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        for (JsonNode row : list(objectPath(task) + "/metadata")) {
            String name = "sysmeta_" + row.path("field_name").asText() + "_" + row.path("ts_epoch").asText();
            String file = name + ".json";
            for (int n = 2; rows.containsKey(file); n++) {
                file = name + "_" + n + ".json"; // two rows of one field in one millisecond
            }
            rows.put(file, row);
        }
        return rows;
    }

    /** A task's artifacts, of its latest attempt (as the service lists them). */
    private List<JsonNode> taskArtifacts(String[] task) throws IOException {
        return list(objectPath(task) + "/artifacts");
    }

    /** Without the datastore: the task's last attempt as its artifacts show it, done when the service says so. */
    private List<String> listedAttempts(String[] task) throws IOException {
        int attempt = -1;
        for (JsonNode a : taskArtifacts(task)) {
            attempt = Math.max(attempt, a.path("attempt_id").asInt(0));
        }
        List<String> files = new ArrayList<>();
        if (attempt >= 0) {
            files.add(attempt + ".data.json");
        }
        for (JsonNode row : taskMetadata(task).values()) {
            if ("attempt-done".equals(row.path("field_name").asText())) {
                files.add(row.path("value").asText() + ".DONE.lock");
            }
        }
        return files;
    }

    /** Without the datastore: a task attempt's {@code data.json} as the service lists its artifacts (no sizes nor Python types). */
    private Optional<byte[]> listedDataJson(String[] p) throws IOException {
        String[] task = java.util.Arrays.copyOf(p, 4);
        int attempt;
        try {
            attempt = Integer.parseInt(p[4].substring(0, p[4].indexOf('.')));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        ObjectNode data = JSON.createObjectNode().put("attempt", attempt);
        ObjectNode objects = data.putObject("objects");
        ObjectNode info = data.putObject("info");
        for (JsonNode a : taskArtifacts(task)) {
            if (a.path("attempt_id").asInt(0) == attempt) {
                objects.put(a.path("name").asText(), a.path("sha").asText());
                info.putObject(a.path("name").asText()).put("encoding", a.path("content_type").asText());
            }
        }
        return objects.isEmpty() ? Optional.empty() : Optional.of(JSON.writeValueAsBytes(data));
    }

    private static List<String> names(List<JsonNode> list, String field) {
        List<String> names = new ArrayList<>();
        for (JsonNode o : list) {
            String n = o.path(field).asText("");
            if (!n.isEmpty() && !n.equals("_meta")) {
                names.add(n);
            }
        }
        names.sort(null);
        return names;
    }

    private static String objectPath(String[] p) {
        String[] kinds = {"/flows/", "/runs/", "/steps/", "/tasks/"};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < p.length; i++) {
            s.append(kinds[i]).append(p[i]);
        }
        return s.toString();
    }

    private static String[] parts(String path) {
        return path.isEmpty() ? new String[0] : path.split("/");
    }

    // ------------------------------------------------------------------ HTTP

    /** A list, page after page when the service pages ({@code X-Next-Cursor}); a missing parent is an empty list. */
    private List<JsonNode> list(String path) throws IOException {
        JsonNode cached;
        synchronized (this) {
            cached = answers.get(path);
        }
        if (cached != null) {
            List<JsonNode> items = new ArrayList<>();
            cached.forEach(items::add);
            return items;
        }
        List<JsonNode> items = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String cursor = null;
        for (int n = 0; n < MAX_PAGES; n++) {
            // only the runs and tasks listings are asked for in pages: their cursors are exact (the others' are a time, and
            // lose the rows of the same millisecond at a page's edge), and an older service ignores _limit
            boolean paged = path.endsWith("/runs") || path.endsWith("/tasks");
            Answer a = send(path, !paged ? null
                    : "_limit=" + PAGE + (cursor == null ? "" : "&_cursor=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            if (a.status() == 404) {
                break;
            }
            if (!a.body().isArray()) {
                throw new IOException("the Metaflow service at " + base + " answered GET " + path + " with no JSON array");
            }
            a.body().forEach(items::add);
            cursor = a.nextCursor();
            if (cursor == null || cursor.isEmpty()) {
                break;
            }
            if (!cursors.add(cursor)) {
                throw new IOException("the Metaflow service at " + base + " handed back the cursor '" + cursor + "' twice to GET " + path
                        + ": its listing loops, so it was not read");
            }
        }
        synchronized (this) {
            answers.put(path, JSON.valueToTree(items));
        }
        return items;
    }

    /** One object, or null when the service has none (404). */
    private JsonNode get(String path) throws IOException {
        synchronized (this) {
            if (answers.containsKey(path)) {
                return answers.get(path);
            }
        }
        Answer a = send(path, null);
        JsonNode o = a.status() == 404 ? null : a.body();
        synchronized (this) {
            answers.put(path, o);
        }
        return o;
    }

    private record Answer(int status, JsonNode body, String nextCursor) {
    }

    private Answer send(String path, String query) throws IOException {
        StringBuilder encoded = new StringBuilder();
        for (String segment : path.substring(1).split("/")) {
            // a run or task name may hold characters a path may not (a scheduler's run id)
            encoded.append('/').append(java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        URI uri = URI.create(base + encoded.toString() + (query == null ? "" : "?" + query));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        headers.forEach(b::header);
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException("the Metaflow service at " + base + " did not answer GET " + path + " within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new IOException("the Metaflow service at " + base + " is not reachable (GET " + path + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during GET " + path);
        }
        int status = response.statusCode();
        if (status == 404) {
            return new Answer(404, null, null);
        }
        if (status / 100 == 3) {
            throw new IOException("the Metaflow service at " + base + " answered " + status + " to GET " + path + ", redirecting to "
                    + response.headers().firstValue("Location").orElse("(no Location)") + ": redirects are not followed (they would carry "
                    + "the headers along); set service to where it points");
        }
        if (status == 401 || status == 403) {
            throw new IOException("the Metaflow service at " + base + " answered " + status + " to GET " + path + ": "
                    + (headers.isEmpty() ? "it wants credentials; set serviceAuthKey (x-api-key) or serviceHeaders"
                    : "it refused the configured credentials (" + String.join(", ", new TreeSet<>(headers.keySet())) + ")"));
        }
        if (status / 100 != 2) {
            String body = response.body() == null ? "" : response.body().strip().replaceAll("\\s+", " ");
            throw new IOException("the Metaflow service at " + base + " answered " + status + " to GET " + path
                    + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "…" : body)));
        }
        try {
            // the service sets no JSON content type (aiohttp's default is text/plain): the body is read as JSON whatever it says
            return new Answer(status, JSON.readTree(response.body()), response.headers().firstValue("X-Next-Cursor").orElse(null));
        } catch (JsonProcessingException e) {
            throw new IOException("the Metaflow service at " + base + " answered GET " + path + " with a body that is not JSON: "
                    + e.getOriginalMessage());
        }
    }
}
