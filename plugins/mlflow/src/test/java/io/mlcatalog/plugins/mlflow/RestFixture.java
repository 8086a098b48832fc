package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A loopback server answering as MLflow's tracking server does on {@code /api/2.0/mlflow/}, from a scenario: the
 * searches the plugin uses, in MLflow's JSON shapes (snake_case, enums by name, unset fields left out, NaN as a
 * string), paged with opaque page tokens at most {@code pageSize} items a page, its filter forms
 * {@code attributes.start_time >= N} and {@code attributes.run_id IN (…)}; prompts and deleted versions left out as MLflow
 * leaves them out. MLflow's auth app is played by {@link #token}: a request without it gets MLflow's plain-text 401.
 * Faults to test with: a run listing that loops, a registry the token may not read, an MLflow before 3.0.
 */
final class RestFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // the JDK's server writes a response's headers and body apart: without this, Nagle's algorithm and the client's
        // delayed ACK hold every answer back some 40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private static final Pattern START_FILTER = Pattern.compile("attributes\\.start_time >= (\\d+)");
    private static final Pattern IDS_FILTER = Pattern.compile("attributes\\.run_id IN \\((.*)\\)");

    volatile MlflowScenario scenario;
    volatile String token;
    volatile int pageSize = 2;
    /** The experiment whose run listing hands back the same page token forever, or null. */
    volatile String loopingExperiment;
    volatile boolean registryForbidden;
    volatile boolean before3;
    /** Answer runs/get with a 500 (a server in trouble), to test a parent that cannot be read. */
    volatile boolean runsGetFails;
    /** Answer every request with a redirect to another host (a load balancer sending to its login page). */
    volatile boolean redirect;
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    RestFixture(MlflowScenario scenario) throws IOException {
        this.scenario = scenario;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/2.0/mlflow/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String endpoint = x.getRequestURI().getPath().substring("/api/2.0/mlflow/".length());
            Map<String, String> query = query(x.getRequestURI().getRawQuery());
            JsonNode body = "POST".equals(x.getRequestMethod()) ? JSON.readTree(x.getRequestBody()) : JSON.createObjectNode();
            requests.add(x.getRequestMethod() + " " + endpoint + (body.isEmpty() ? "" : " " + body));
            if (token != null && !("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
                x.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"mlflow\"");
                send(x, 401, "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html"
                        + "#authenticating-to-mlflow on how to authenticate.", "text/plain");
                return;
            }
            if (redirect) {
                x.getResponseHeaders().add("Location", "https://login.example.com/?next=/api/2.0/mlflow/" + endpoint);
                send(x, 302, "", "text/plain");
                return;
            }
            if (runsGetFails && endpoint.equals("runs/get")) {
                send(x, 500, "{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"database is locked\"}", "application/json");
                return;
            }
            if (endpoint.startsWith("logged-models/") && "GET".equals(x.getRequestMethod())) {
                String id = endpoint.substring("logged-models/".length());
                MlflowScenario.LoggedModel m = before3 ? null
                        : scenario.loggedModels.stream().filter(l -> l.id().equals(id)).findFirst().orElse(null);
                if (m == null) {
                    send(x, 404, "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"Logged model not found\"}", "application/json");
                } else {
                    ObjectNode answer = JSON.createObjectNode();
                    answer.set("model", loggedModel(m));
                    send(x, 200, answer.toString(), "application/json");
                }
                return;
            }
            if (registryForbidden && endpoint.startsWith("registered-models") || registryForbidden && endpoint.startsWith("model-versions")) {
                send(x, 403, "Permission denied", "text/plain");
                return;
            }
            switch (x.getRequestMethod() + " " + endpoint) {
                case "POST experiments/search" -> page(x, "experiments", scenario.experiments.stream().map(this::experiment).toList(),
                        body.path("page_token").asText(null), body.path("max_results").asInt(1000));
                case "POST runs/search" -> runs(x, body);
                case "GET runs/get" -> {
                    MlflowScenario.Run r = scenario.runs.stream().filter(run -> run.id.equals(query.get("run_id"))).findFirst().orElse(null);
                    if (r == null) {
                        send(x, 404, "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"Run '" + query.get("run_id")
                                + "' not found\"}", "application/json");
                    } else {
                        ObjectNode answer = JSON.createObjectNode();
                        answer.set("run", run(r));
                        send(x, 200, answer.toString(), "application/json");
                    }
                }
                case "POST logged-models/search" -> {
                    if (before3) {
                        send(x, 404, "<!doctype html><title>404 Not Found</title>", "text/html");
                        return;
                    }
                    Set<String> experiments = new java.util.HashSet<>();
                    body.path("experiment_ids").forEach(e -> experiments.add(e.asText()));
                    page(x, "models", scenario.loggedModels.stream().filter(m -> experiments.contains(m.experimentId())).map(this::loggedModel)
                            .toList(), body.path("page_token").asText(null), Math.min(50, body.path("max_results").asInt(50)));
                }
                case "GET registered-models/search" -> page(x, "registered_models", scenario.models.stream()
                        .filter(m -> !m.tags.containsKey("mlflow.prompt.is_prompt")).map(this::model).toList(), query.get("page_token"),
                        Integer.parseInt(query.getOrDefault("max_results", "100")));
                case "GET model-versions/search" -> {
                    Set<String> prompts = scenario.models.stream().filter(m -> m.tags.containsKey("mlflow.prompt.is_prompt"))
                            .map(m -> m.name).collect(Collectors.toSet());
                    page(x, "model_versions", scenario.versions.stream().filter(v -> !"Deleted_Internal".equals(v.stage()))
                            .filter(v -> !prompts.contains(v.model())).map(this::version).toList(), query.get("page_token"),
                            Integer.parseInt(query.getOrDefault("max_results", "200000")));
                }
                default -> send(x, 404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"No such endpoint\"}", "application/json");
            }
        }
    }

    private void runs(HttpExchange x, JsonNode body) throws IOException {
        Set<String> experiments = new java.util.HashSet<>();
        body.path("experiment_ids").forEach(e -> experiments.add(e.asText()));
        String filter = body.path("filter").asText("");
        Matcher start = START_FILTER.matcher(filter);
        Matcher ids = IDS_FILTER.matcher(filter);
        Set<String> idSet = ids.matches() ? Pattern.compile("'([^']*)'").matcher(ids.group(1)).results().map(m -> m.group(1))
                .collect(Collectors.toSet()) : null;
        long from = start.matches() ? Long.parseLong(start.group(1)) : Long.MIN_VALUE;
        if (!filter.isEmpty() && !start.matches() && idSet == null) {
            send(x, 400, "{\"error_code\": \"INVALID_PARAMETER_VALUE\", \"message\": \"Invalid filter '" + filter + "'\"}", "application/json");
            return;
        }
        List<JsonNode> runs = scenario.runs.stream()
                .filter(r -> experiments.contains(r.experimentId) && "active".equals(r.lifecycleStage))
                .filter(r -> idSet == null ? r.start != null && r.start >= from : idSet.contains(r.id))
                .sorted(Comparator.comparing((MlflowScenario.Run r) -> r.start))
                .map(this::run).toList();
        if (loopingExperiment != null && experiments.contains(loopingExperiment)) {
            ObjectNode answer = JSON.createObjectNode();
            answer.putArray("runs").addAll(runs.subList(0, Math.min(1, runs.size())));
            answer.put("next_page_token", "eyJvZmZzZXQiOiAxfQ==");
            send(x, 200, answer.toString(), "application/json");
            return;
        }
        page(x, "runs", runs, body.path("page_token").asText(null), body.path("max_results").asInt(1000));
    }

    /** One page of a listing; the page token is MLflow-like opaque text holding the offset. */
    private void page(HttpExchange x, String field, List<JsonNode> all, String pageToken, int maxResults) throws IOException {
        int offset = pageToken == null || pageToken.isEmpty() ? 0
                : JSON.readTree(java.util.Base64.getDecoder().decode(pageToken)).path("offset").asInt();
        int size = Math.min(maxResults, pageSize);
        ObjectNode answer = JSON.createObjectNode();
        List<JsonNode> page = all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + size));
        if (!page.isEmpty()) {
            answer.putArray(field).addAll(page);
        }
        if (offset + size < all.size()) {
            answer.put("next_page_token", java.util.Base64.getEncoder().encodeToString(("{\"offset\": " + (offset + size) + "}").getBytes()));
        }
        send(x, 200, answer.toString(), "application/json");
    }

    private JsonNode experiment(MlflowScenario.Experiment e) {
        return JSON.createObjectNode().put("experiment_id", e.id()).put("name", e.name()).put("artifact_location", e.artifactLocation())
                .put("lifecycle_stage", e.lifecycleStage()).put("creation_time", MlflowScenario.T0 - 90_000_000)
                .put("last_update_time", MlflowScenario.T0);
    }

    private JsonNode run(MlflowScenario.Run r) {
        ObjectNode run = JSON.createObjectNode();
        ObjectNode info = run.putObject("info").put("run_id", r.id).put("run_uuid", r.id).put("run_name", r.name)
                .put("experiment_id", r.experimentId).put("user_id", r.user).put("status", r.status).put("start_time", r.start)
                .put("artifact_uri", r.artifactUri(scenario)).put("lifecycle_stage", r.lifecycleStage);
        if (r.end != null) {
            info.put("end_time", r.end);
        }
        ObjectNode data = run.putObject("data");
        Map<String, MlflowScenario.Metric> latest = new HashMap<>();
        r.metrics.forEach(m -> latest.merge(m.key(), m, (a, b) -> SqlStoreFixture.compare(b, a) > 0 ? b : a));
        if (!latest.isEmpty()) {
            ArrayNode metrics = data.putArray("metrics");
            latest.values().forEach(m -> {
                ObjectNode metric = metrics.addObject().put("key", m.key()).put("timestamp", m.timestamp()).put("step", m.step());
                if (Double.isNaN(m.value())) {
                    metric.put("value", "NaN"); // protobuf's JSON
                } else {
                    metric.put("value", m.value());
                }
            });
        }
        keyValues(data, "params", r.params);
        keyValues(data, "tags", r.tags);
        if (!r.datasets.isEmpty()) {
            ArrayNode inputs = run.putObject("inputs").putArray("dataset_inputs");
            for (MlflowScenario.Dataset d : r.datasets) {
                ObjectNode input = inputs.addObject();
                if (d.context() != null) {
                    input.putArray("tags").addObject().put("key", "mlflow.data.context").put("value", d.context());
                }
                ObjectNode dataset = input.putObject("dataset").put("name", d.name()).put("digest", d.digest()).put("source_type", d.sourceType())
                        .put("source", d.source());
                if (d.schema() != null) {
                    dataset.put("schema", d.schema());
                }
                if (d.profile() != null) {
                    dataset.put("profile", d.profile());
                }
            }
        }
        return run;
    }

    private JsonNode loggedModel(MlflowScenario.LoggedModel m) {
        ObjectNode model = JSON.createObjectNode();
        model.putObject("info").put("model_id", m.id()).put("experiment_id", m.experimentId()).put("name", m.name())
                .put("artifact_uri", m.artifactLocation()).put("creation_timestamp_ms", m.created()).put("last_updated_timestamp_ms", m.updated())
                .put("source_run_id", m.sourceRunId()).put("model_type", m.modelType())
                .put("status", switch (m.status()) {
                    case 1 -> "LOGGED_MODEL_PENDING";
                    case 2 -> "LOGGED_MODEL_READY";
                    case 3 -> "LOGGED_MODEL_UPLOAD_FAILED";
                    default -> "LOGGED_MODEL_STATUS_UNSPECIFIED";
                });
        keyValues(model.putObject("data"), "params", m.params());
        return model;
    }

    private JsonNode model(MlflowScenario.Model m) {
        ObjectNode model = JSON.createObjectNode().put("name", m.name).put("creation_timestamp", m.created).put("last_updated_timestamp", m.created);
        if (!m.aliases.isEmpty()) {
            ArrayNode aliases = model.putArray("aliases");
            m.aliases.forEach((alias, version) -> aliases.addObject().put("alias", alias).put("version", version.toString()));
        }
        keyValues(model, "tags", m.tags);
        return model;
    }

    private JsonNode version(MlflowScenario.Version v) {
        ObjectNode version = JSON.createObjectNode().put("name", v.model()).put("version", Integer.toString(v.version()))
                .put("creation_timestamp", v.created()).put("last_updated_timestamp", v.updated()).put("current_stage", v.stage())
                .put("source", v.source()).put("status", v.status());
        if (v.description() != null) {
            version.put("description", v.description());
        }
        if (v.runId() != null) {
            version.put("run_id", v.runId());
        }
        // MLflow's REST model version has no storage location (model_registry.proto): a version of a logged model says models:/m-…
        List<String> aliases = new ArrayList<>();
        scenario.models.stream().filter(m -> m.name.equals(v.model())).forEach(m -> m.aliases.forEach((a, n) -> {
            if (n == v.version()) {
                aliases.add(a);
            }
        }));
        if (!aliases.isEmpty()) {
            ArrayNode list = version.putArray("aliases");
            aliases.forEach(list::add);
        }
        keyValues(version, "tags", v.tags());
        return version;
    }

    private static void keyValues(ObjectNode parent, String field, Map<String, String> values) {
        if (!values.isEmpty()) {
            ArrayNode list = parent.putArray(field);
            values.forEach((k, v) -> list.addObject().put("key", k).put("value", v));
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void send(HttpExchange x, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }
}
