package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A loopback server answering as Metaflow's metadata service does, from the records a datastore's local metadata
 * provider wrote (the {@code _meta} folders hold the same records the service keeps): {@code GET /flows}, a flow, its
 * runs, a run, its steps, a step's tasks, a task, its metadata and its artifacts (of its latest attempt); bare JSON
 * arrays, {@code 404 {}} for a missing object, {@code []} for a missing parent's list, no JSON content type (aiohttp's
 * text/plain), the service's version header. When asked with {@code _limit} it pages with {@code X-Next-Cursor}
 * (at most {@link #pageSize} a page), as newer services do. With {@link #apiKey} set, it wants that {@code x-api-key},
 * as an API gateway in front of the service does.
 */
final class MetadataServiceFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // the JDK's server writes a response's headers and body apart: without this, Nagle's algorithm and the client's
        // delayed ACK hold every answer back some 40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private final Path datastore;
    private final HttpServer server;
    volatile String apiKey;
    volatile int pageSize = 3;
    /** A listing (by path) whose cursor comes back the same forever, or null. */
    volatile String loopingPath;
    final List<String> requests = new CopyOnWriteArrayList<>();

    MetadataServiceFixture(Path datastore) throws IOException {
        this.datastore = datastore;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/", this::handle);
        server.start();
    }

    /** The service's URL, with the path prefix an API gateway stage gives it. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            answer(x);
        } catch (Throwable e) {
            // as the service answers an unhandled exception; a test sees why in its poll's error
            send(x, 500, "{\"title\": \"Internal Server Error\", \"detail\": \"" + e + "\"}", null);
        }
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath().substring("/api".length());
        Map<String, String> query = query(x.getRequestURI().getRawQuery());
        requests.add(path + (query.isEmpty() ? "" : "?" + x.getRequestURI().getRawQuery()));
        x.getResponseHeaders().add("METADATA_SERVICE_VERSION", "2.4.0");
        if (apiKey != null && !apiKey.equals(x.getRequestHeaders().getFirst("x-api-key"))) {
            send(x, 403, "{\"message\":\"Forbidden\"}", null);
            return;
        }
        if (path.equals("/ping")) {
            send(x, 200, "pong", null);
            return;
        }
        String[] p = path.substring(1).split("/");
        // /flows/<f>/runs/<r>/steps/<s>/tasks/<t>[/metadata|/artifacts]
        List<String> names = new ArrayList<>();
        for (int i = 1; i < p.length; i += 2) {
            names.add(p[i]);
        }
        Path dir = datastore;
        for (String n : names) {
            dir = dir.resolve(n);
        }
        boolean list = p.length % 2 == 1;
        if (!list) {
            Path self = dir.resolve("_meta/_self.json");
            send(x, Files.isRegularFile(self) ? 200 : 404, Files.isRegularFile(self) ? asService(JSON.readTree(self.toFile())).toString() : "{}",
                    null);
            return;
        }
        String what = p[p.length - 1];
        Path parent = names.isEmpty() ? datastore : dir;
        List<JsonNode> items = new ArrayList<>();
        switch (what) {
            case "flows", "runs", "steps", "tasks" -> {
                for (Path child : children(parent)) {
                    Path self = child.resolve("_meta/_self.json");
                    if (Files.isRegularFile(self)) {
                        items.add(JSON.readTree(self.toFile()));
                    }
                }
            }
            case "metadata" -> {
                for (Path f : children(parent.resolve("_meta"))) {
                    if (f.getFileName().toString().startsWith("sysmeta_")) {
                        items.add(JSON.readTree(f.toFile()));
                    }
                }
            }
            case "artifacts" -> {
                int latest = -1;
                List<Path> files = children(parent.resolve("_meta"));
                for (Path f : files) {
                    String n = f.getFileName().toString();
                    if (n.matches("\\d+_artifact_.*\\.json")) {
                        latest = Math.max(latest, Integer.parseInt(n.substring(0, n.indexOf('_'))));
                    }
                }
                for (Path f : files) {
                    if (f.getFileName().toString().startsWith(latest + "_artifact_")) {
                        items.add(JSON.readTree(f.toFile()));
                    }
                }
            }
            default -> {
                send(x, 404, "{}", null);
                return;
            }
        }
        page(x, path, items, query);
    }

    private void page(HttpExchange x, String path, List<JsonNode> items, Map<String, String> query) throws IOException {
        String next = null;
        List<JsonNode> page = items;
        if (query.containsKey("_limit")) {
            int offset = query.containsKey("_cursor") ? Integer.parseInt(new String(java.util.Base64.getDecoder().decode(query.get("_cursor")))) : 0;
            int size = Math.min(pageSize, Integer.parseInt(query.get("_limit")));
            page = items.subList(Math.min(offset, items.size()), Math.min(items.size(), offset + size));
            if (offset + size < items.size()) {
                next = java.util.Base64.getEncoder().encodeToString(Integer.toString(offset + size).getBytes());
            }
            if (path.equals(loopingPath)) {
                next = java.util.Base64.getEncoder().encodeToString("0".getBytes());
            }
        }
        ArrayNode body = JSON.createArrayNode();
        page.forEach(o -> body.add(asService(o)));
        send(x, 200, body.toString(), next);
    }

    /**
     * A record as the service answers it: the local provider writes a run's and a task's number as text, the service as
     * the number it is (a name, a scheduler's run id, stays text).
     */
    private static JsonNode asService(JsonNode record) {
        if (record instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            for (String field : List.of("run_number", "task_id")) {
                String v = o.path(field).asText("");
                if (v.matches("\\d{1,18}")) {
                    o.put(field, Long.parseLong(v));
                }
            }
        }
        return record;
    }

    private static List<Path> children(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void send(HttpExchange x, int status, String body, String nextCursor) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        if (nextCursor != null) {
            x.getResponseHeaders().add("X-Next-Cursor", nextCursor);
        }
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }
}
