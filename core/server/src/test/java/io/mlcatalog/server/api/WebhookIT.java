package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.webhooks.Signatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outgoing webhooks against a loopback receiver that answers, fails, hangs and recovers. (The tests' JVM runs the
 * retry schedule in milliseconds and gives a receiver 1 s: see the failsafe configuration.)
 */
class WebhookIT {
    static final String ADMIN = "admin-token-for-the-webhook-test-000000001";
    static final ObjectMapper JSON = new ObjectMapper();
    static TestCatalog catalog;

    /** A request the receiver got. */
    record Received(Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst()
                    .orElse(null);
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    HttpServer receiver;
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** attempt number (1, 2, …) → the status to answer; 0: hang until released */
    volatile IntUnaryOperator answer = n -> 200;
    final AtomicInteger attempts = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @BeforeEach
    void receiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.createContext("/hook", x -> {
            try (x) {
                byte[] body = x.getRequestBody().readAllBytes();
                received.add(new Received(Map.copyOf(x.getRequestHeaders()), body));
                int status = answer.applyAsInt(attempts.incrementAndGet());
                if (status == 0) {
                    release.await(30, TimeUnit.SECONDS);
                    status = 200;
                }
                x.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        release.countDown();
        receiver.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    static JsonNode admin(String query, Map<String, ?> variables) {
        return catalog.graphql(ADMIN, query, variables).ok();
    }

    static String webhook(String name, String url, String namespace) {
        return admin("""
                mutation($i: WebhookInput!) { createWebhook(input: $i) { secret webhook { name url filter active origin } } }""",
                Map.of("i", Map.of("name", name, "url", url, "filter", Map.of("namespace", namespace, "kinds", List.of("RUN_CREATED")))))
                .path("createWebhook").path("secret").asText();
    }

    static void run(String namespace, String name) {
        admin("mutation($i: RunInput!) { upsertRun(input: $i) { id } }", Map.of("i", Map.of("namespace", namespace, "name", name,
                "status", "RUNNING")));
    }

    static JsonNode deliveries(String webhook) {
        return admin("query($n: String!) { webhook(name: $n) { deliveries(first: 50) { id sequence status attempts lastStatus lastError "
                + "deliveredAt } } }", Map.of("n", webhook)).path("webhook").path("deliveries");
    }

    /** Waits (reading the delivery log again and again) until the webhook's newest delivery has this status. */
    static JsonNode awaitDelivery(String webhook, String status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode d;
        do {
            d = deliveries(webhook).path(0);
            if (status.equals(d.path("status").asText())) {
                return d;
            }
            pause();
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no delivery " + status + " within 30 s: " + deliveries(webhook));
    }

    /** Between two reads of the delivery log. */
    static void pause() {
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
    }

    Received next() throws InterruptedException {
        Received r = received.poll(30, TimeUnit.SECONDS);
        assertThat(r).as("a request within 30 s").isNotNull();
        return r;
    }

    @Test
    void anEventIsPostedSignedWithItsIdempotencyKey() throws Exception {
        String secret = webhook("signed", url(), "wh-signed");
        assertThat(secret).startsWith("whsec_");
        run("wh-other", "not-for-it");
        run("wh-signed", "train-1");
        Received r = next();
        assertThat(Signatures.verify(secret, r.header(Signatures.HEADER), r.body())).isTrue();
        assertThat(Signatures.verify("another-secret-of-16+", r.header(Signatures.HEADER), r.body())).isFalse();
        long t = Long.parseLong(r.header(Signatures.HEADER).replaceAll("^t=(\\d+),.*", "$1"));
        assertThat(Math.abs(Instant.now().getEpochSecond() - t)).isLessThan(300);
        JsonNode body = r.json();
        assertThat(body.path("kind").asText()).isEqualTo("RUN_CREATED");
        assertThat(body.path("namespace").asText()).isEqualTo("wh-signed");
        assertThat(body.path("entity").path("type").asText()).isEqualTo("Run");
        assertThat(body.path("after").path("status").asText()).isEqualTo("RUNNING");
        assertThat(r.header("Idempotency-Key")).isEqualTo(body.path("idempotencyKey").asText()).isEqualTo(r.header("X-MLCatalog-Delivery"));
        assertThat(r.header("X-MLCatalog-Event")).isEqualTo("RUN_CREATED");
        JsonNode d = awaitDelivery("signed", "DELIVERED");
        assertThat(d.path("attempts").asInt()).isEqualTo(1);
        assertThat(d.path("lastStatus").asInt()).isEqualTo(200);
        assertThat(d.path("sequence").asLong()).isEqualTo(body.path("sequence").asLong());
        assertThat(deliveries("signed").size()).as("one event matched the filter").isEqualTo(1);
        // the secret is shown once, never again, and not in the log
        assertThat(admin("{ webhooks { name url filter } }", Map.of()).toString()).doesNotContain(secret);
    }

    @Test
    void aReceiverThatFailsIsTriedAgainUntilItTakesTheEventWithTheSameKey() throws Exception {
        answer = n -> n <= 3 ? 503 : 200;
        webhook("flaky", url(), "wh-flaky");
        run("wh-flaky", "train-1");
        JsonNode d = awaitDelivery("flaky", "DELIVERED");
        assertThat(d.path("attempts").asInt()).isEqualTo(4);
        List<String> keys = received.stream().map(x -> x.header("Idempotency-Key")).distinct().toList();
        assertThat(received).hasSize(4);
        assertThat(keys).hasSize(1);
    }

    @Test
    void aReceiverThatHangsNeitherHoldsTheCatalogNorItsOwnDelivery() throws Exception {
        answer = n -> n == 1 ? 0 : 200;
        webhook("hanging", url(), "wh-hang");
        run("wh-hang", "first");
        next(); // it is holding the first request now
        for (int i = 0; i < 20; i++) {
            run("wh-hang", "meanwhile-" + i); // every write is answered while the receiver hangs
        }
        assertThat(catalog.count("select count(*) from run where namespace = 'wh-hang'")).isEqualTo(21);
        // the hanging attempt is given up after the timeout and tried again; the others are delivered
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (deliveries("hanging").findValuesAsText("status").stream().anyMatch(s -> !s.equals("DELIVERED")) && System.nanoTime() < deadline) {
            pause();
        }
        JsonNode all = deliveries("hanging");
        assertThat(all.findValuesAsText("status")).hasSize(21).containsOnly("DELIVERED");
        JsonNode first = all.get(all.size() - 1);
        assertThat(first.path("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void aDeadReceiverFailsAfterTheLastAttemptAndARedeliveryGoesOutOnceItIsBack() throws Exception {
        answer = n -> 500;
        webhook("dead", url(), "wh-dead");
        run("wh-dead", "train-1");
        JsonNode failed = awaitDelivery("dead", "FAILED");
        assertThat(failed.path("attempts").asInt()).isEqualTo(10);
        assertThat(failed.path("lastStatus").asInt()).isEqualTo(500);
        assertThat(failed.path("lastError").asText()).startsWith("answered 500");
        String key = received.peek().header("Idempotency-Key");

        answer = n -> 200;
        received.clear();
        JsonNode again = admin("mutation($d: ID!) { redeliverWebhook(delivery: $d) { status attempts } }", Map.of("d", failed.path("id").asText()))
                .path("redeliverWebhook");
        assertThat(again.path("status").asText()).isEqualTo("PENDING");
        assertThat(next().header("Idempotency-Key")).isEqualTo(key);
        assertThat(awaitDelivery("dead", "DELIVERED").path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void onlyAdminsManageWebhooks() {
        String reader = catalog.graphql(ADMIN, "mutation { createToken(input: {name: \"wh-reader\", role: READER, namespaces: [\"*\"]}) { token } }")
                .ok().path("createToken").path("token").asText();
        assertThat(catalog.graphql(reader, "{ webhooks { name } }", Map.of()).errorCode()).isEqualTo("FORBIDDEN");
        assertThat(catalog.graphql(reader, "mutation { createWebhook(input: {name: \"x\", url: \"http://127.0.0.1:1/\"}) { secret } }", Map.of())
                .errorCode()).isEqualTo("FORBIDDEN");
        assertThat(catalog.graphql(ADMIN, "mutation { createWebhook(input: {name: \"Bad Name\", url: \"http://127.0.0.1:1/\"}) { secret } }",
                Map.of()).errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(catalog.graphql(ADMIN, "mutation { createWebhook(input: {name: \"ftp\", url: \"ftp://host/x\"}) { secret } }", Map.of())
                .errorMessage()).contains("http(s)://");
    }

    @Test
    void aWebhookOfTheConfigurationIsMadeAtStartSignsWithItsSecretAndIsChangedOnlyThere(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("mlcatalog.yaml");
        java.nio.file.Files.writeString(file, """
                webhooks:
                  - name: cd-config
                    url: %s
                    secret: ${env:CD_SECRET}
                    filter: {namespace: wh-config, kinds: [RUN_CREATED]}
                """.formatted(url()));
        String secret = "configured-secret-0123456789";
        var config = new io.mlcatalog.server.config.ServerConfig("127.0.0.1", 0, dir, catalog.database().jdbcUrl(), 4,
                io.mlcatalog.server.config.Limits.DEFAULT, new io.mlcatalog.server.config.ServerConfig.Plugins(file, null, false));
        try (var server = io.mlcatalog.server.CatalogServer.start(config, Map.of("CD_SECRET", secret)::get)) {
            // another node on the same database: the webhook is the database's, delivered by whichever node
            run("wh-config", "train-1");
            Received r = next();
            assertThat(Signatures.verify(secret, r.header(Signatures.HEADER), r.body())).isTrue();
            JsonNode hook = admin("{ webhook(name: \"cd-config\") { origin active filter } }", Map.of()).path("webhook");
            assertThat(hook.path("origin").asText()).isEqualTo("config");
            assertThat(hook.path("filter").toString()).isEqualTo("{\"kinds\":[\"RUN_CREATED\"],\"namespace\":\"wh-config\"}");
            assertThat(catalog.graphql(ADMIN, "mutation { updateWebhook(name: \"cd-config\", active: false) { name } }", Map.of()).errorMessage())
                    .contains("mlcatalog.yaml");
            assertThat(catalog.graphql(ADMIN, "mutation { deleteWebhook(name: \"cd-config\") }", Map.of()).errorMessage())
                    .contains("mlcatalog.yaml");
            assertThat(awaitDelivery("cd-config", "DELIVERED").path("attempts").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aConfiguredNameAMutationsWebhookHasRefusesTheWholeConfiguration(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        webhook("taken", url(), "wh-taken");
        java.nio.file.Path file = dir.resolve("mlcatalog.yaml");
        java.nio.file.Files.writeString(file, """
                webhooks:
                  - name: listed-first
                    url: %1$s
                    secret: listed-first-secret-0123
                  - name: taken
                    url: %1$s
                    secret: taken-secret-0123456789
                """.formatted(url()));
        var config = new io.mlcatalog.server.config.ServerConfig("127.0.0.1", 0, dir, catalog.database().jdbcUrl(), 4,
                io.mlcatalog.server.config.Limits.DEFAULT, new io.mlcatalog.server.config.ServerConfig.Plugins(file, null, false));
        Throwable refused = null;
        try (var server = io.mlcatalog.server.CatalogServer.start(config, Map.<String, String>of()::get)) {
            assertThat(server).as("a server that started").isNull();
        } catch (RuntimeException e) {
            refused = e;
        }
        StringBuilder messages = new StringBuilder();
        for (Throwable t = refused; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertThat(messages.toString()).contains("webhook 'taken' exists already").contains("give the configured one another name");
        // refused whole: the webhook listed before it was not made
        assertThat(catalog.graphql(ADMIN, "{ webhook(name: \"listed-first\") { name } }").ok().path("webhook").isNull()).isTrue();
        assertThat(admin("{ webhook(name: \"taken\") { origin url } }", Map.of()).path("webhook").path("origin").asText()).isEqualTo("api");
    }
}
