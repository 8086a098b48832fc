package io.mlcatalog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The commands' way to a running catalog: GraphQL over HTTP, with the token when one is given. */
final class CatalogClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the command tells its user and exits with: 1 for an answer that refuses, 2 for no answer at all. */
    static final class Failure extends Exception {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    private final String url;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CatalogClient(String url, String token) {
        this.url = url.replaceAll("/+$", "");
        this.token = token == null || token.isBlank() ? null : token.strip();
    }

    /** The {@code data} of the answer; a {@link Failure} with the first error's message when there is one. */
    JsonNode query(String query, Map<String, ?> variables) throws Failure, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("variables", variables);
        HttpResponse<String> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/graphql")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            // (the JDK's ConnectException, for one, has no message)
            throw new Failure(2, "cannot reach the catalog at " + url + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + "); is it running? (--url)");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new Failure(2, url + " answered " + response.statusCode() + " with something that is not GraphQL: is --url right?");
        }
        if (answer.has("errors")) {
            String message = answer.path("errors").path(0).path("message").asText();
            if (response.statusCode() == 401) {
                message += token == null ? " (give it with --token or MLCATALOG_TOKEN)" : "";
            }
            throw new Failure(1, message);
        }
        return answer.path("data");
    }
}
