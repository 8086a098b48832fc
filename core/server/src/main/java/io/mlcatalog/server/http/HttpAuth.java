package io.mlcatalog.server.http;

import io.vertx.core.http.HttpServerRequest;

/** What the HTTP endpoints share about tokens. */
final class HttpAuth {
    private HttpAuth() {
    }

    /**
     * Where else than {@code Authorization} the request carries what looks like a token, for the refusal to point at
     * (a client configured for another service's header), or null. The value itself is never read into a message.
     */
    static String wrongPlace(HttpServerRequest request) {
        if (request.getHeader("X-Api-Key") != null) {
            return "the X-Api-Key header";
        }
        if (request.getHeader("Token") != null) {
            return "a Token header";
        }
        if (request.params().contains("access_token") || request.params().contains("token")) {
            return "the query string (which ends up in logs and histories)";
        }
        return null;
    }
}
