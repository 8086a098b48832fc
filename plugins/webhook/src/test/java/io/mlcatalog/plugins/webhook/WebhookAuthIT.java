package io.mlcatalog.plugins.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment webhook on a catalog with access control: a webhook with a secret checks each request's HMAC signature
 * and needs no bearer token (GitHub sends none); one without takes a catalog token that may write in its namespace.
 */
class WebhookAuthIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "webhook-auth-admin-token-0123456789abcdef";
    private static final String SECRET = "a shared secret for the signed hook";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestingCatalog catalog;
    private static String writerGrowth;
    private static String writerRisk;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder()
                .instance("signed", "deployments", Map.of("secret", SECRET, "namespace", "growth"))
                .instance("plain", "deployments", Map.of("namespace", "growth"))
                .secured(ADMIN)
                .start();
        writerGrowth = catalog.createToken("ci-growth", "writer", List.of("growth"), List.of());
        writerRisk = catalog.createToken("ci-risk", "writer", List.of("risk"), List.of());
        for (String v : List.of("1", "2")) {
            catalog.query("mutation { registerModelVersion(input: {namespace: \"growth\", model: \"churn\", version: \"" + v + "\"}) { id } }");
        }
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static String event(String target, String version) {
        return """
                {"environment": "prod", "target": "%s", "model": "churn", "version": "%s", "status": "started", "time": "2026-06-01T10:00:00Z"}"""
                .formatted(target, version);
    }

    private static HttpResponse<String> post(String instance, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url("/ingest/" + instance + "/")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long deploymentsOn(String target) {
        return catalog.count("select count(*) from deployment where target = '" + target + "'");
    }

    @Test
    void aSignedWebhookNeedsItsSignatureAndNoToken() throws Exception {
        String body = event("signed-api", "1");
        HttpResponse<String> unsigned = post("signed", body, Map.of());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("X-Hub-Signature-256");
        HttpResponse<String> signed = post("signed", body, Map.of("X-Hub-Signature-256", new Signature(SECRET).of(body.getBytes())));
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        assertThat(deploymentsOn("signed-api")).isEqualTo(1);
        assertThat(catalog.strings("select distinct c.actor from change_log c join deployment d on d.id = c.entity_id "
                + "where d.target = 'signed-api'")).containsExactly("signed");
    }

    @Test
    void aWebhookWithoutASecretTakesATokenThatMayWriteItsNamespace() throws Exception {
        Map<String, Long> before = catalog.rowCounts();
        HttpResponse<String> none = post("plain", event("plain-api", "1"), Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).path("error").asText()).contains("Authorization: Bearer <token>");
        HttpResponse<String> otherTeam = post("plain", event("plain-api", "1"), Map.of("Authorization", "Bearer " + writerRisk));
        assertThat(otherTeam.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(otherTeam.body()).path("error").asText()).contains("namespace 'growth'");
        assertThat(catalog.rowCounts()).isEqualTo(before);

        HttpResponse<String> ok = post("plain", event("plain-api", "2"), Map.of("Authorization", "Bearer " + writerGrowth));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode deployment = catalog.query("{ explain(environment: \"prod\", target: \"plain-api\") { modelVersion { version } } }");
        assertThat(deployment.path("explain").path("modelVersion").path("version").asText()).isEqualTo("2");
        assertThat(catalog.strings("select distinct c.actor from change_log c join deployment d on d.id = c.entity_id "
                + "where d.target = 'plain-api'")).containsExactly("token:ci-growth");
    }
}
