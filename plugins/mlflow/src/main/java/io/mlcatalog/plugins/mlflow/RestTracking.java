package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import static io.mlcatalog.plugins.mlflow.Fields.number;
import static io.mlcatalog.plugins.mlflow.Fields.text;

/**
 * MLflow read over its REST API ({@code /api/2.0/mlflow/}), as an MLflow client does: searches paged with
 * {@code page_token}, a bearer token or basic authentication. A page token MLflow hands back twice stops the listing
 * with an error (a server that loops would otherwise be read forever).
 */
final class RestTracking implements Tracking {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/2.0/mlflow/";
    /** MLflow answers at most this many logged models per page. */
    private static final int LOGGED_MODELS_PAGE = 50;
    /** MLflow answers at most this many registered models per page. */
    private static final int REGISTERED_MODELS_PAGE = 1000;
    /** Run ids asked for in one {@code attributes.run_id IN (…)} filter. */
    private static final int IDS_PER_FILTER = 100;
    private static final int MAX_PAGES = 100_000;

    /** How requests sign in: a bearer token, basic authentication, or not at all. Never shown. */
    record Credentials(String authorization) {
        static Credentials of(String token, String user, String password) {
            if (token != null) {
                return new Credentials("Bearer " + token);
            }
            if (user != null) {
                return new Credentials("Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
            }
            return new Credentials(null);
        }

        @Override
        public String toString() {
            return authorization == null ? "none" : authorization.substring(0, authorization.indexOf(' ')) + " ***";
        }
    }

    private final URI base;
    private final Credentials credentials;
    private final int pageSize;
    private final Duration timeout;
    private final HttpClient http;

    RestTracking(URI base, Credentials credentials, int pageSize, Duration timeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.credentials = credentials;
        this.pageSize = pageSize;
        this.timeout = timeout;
        // redirects are not followed: one would carry the credentials to another host, and turn a search's POST into a GET
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String describe() {
        return "MLflow at " + base;
    }

    @Override
    public Listing<Experiment> experiments() throws IOException {
        List<Experiment> result = new ArrayList<>();
        ObjectNode body = JSON.createObjectNode().put("max_results", Math.min(pageSize, 50_000)).put("view_type", "ALL");
        pages("experiments/search", "", body, "experiments", e -> result.add(new Experiment(text(e, "experiment_id"), text(e, "name"),
                text(e, "artifact_location"), text(e, "lifecycle_stage"))));
        return Listing.of(result);
    }

    @Override
    public Listing<Run> runs(Experiment experiment, long start, String afterId, int limit) throws IOException {
        List<Run> runs = new ArrayList<>();
        ObjectNode body = JSON.createObjectNode();
        body.putArray("experiment_ids").add(experiment.id());
        body.put("run_view_type", "ACTIVE_ONLY");
        body.putArray("order_by").add("attributes.start_time ASC");
        if (start > 0) {
            body.put("filter", "attributes.start_time >= " + start);
        }
        searchRuns(body, " (experiment " + experiment.id() + ")", run -> {
            long started = run.startTime() == null ? 0 : run.startTime();
            // MLflow's filter has no OR: the runs of the same millisecond up to afterId were read already
            if (afterId == null || started > start || run.id().compareTo(afterId) > 0) {
                runs.add(run);
            }
            return runs.size() < limit;
        });
        runs.sort(java.util.Comparator.comparing((Run r) -> r.startTime() == null ? 0L : r.startTime()).thenComparing(Run::id));
        return Listing.of(runs);
    }

    @Override
    public Listing<Run> runsById(Experiment experiment, Set<String> ids) throws IOException {
        Map<String, Run> runs = new LinkedHashMap<>();
        List<String> list = List.copyOf(ids);
        for (int i = 0; i < list.size(); i += IDS_PER_FILTER) {
            List<String> chunk = list.subList(i, Math.min(list.size(), i + IDS_PER_FILTER));
            ObjectNode byId = JSON.createObjectNode();
            byId.putArray("experiment_ids").add(experiment.id());
            byId.put("run_view_type", "ACTIVE_ONLY");
            byId.put("filter", "attributes.run_id IN (" + String.join(",", chunk.stream().map(id -> "'" + id.replace("'", "") + "'").toList()) + ")");
            searchRuns(byId, " (experiment " + experiment.id() + ")", r -> {
                runs.put(r.id(), r);
                return true;
            });
        }
        return Listing.of(List.copyOf(runs.values()));
    }

    private void searchRuns(ObjectNode body, String what, Function<Run, Boolean> each) throws IOException {
        body.put("max_results", pageSize);
        pagesWhile("runs/search", what, body, "runs", run -> each.apply(run(run)));
    }

    @Override
    public Optional<Run> run(String id) throws IOException {
        Response r = send("GET", "runs/get?run_id=" + URLEncoder.encode(id, StandardCharsets.UTF_8), "", null, true);
        return r.status() == 404 ? Optional.empty() : Optional.of(run(r.body().path("run"))).filter(run -> !"deleted".equals(run.lifecycleStage()));
    }

    @Override
    public Optional<LoggedModel> loggedModel(String id) throws IOException {
        // an MLflow before 3.0 answers 404 for the route: it has no logged models
        Response r = send("GET", "logged-models/" + URLEncoder.encode(id, StandardCharsets.UTF_8), "", null, true);
        return r.status() == 404 ? Optional.empty() : Optional.of(loggedModel(r.body().path("model")));
    }

    @Override
    public Listing<LoggedModel> loggedModels(Experiment experiment, long updatedFrom) throws IOException {
        List<LoggedModel> models = new ArrayList<>();
        ObjectNode body = JSON.createObjectNode().put("max_results", LOGGED_MODELS_PAGE);
        body.putArray("experiment_ids").add(experiment.id());
        // an MLflow before 3.0 has no logged models: its 404 for the endpoint means none
        boolean supported = pagesWhile("logged-models/search", " (experiment " + experiment.id() + ")", body, "models", m -> {
            LoggedModel model = loggedModel(m);
            if (model.updated() == null || model.updated() >= updatedFrom) {
                models.add(model);
            }
            return true;
        }, true);
        return Listing.of(supported ? models : List.of());
    }

    @Override
    public Listing<RegisteredModel> registeredModels() throws IOException {
        List<RegisteredModel> models = new ArrayList<>();
        pagesGet("registered-models/search", Math.min(pageSize, REGISTERED_MODELS_PAGE), "registered_models", m -> {
            Map<String, String> aliases = new LinkedHashMap<>();
            for (JsonNode a : m.path("aliases")) {
                if (text(a, "alias") != null && text(a, "version") != null) {
                    aliases.put(text(a, "alias"), text(a, "version"));
                }
            }
            models.add(new RegisteredModel(text(m, "name"), aliases, keyValues(m.path("tags"))));
        });
        return Listing.of(models);
    }

    @Override
    public Listing<ModelVersion> modelVersions() throws IOException {
        List<ModelVersion> versions = new ArrayList<>();
        pagesGet("model-versions/search", pageSize, "model_versions", v -> versions.add(new ModelVersion(text(v, "name"), text(v, "version"),
                number(v, "creation_timestamp"), number(v, "last_updated_timestamp"), text(v, "description"), text(v, "user_id"),
                text(v, "current_stage"), text(v, "source"), null, text(v, "run_id"), text(v, "status"), keyValues(v.path("tags")))));
        return Listing.of(versions);
    }

    // ------------------------------------------------------------------ the REST shapes

    private static Run run(JsonNode run) {
        JsonNode info = run.path("info");
        JsonNode data = run.path("data");
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (JsonNode m : data.path("metrics")) {
            JsonNode v = m.path("value");
            // protobuf's JSON writes NaN and the infinities as strings
            metrics.put(text(m, "key"), v.isNumber() ? v.asDouble() : v.isTextual() ? parseDouble(v.asText()) : null);
        }
        List<DatasetInput> datasets = new ArrayList<>();
        for (JsonNode input : run.path("inputs").path("dataset_inputs")) {
            JsonNode d = input.path("dataset");
            datasets.add(new DatasetInput(text(d, "name"), text(d, "digest"), text(d, "source_type"), text(d, "source"),
                    text(d, "schema"), text(d, "profile"), keyValues(input.path("tags")).get("mlflow.data.context")));
        }
        return new Run(RecordMapper.first(text(info, "run_id"), text(info, "run_uuid")), text(info, "experiment_id"), text(info, "run_name"),
                text(info, "user_id"), text(info, "status"), number(info, "start_time"), number(info, "end_time"), text(info, "artifact_uri"),
                text(info, "lifecycle_stage"), keyValues(data.path("params")), metrics, keyValues(data.path("tags")), datasets);
    }

    private static LoggedModel loggedModel(JsonNode m) {
        JsonNode info = m.path("info");
        return new LoggedModel(text(info, "model_id"), text(info, "experiment_id"), text(info, "name"), text(info, "artifact_uri"),
                number(info, "creation_timestamp_ms"), number(info, "last_updated_timestamp_ms"), text(info, "source_run_id"),
                loggedModelStatus(text(info, "status")), text(info, "model_type"), null, keyValues(m.path("data").path("params")));
    }

    private static String loggedModelStatus(String s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "LOGGED_MODEL_READY" -> "READY";
            case "LOGGED_MODEL_PENDING" -> "PENDING";
            case "LOGGED_MODEL_UPLOAD_FAILED" -> "FAILED";
            default -> "UNSPECIFIED";
        };
    }

    private static Map<String, String> keyValues(JsonNode list) {
        Map<String, String> map = new LinkedHashMap<>();
        for (JsonNode kv : list) {
            String key = text(kv, "key");
            if (key != null) {
                map.put(key, kv.path("value").isNull() || kv.path("value").isMissingNode() ? "" : kv.path("value").asText());
            }
        }
        return map;
    }

    private static Double parseDouble(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
        };
    }



    // ------------------------------------------------------------------ paging and HTTP

    private void pages(String endpoint, String what, ObjectNode body, String field, Consumer<JsonNode> each) throws IOException {
        pagesWhile(endpoint, what, body, field, n -> {
            each.accept(n);
            return true;
        });
    }

    private void pagesWhile(String endpoint, String what, ObjectNode body, String field, Function<JsonNode, Boolean> each) throws IOException {
        pagesWhile(endpoint, what, body, field, each, false);
    }

    /** POSTs a search, page after page; returns false when the endpoint is not there (404) and {@code absentIsEmpty}. */
    private boolean pagesWhile(String endpoint, String what, ObjectNode body, String field, Function<JsonNode, Boolean> each,
                               boolean absentIsEmpty) throws IOException {
        Set<String> seen = new HashSet<>();
        ObjectNode page = body.deepCopy();
        for (int n = 0; n < MAX_PAGES; n++) {
            Response r = send("POST", endpoint, what, page, absentIsEmpty);
            if (r.status() == 404) {
                return false;
            }
            for (JsonNode item : r.body().path(field)) {
                if (!each.apply(item)) {
                    return true;
                }
            }
            String token = text(r.body(), "next_page_token");
            if (token == null || token.isEmpty()) {
                return true;
            }
            if (!seen.add(token)) {
                throw new IOException(describe() + " handed back the page token '" + excerpt(token) + "' twice to POST " + API + endpoint + what
                        + ": its listing loops, so it was not read");
            }
            page.put("page_token", token);
        }
        throw new IOException(describe() + " answered over " + MAX_PAGES + " pages to POST " + API + endpoint + what + ": not read");
    }

    /** GETs a search, page after page. */
    private void pagesGet(String endpoint, int maxResults, String field, Consumer<JsonNode> each) throws IOException {
        Set<String> seen = new HashSet<>();
        String token = null;
        for (int n = 0; n < MAX_PAGES; n++) {
            String query = endpoint + "?max_results=" + maxResults
                    + (token == null ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            Response r = send("GET", query, "", null, false);
            r.body().path(field).forEach(each);
            token = text(r.body(), "next_page_token");
            if (token == null || token.isEmpty()) {
                return;
            }
            if (!seen.add(token)) {
                throw new IOException(describe() + " handed back the page token '" + excerpt(token) + "' twice to GET " + API + endpoint
                        + ": its listing loops, so it was not read");
            }
        }
        throw new IOException(describe() + " answered over " + MAX_PAGES + " pages to GET " + API + endpoint + ": not read");
    }

    private record Response(int status, JsonNode body) {
    }

    /** One request; a 404 comes back as such when {@code notFoundIsAnswer}, every other failure is an IOException saying what. */
    private Response send(String method, String endpoint, String what, JsonNode body, boolean notFoundIsAnswer) throws IOException {
        String path = API + endpoint;
        String request = method + " " + (path.contains("?") ? path.substring(0, path.indexOf('?')) : path) + what;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Accept", "application/json");
        if (credentials.authorization() != null) {
            b.header("Authorization", credentials.authorization());
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException(describe() + " did not answer " + request + " within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new IOException(describe() + " not reachable (" + request + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during " + request);
        }
        int status = response.statusCode();
        if (status == 404 && notFoundIsAnswer) {
            return new Response(404, JSON.nullNode());
        }
        if (status == 401) {
            throw new IOException(describe() + " answered 401 Unauthorized to " + request + ": "
                    + (credentials.authorization() == null ? "it wants credentials; set token, or username and password"
                    : "it refused the credentials (" + credentials + ")"));
        }
        if (status / 100 == 3) {
            throw new IOException(describe() + " answered " + status + " to " + request + ", redirecting to "
                    + response.headers().firstValue("Location").orElse("(no Location)") + ": redirects are not followed (they would "
                    + "carry the credentials along); set trackingUri to where MLflow is");
        }
        if (status == 403) {
            throw new IOException(describe() + " answered 403 Forbidden to " + request + ": the credentials may not read this"
                    + errorText(response.body()));
        }
        if (status / 100 != 2) {
            throw new IOException(describe() + " answered " + status + " to " + request + errorText(response.body()));
        }
        try {
            JsonNode json = JSON.readTree(response.body());
            if (json == null || !json.isObject()) {
                throw new IOException(describe() + " answered " + request + " with a body that is not a JSON object");
            }
            return new Response(status, json);
        } catch (JsonProcessingException e) {
            throw new IOException(describe() + " answered " + request + " with a body that is not JSON: " + e.getOriginalMessage());
        }
    }

    /** MLflow's {@code {"error_code", "message"}}, or the start of a plain body (its auth app answers in text). */
    private static String errorText(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode e = JSON.readTree(body);
            if (e != null && e.isObject() && (e.has("error_code") || e.has("message"))) {
                return ": " + (e.has("error_code") ? e.path("error_code").asText() + ": " : "") + excerpt(e.path("message").asText());
            }
        } catch (JsonProcessingException ignored) {
            // a plain body: shown as it is
        }
        return ": " + excerpt(body.strip());
    }

    private static String excerpt(String s) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
