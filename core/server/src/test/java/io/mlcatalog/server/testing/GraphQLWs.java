package io.mlcatalog.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A graphql-transport-ws client for tests, on the JDK's WebSocket: what the server sends arrives in a queue, read with
 * a deadline ({@link #next}); the close code and reason, once the server closes.
 */
public final class GraphQLWs implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final WebSocket ws;
    private final BlockingQueue<JsonNode> messages;
    /** Messages received while waiting for another subscription's, in the order they came. */
    private final java.util.Deque<JsonNode> stashed = new java.util.ArrayDeque<>();
    public final CompletableFuture<Map.Entry<Integer, String>> closed;

    private GraphQLWs(WebSocket ws, Listener listener) {
        this.ws = ws;
        this.messages = listener.messages;
        this.closed = listener.closed;
    }

    /** Connects to {@code url} (http://…/graphql) with the subprotocol; {@code headers} on the upgrade request. */
    public static GraphQLWs connect(String url, Map<String, String> headers) {
        Listener listener = new Listener();
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
                .connectTimeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        WebSocket ws = b.buildAsync(URI.create(url.replaceFirst("^http", "ws")), listener).join();
        return new GraphQLWs(ws, listener);
    }

    /** Connects and initialises, with the token (null: none) in connection_init's payload; returns once acknowledged. */
    public static GraphQLWs open(String url, String token) {
        GraphQLWs c = connect(url, Map.of());
        c.send(token == null ? Map.of("type", "connection_init") : Map.of("type", "connection_init", "payload",
                Map.of("Authorization", "Bearer " + token)));
        JsonNode ack = c.next();
        if (!"connection_ack".equals(ack.path("type").asText())) {
            throw new IllegalStateException("no connection_ack: " + ack);
        }
        return c;
    }

    public void send(Map<String, ?> message) {
        try {
            ws.sendText(JSON.writeValueAsString(message), true).join();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void subscribe(String id, String query, Map<String, ?> variables) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("query", query);
        payload.put("variables", variables);
        send(Map.of("id", id, "type", "subscribe", "payload", payload));
    }

    public void complete(String id) {
        send(Map.of("id", id, "type", "complete"));
    }

    /** The next message, waiting at most {@link #WAIT}; fails when none comes. */
    public JsonNode next() {
        JsonNode set = stashed.poll();
        return set != null ? set : receive();
    }

    private JsonNode receive() {
        try {
            JsonNode m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + WAIT.toSeconds() + " s" + (closed.isDone() ? "; closed: " + closed.join() : ""));
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The next message of subscription {@code id}. Subscriptions on one connection are separate streams, each in order,
     * but not in order with each other: another's messages that come first are kept for {@link #next()} and their own
     * calls.
     */
    public JsonNode nextOf(String id) {
        for (java.util.Iterator<JsonNode> it = stashed.iterator(); it.hasNext(); ) {
            JsonNode m = it.next();
            if (id.equals(m.path("id").asText(null))) {
                it.remove();
                return m;
            }
        }
        while (true) {
            JsonNode m = receive();
            if (id.equals(m.path("id").asText(null))) {
                return m;
            }
            stashed.add(m);
        }
    }

    /** The next {@code next} message's event (data.events) of subscription {@code id}, failing on any other message of it. */
    public JsonNode nextEvent(String id) {
        JsonNode m = nextOf(id);
        if (!"next".equals(m.path("type").asText())) {
            throw new AssertionError("expected next of " + id + ", got " + m);
        }
        if (m.path("payload").has("errors")) {
            throw new AssertionError("errors: " + m.path("payload").path("errors"));
        }
        return m.path("payload").path("data").path("events");
    }

    /** The close code and reason, waiting at most {@link #WAIT}. */
    public Map.Entry<Integer, String> awaitClose() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        ws.abort();
    }

    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Map.Entry<Integer, String>> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    messages.add(JSON.readTree(text.toString()));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    ObjectNode bad = JSON.createObjectNode().put("type", "not-json").put("text", text.toString());
                    messages.add(bad);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(Map.entry(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
