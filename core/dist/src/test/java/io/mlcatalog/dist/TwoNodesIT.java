package io.mlcatalog.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.testing.CatalogProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two catalog nodes, each the real jar in its own process, on a PostgreSQL primary with a streaming replica (Debian's
 * packages): what docs/operations.md tells an operator to run. Nodes are killed with SIGKILL and PostgreSQL is restarted
 * under them.
 */
class TwoNodesIT {
    private static final Duration START = Duration.ofSeconds(120);
    /** Longer than any take-over should need (a 4 s lease here), short enough to fail a test that waits for nothing. */
    private static final Duration TAKE_OVER = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<CatalogProcess> nodes = new ArrayList<>();
    private ReplicatedPostgres pg;

    @BeforeEach
    void postgres() {
        assumeTrue(ReplicatedPostgres.binaries().isPresent(), ReplicatedPostgres.MISSING);
        pg = ReplicatedPostgres.start();
    }

    @AfterEach
    void stop() {
        nodes.forEach(CatalogProcess::close);
        if (pg != null) {
            pg.close();
        }
    }

    /** Starts a node named {@code name} on the primary (and the replica, when {@code withReplica}). */
    private Node node(String name, Path config, boolean withReplica, String... jvmOptions) {
        List<String> args = new ArrayList<>(List.of("serve", "--database-url", pg.primaryUrl(), "--port", "0"));
        if (withReplica) {
            args.addAll(List.of("--read-database-url", pg.replicaUrl()));
        }
        if (config != null) {
            args.addAll(List.of("--config", config.toString()));
        }
        CatalogProcess p = CatalogProcess.start(Map.of("MLCATALOG_NODE_NAME", name), List.of(jvmOptions), args.toArray(String[]::new));
        nodes.add(p);
        return new Node(name, p, p.awaitReady(START));
    }

    private record Node(String name, CatalogProcess process, String url) {
    }

    @Test
    void aSourceIsPolledByOneNodeAndTakenOverByTheOtherWhenThatNodeIsKilled(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(data.resolve("part-" + i + ".csv"), "id\n" + i + "\n");
        }
        Path config = Files.writeString(dir.resolve("mlcatalog.yaml"), """
                plugins:
                  - name: files
                    type: filesystem
                    schedule: 1s
                    settings:
                      roots: [%s]
                      namespace: shared
                """.formatted(data));
        Node a = node("node-a", config, false, "-Dmlcatalog.sources.leaseSeconds=4");
        await("node-a polls the source", () -> "OK".equals(status(a.url())));
        Node b = node("node-b", config, false, "-Dmlcatalog.sources.leaseSeconds=4");
        // a node joining leaves the status of the node that polls as it is (it does not read as never polled)
        assertThat(status(b.url())).isEqualTo("OK");
        await("all 20 files are in the catalog", () -> artifacts(b.url()) == 20);
        String holder = polledBy(b.url());
        assertThat(holder).isIn("node-a", "node-b");
        assertThat(polledBy(a.url())).isEqualTo(holder);
        Node polling = holder.equals("node-a") ? a : b;
        Node other = polling == a ? b : a;
        // one node polls; the other only looks whether the lease ran out
        assertThat(other.process().output()).doesNotContain("plugin instance files: this node (" + other.name() + ") polls it now");

        // files keep coming; the polling node dies without a word, maybe in the middle of a poll
        for (int i = 20; i < 30; i++) {
            Files.writeString(data.resolve("part-" + i + ".csv"), "id\n" + i + "\n");
        }
        polling.process().kill();
        long killed = System.nanoTime();
        await("the other node polls the source", () -> other.name().equals(polledBy(other.url())));
        await("every file is in the catalog", () -> artifacts(other.url()) >= 30);
        System.out.printf("taken over and written %d ms after the kill%n", (System.nanoTime() - killed) / 1_000_000);
        // nothing lost, nothing twice
        assertThat(artifacts(other.url())).isEqualTo(30);
        assertThat(pg.primaryCount("select count(*) from artifact")).isEqualTo(30);
        assertThat(pg.primaryCount("select count(*) from source_lease")).isEqualTo(1);
        assertThat(other.process().output()).contains("plugin instance files: this node (" + other.name() + ") polls it now");
        // a poll asked for by hand, while a node polls the source, is not made
        try (CatalogProcess once = CatalogProcess.start("ingest", "--once", "files", "--database-url", pg.primaryUrl(), "--config",
                config.toString())) {
            assertThat(once.awaitExit(START)).isEqualTo(1);
            assertThat(once.output()).contains("another node polls this instance (" + other.name() + ", which holds its lease)");
        }
    }

    @Test
    void eventsQueuedByANodeKilledWhileWritingAreWrittenOnceByTheOther(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("mlcatalog.yaml"), """
                plugins:
                  - name: lineage
                    type: openlineage
                    acknowledge: queued
                """);
        Node a = node("node-a", config, false, "-Dmlcatalog.intake.claimSeconds=4");
        Node b = node("node-b", config, false, "-Dmlcatalog.intake.claimSeconds=4");
        int runs = 200;
        Set<Integer> completed = ConcurrentHashMap.newKeySet();
        long[] waitingAtKill = {-1};
        AtomicInteger answeredByA = new AtomicInteger();
        AtomicBoolean aDead = new AtomicBoolean();
        // a load balancer's view: every event goes to A or B in turn; a request A cannot answer is sent to B
        for (int i = 0; i < runs; i++) {
            for (String type : List.of("START", "COMPLETE")) {
                String event = event(i, type);
                Node first = i % 2 == 0 && !aDead.get() ? a : b;
                int status = post(first.url() + "/api/v1/lineage", event);
                if (status < 0 && first == a) {
                    status = post(b.url() + "/api/v1/lineage", event);
                } else if (first == a && answeredByA.incrementAndGet() == 150) {
                    // A has accepted 150 events one by one and a batch of 100, and is writing them behind; it dies now
                    assertThat(post(a.url() + "/api/v1/lineage", batch(runs, 50))).isEqualTo(200);
                    a.process().kill();
                    aDead.set(true);
                    waitingAtKill[0] = pg.primaryCount("select count(*) from intake_queue");
                }
                assertThat(status).as("event %d %s", i, type).isBetween(200, 299);
            }
            completed.add(i);
        }
        assertThat(aDead).isTrue();
        System.out.printf("%d requests stored and not written yet when node A was killed%n", waitingAtKill[0]);
        long sent = System.nanoTime();
        int all = runs + 50;
        await("every event is written", () -> pg.primaryCount("select count(*) from intake_queue") == 0
                && count(b.url(), "{ runs(filter: {status: [SUCCEEDED]}) { totalCount } }", "runs") == all);
        System.out.printf("all written %d ms after the last event was answered%n", (System.nanoTime() - sent) / 1_000_000);
        // written once: one run per runId, and no run recorded twice
        assertThat(count(b.url(), "{ runs { totalCount } }", "runs")).isEqualTo(all);
        assertThat(pg.primaryCount("select count(*) from run")).isEqualTo(all);
        assertThat(pg.primaryCount("select count(distinct external_id) from run")).isEqualTo(all);
    }

    @Test
    void whenPostgresRestartsUnderLoadTheNodesSayTheyAreNotReadyAndThenServeAgain() throws Exception {
        Node a = node("node-a", null, false);
        Node b = node("node-b", null, false);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger failuresAfter = new AtomicInteger();
        AtomicBoolean restarted = new AtomicBoolean();
        AtomicInteger okAfter = new AtomicInteger();
        Thread load = new Thread(() -> {
            for (int i = 0; loading.get(); i++) {
                Node n = i % 2 == 0 ? a : b;
                String name = "load-" + i;
                try {
                    JsonNode r = graphql(n.url(), "mutation { upsertRun(input: {namespace: \"load\", name: \"" + name
                            + "\", status: SUCCEEDED}) { name } }", Map.of()).body();
                    if (r.path("errors").isMissingNode() && name.equals(r.path("data").path("upsertRun").path("name").asText())) {
                        acknowledged.add(name);
                        if (restarted.get()) {
                            okAfter.incrementAndGet();
                        }
                    } else if (restarted.get() && okAfter.get() > 0) {
                        failuresAfter.incrementAndGet();
                    }
                } catch (Exception e) {
                    if (restarted.get() && okAfter.get() > 0) {
                        failuresAfter.incrementAndGet();
                    }
                }
            }
        });
        load.start();
        await("the load is written", () -> acknowledged.size() >= 20);
        pg.stopPrimary();
        for (Node n : List.of(a, b)) {
            await(n.name() + " says it is not ready", () -> get(n.url() + "/ready").statusCode() == 503);
            assertThat(get(n.url() + "/ready").body()).contains("the database is not reachable");
            assertThat(get(n.url() + "/health").statusCode()).isEqualTo(200);
        }
        pg.startPrimary();
        restarted.set(true);
        for (Node n : List.of(a, b)) {
            await(n.name() + " is ready again", () -> get(n.url() + "/ready").statusCode() == 200);
        }
        await("writes go through both nodes again", () -> okAfter.get() >= 40);
        loading.set(false);
        load.join(30_000);
        // once served again, the nodes keep serving: no request failed after the first one that succeeded
        assertThat(failuresAfter).hasValue(0);
        // every write answered before, during or after the restart is stored
        long stored = pg.primaryCount("select count(*) from run where namespace = 'load'");
        assertThat(stored).isGreaterThanOrEqualTo(acknowledged.size());
        for (String name : acknowledged) {
            JsonNode run = graphql(b.url(), "{ run(namespace: \"load\", name: \"" + name + "\") { name } }", Map.of()).body();
            assertThat(run.path("data").path("run").path("name").asText()).as(name).isEqualTo(name);
        }
    }

    @Test
    void queriesReadTheReplicaAndAClientThatWroteReadsItsWrite() throws Exception {
        Node a = node("node-a", null, true);
        Node b = node("node-b", null, true);
        Reply written = graphql(a.url(), upsert("first"), Map.of());
        String lsn = written.headers().firstValue("MLCatalog-LSN").orElseThrow();
        assertThat(lsn).matches("[0-9A-F]+/[0-9A-F]+");
        await("the replica serves the first write", () -> {
            Reply r = graphql(b.url(), read("first"), Map.of("MLCatalog-Min-LSN", lsn));
            assertThat(r.body().path("data").path("run").path("name").asText()).isEqualTo("first");
            return "replica".equals(r.headers().firstValue("MLCatalog-Read-From").orElse(null));
        });

        // the replica falls behind: a read without the header is the replica's (without the write), one with it the primary's
        pg.pauseReplay();
        Reply second = graphql(a.url(), upsert("second"), Map.of());
        String lsn2 = second.headers().firstValue("MLCatalog-LSN").orElseThrow();
        Reply stale = graphql(b.url(), read("second"), Map.of());
        assertThat(stale.headers().firstValue("MLCatalog-Read-From")).hasValue("replica");
        assertThat(stale.body().path("data").path("run").isNull()).as(stale.body().toString()).isTrue();
        Reply fresh = graphql(b.url(), read("second"), Map.of("MLCatalog-Min-LSN", lsn2));
        assertThat(fresh.headers().firstValue("MLCatalog-Read-From")).hasValue("primary");
        assertThat(fresh.body().path("data").path("run").path("name").asText()).isEqualTo("second");
        // a mutation sent to the node goes to the primary (the replica is read-only)
        Reply third = graphql(b.url(), upsert("third"), Map.of());
        assertThat(third.body().path("errors").isMissingNode()).as(third.body().toString()).isTrue();
        pg.resumeReplay();
        await("the replica caught up", () -> {
            Reply r = graphql(b.url(), read("second"), Map.of("MLCatalog-Min-LSN", lsn2));
            assertThat(r.body().path("data").path("run").path("name").asText()).isEqualTo("second");
            return "replica".equals(r.headers().firstValue("MLCatalog-Read-From").orElse(null));
        });

        Reply bad = graphql(b.url(), read("second"), Map.of("MLCatalog-Min-LSN", "yesterday"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("errors").get(0).path("message").asText()).contains("MLCatalog-Min-LSN must be a WAL position");

        // without the replica the node reads the primary, and is still ready
        pg.stopReplica();
        await("b reads the primary", () -> "primary".equals(graphql(b.url(), read("first"), Map.of()).headers()
                .firstValue("MLCatalog-Read-From").orElse(null)));
        HttpResponse<String> ready = get(b.url() + "/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).path("replica").asText()).contains("not reachable");
        assertThat(graphql(b.url(), read("third"), Map.of()).body().path("data").path("run").path("name").asText()).isEqualTo("third");
        String metrics = get(b.url() + "/metrics").body();
        assertThat(metrics).contains("mlcatalog_replica_reachable 0.0").containsPattern("mlcatalog_graphql_reads_total\\{database=\"replica\",\\} [1-9]")
                .containsPattern("mlcatalog_graphql_reads_total\\{database=\"primary\",\\} [1-9]");
        pg.startReplica();
        await("b reads the replica again", () -> "ok".equals(JSON.readTree(get(b.url() + "/ready").body()).path("replica").asText()));
        assertThat(get(b.url() + "/metrics").body()).contains("mlcatalog_replica_reachable 1.0");
    }

    private static String upsert(String name) {
        return "mutation { upsertRun(input: {namespace: \"it\", name: \"" + name + "\", status: SUCCEEDED}) { id } }";
    }

    private static String read(String name) {
        return "{ run(namespace: \"it\", name: \"" + name + "\") { name } }";
    }

    /** The START and COMPLETE events of {@code count} runs from {@code first} on, as one JSON array. */
    private static String batch(int first, int count) {
        List<String> events = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            events.add(event(i, "START"));
            events.add(event(i, "COMPLETE"));
        }
        return "[" + String.join(",", events) + "]";
    }

    private static String event(int run, String type) {
        return """
                {"eventType": "%s", "eventTime": "2026-03-01T%s:%02d:%02dZ", "producer": "https://example.com/two-nodes",
                 "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
                 "run": {"runId": "0195ab1c-6c00-7000-8000-%012d"}, "job": {"namespace": "two-nodes", "name": "job-%d"},
                 "inputs": [{"namespace": "s3://raw", "name": "in-%d.csv"}], "outputs": [{"namespace": "s3://clean", "name": "out-%d.csv"}]}
                """.formatted(type, type.equals("START") ? "06" : "07", run / 60 % 60, run % 60, run, run, run, run);
    }

    private record Reply(int status, java.net.http.HttpHeaders headers, JsonNode body) {
    }

    private Reply graphql(String url, String query, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/graphql")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query))));
        headers.forEach(request::header);
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), JSON.readTree(r.body()));
    }

    /** The status of a POST of one event, or -1 when the node could not be reached. */
    private int post(String url, String body) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String polledBy(String url) throws IOException, InterruptedException {
        JsonNode plugins = graphql(url, "{ plugins { instance polledBy } }", Map.of()).body().path("data").path("plugins");
        for (JsonNode p : plugins) {
            if (p.path("instance").asText().equals("files")) {
                return p.path("polledBy").isNull() ? null : p.path("polledBy").asText();
            }
        }
        return null;
    }

    private String status(String url) throws IOException, InterruptedException {
        for (JsonNode p : graphql(url, "{ plugins { instance status } }", Map.of()).body().path("data").path("plugins")) {
            if (p.path("instance").asText().equals("files")) {
                return p.path("status").asText();
            }
        }
        return null;
    }

    private long artifacts(String url) throws IOException, InterruptedException {
        return count(url, "{ artifacts { totalCount } }", "artifacts");
    }

    private long count(String url, String query, String field) throws IOException, InterruptedException {
        return graphql(url, query, Map.of()).body().path("data").path(field).path("totalCount").asLong(-1);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits until {@code condition} holds, looking every 100 ms; fails after {@link #TAKE_OVER}. */
    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TAKE_OVER.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception | AssertionError e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + TAKE_OVER + ": " + what, last);
    }
}
