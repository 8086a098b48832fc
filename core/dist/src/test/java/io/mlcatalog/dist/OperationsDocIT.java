package io.mlcatalog.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.docs.DocExamples;
import io.mlcatalog.server.testing.CatalogProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The examples of docs/operations.md's "Several nodes", run on two nodes over a primary and its streaming replica: the
 * write goes to one node, the read of it (with the write's position) to the other, as a load balancer may send them.
 */
class OperationsDocIT {
    private static final String DOC = "docs/operations.md";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An HTTP message of the document: its first line, headers and body. */
    private record Message(String firstLine, Map<String, String> headers, String body) {
        static Message parse(String text) {
            String[] parts = text.split("\n\n", 2);
            String[] head = parts[0].split("\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                String[] h = head[i].split(":", 2);
                headers.put(h[0].strip(), h[1].strip());
            }
            return new Message(head[0], headers, parts.length > 1 ? parts[1] : "");
        }
    }

    @Test
    void aClientReadsItsWriteThroughAnotherNodeFromTheReplica() throws Exception {
        assumeTrue(ReplicatedPostgres.binaries().isPresent(), ReplicatedPostgres.MISSING);
        List<String> http = DocExamples.blocks(DOC, "http");
        assertThat(http).hasSize(4);
        Message write = Message.parse(http.get(0));
        Message written = Message.parse(http.get(1));
        Message read = Message.parse(http.get(2));
        Message answer = Message.parse(http.get(3));
        assertThat(read.headers().get("MLCatalog-Min-LSN")).as("the read sends back the write's position")
                .isEqualTo(written.headers().get("MLCatalog-LSN"));
        try (ReplicatedPostgres pg = ReplicatedPostgres.start();
             CatalogProcess a = CatalogProcess.start("serve", "--database-url", pg.primaryUrl(), "--read-database-url", pg.replicaUrl(),
                     "--port", "0");
             CatalogProcess b = CatalogProcess.start("serve", "--database-url", pg.primaryUrl(), "--read-database-url", pg.replicaUrl(),
                     "--port", "0")) {
            String urlA = a.awaitReady(Duration.ofSeconds(120));
            String urlB = b.awaitReady(Duration.ofSeconds(120));
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> w = send(client, urlA, write, Map.of());
            assertThat("HTTP/1.1 " + w.statusCode() + " OK").isEqualTo(written.firstLine());
            assertThat(JSON.readTree(w.body())).isEqualTo(JSON.readTree(written.body()));
            String lsn = w.headers().firstValue("MLCatalog-LSN").orElseThrow();
            assertThat(lsn).matches("[0-9A-F]{1,8}/[0-9A-F]{1,8}");

            // the replica replays within moments on loopback: until it has, the node reads the primary (the answer is the same)
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                HttpResponse<String> r = send(client, urlB, read, Map.of("MLCatalog-Min-LSN", lsn));
                assertThat("HTTP/1.1 " + r.statusCode() + " OK").isEqualTo(answer.firstLine());
                assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(answer.body()));
                String from = r.headers().firstValue("MLCatalog-Read-From").orElseThrow();
                if (from.equals(answer.headers().get("MLCatalog-Read-From"))) {
                    break;
                }
                assertThat(from).isEqualTo("primary");
                assertThat(System.nanoTime()).as("read from the replica within 60 s").isLessThan(deadline);
            }

            HttpResponse<String> bad = send(client, urlB, read, Map.of("MLCatalog-Min-LSN", "latest"));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");

            String plugins = DocExamples.blocks(DOC, "graphql").get(0);
            JsonNode status = JSON.readTree(send(client, urlB, new Message("POST /graphql HTTP/1.1", Map.of("Content-Type", "application/json"),
                    JSON.writeValueAsString(Map.of("query", plugins))), Map.of()).body());
            assertThat(status.path("errors").isMissingNode()).as(status.toString()).isTrue();
            assertThat(status.path("data").path("plugins").isArray()).isTrue();
        }
    }

    private static HttpResponse<String> send(HttpClient client, String url, Message m, Map<String, String> replacing) throws Exception {
        String[] line = m.firstLine().split(" ");
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url + line[1])).method(line[0], HttpRequest.BodyPublishers.ofString(m.body()));
        Map<String, String> headers = new LinkedHashMap<>(m.headers());
        headers.putAll(replacing);
        headers.forEach(r::header);
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
