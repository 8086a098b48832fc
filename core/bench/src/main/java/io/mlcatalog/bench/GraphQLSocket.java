package io.mlcatalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One WebSocket to the catalog's {@code /graphql} in the {@code graphql-transport-ws} protocol, as a dashboard holds it:
 * {@code connection_init} answered by {@code connection_ack}, then {@code subscribe} messages whose {@code next}
 * messages go to a {@link Handler}. Built on the JDK's {@link WebSocket}, so that many of them share one
 * {@link HttpClient} (one selector thread and its executor) rather than a thread each. Only what the benchmark needs:
 * no reconnecting, no queries over the socket.
 */
final class GraphQLSocket implements WebSocket.Listener {
    static final String SUBPROTOCOL = "graphql-transport-ws";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the socket receives. Called on the HttpClient's executor, one message of a socket at a time. */
    interface Handler {
        /** A {@code next} message of subscription {@code id}; {@code receivedNanos} is when its last fragment came in. */
        void next(String id, JsonNode payload, long receivedNanos);

        /** Anything a healthy subscription never sees: an {@code error}, a {@code complete}, the server closing, a failure. */
        void problem(String what);
    }

    private final Handler handler;
    private final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket ws;
    /** The last send: the JDK's WebSocket refuses a send while the previous one is still being written, so they are chained. */
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    private volatile boolean closing;

    private GraphQLSocket(Handler handler) {
        this.handler = handler;
    }

    /** Opens the WebSocket and completes once the server has acknowledged {@code connection_init}. */
    static CompletableFuture<GraphQLSocket> open(HttpClient client, String host, int port, Handler handler) {
        GraphQLSocket socket = new GraphQLSocket(handler);
        return client.newWebSocketBuilder()
                .subprotocols(SUBPROTOCOL)
                .connectTimeout(Duration.ofSeconds(30))
                .buildAsync(URI.create("ws://" + host + ":" + port + "/graphql"), socket)
                .thenCompose(ws -> socket.acknowledged)
                .thenApply(x -> socket);
    }

    /** Sends a {@code subscribe} message; its events come to the handler as {@code next} messages with this id. */
    void subscribe(String id, String query, Map<String, Object> variables) {
        ObjectNode m = JSON.createObjectNode().put("id", id).put("type", "subscribe");
        m.putObject("payload").put("query", query).set("variables", JSON.valueToTree(variables));
        send(m.toString());
    }

    /** Closes the connection normally; the server then ends its subscriptions. */
    CompletableFuture<?> close() {
        closing = true;
        synchronized (this) {
            sending = sending.exceptionally(e -> null).thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
            return sending;
        }
    }

    private void send(String text) {
        synchronized (this) {
            sending = sending.thenCompose(x -> ws.sendText(text, true));
            sending.exceptionally(e -> {
                if (!closing) {
                    handler.problem("a send failed: " + e);
                }
                return null;
            });
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        ws = webSocket;
        send("{\"type\":\"connection_init\",\"payload\":{}}");
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            long received = System.nanoTime();
            String text = partial.toString();
            partial.setLength(0);
            message(text, received);
        }
        webSocket.request(1);
        return null;
    }

    private void message(String text, long received) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (Exception e) {
            handler.problem("a message that is not JSON: " + excerpt(text));
            return;
        }
        String id = m.path("id").asText(null);
        switch (m.path("type").asText("")) {
            case "connection_ack" -> acknowledged.complete(null);
            case "next" -> handler.next(id, m.path("payload"), received);
            case "ping" -> send("{\"type\":\"pong\"}");
            case "pong" -> {
            }
            case "error" -> handler.problem("subscription " + id + ": error " + excerpt(m.path("payload").toString()));
            case "complete" -> handler.problem("subscription " + id + " was completed by the server");
            default -> handler.problem("an unexpected message: " + excerpt(text));
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (!closing) {
            handler.problem("the server closed the connection: " + statusCode + " " + reason);
        }
        acknowledged.completeExceptionally(new BenchException("closed before connection_ack: " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!closing) {
            handler.problem("the connection failed: " + error);
        }
        acknowledged.completeExceptionally(error);
    }

    private static String excerpt(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
