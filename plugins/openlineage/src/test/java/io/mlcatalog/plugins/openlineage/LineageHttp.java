package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.testkit.TestingCatalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Posts to a catalog's {@code /api/v1/lineage} as an OpenLineage HTTP client does. */
final class LineageHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PATH = "/api/v1/lineage";

    private final TestingCatalog catalog;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    LineageHttp(TestingCatalog catalog) {
        this.catalog = catalog;
    }

    /** One event (or any body), as application/json. */
    HttpResponse<String> post(String body) {
        return post(PATH, "application/json", body.getBytes(StandardCharsets.UTF_8), null);
    }

    /** A batch: the events as one JSON array. */
    HttpResponse<String> postArray(List<String> events) {
        return post("[" + String.join(",\n", events) + "]");
    }

    /** A batch: the events as newline-delimited JSON, one (compacted) event a line. */
    HttpResponse<String> postNdjson(List<String> events) {
        StringBuilder body = new StringBuilder();
        for (String e : events) {
            body.append(compact(e)).append('\n');
        }
        return post(PATH, "application/x-ndjson", body.toString().getBytes(StandardCharsets.UTF_8), null);
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url(path))).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    static String compact(String json) {
        try {
            return JSON.writeValueAsString(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
