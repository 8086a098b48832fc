package io.mlcatalog.spi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** What a receiver answers. */
public record ReceiverResponse(int status, String contentType, byte[] body) {

    public ReceiverResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        Objects.requireNonNull(contentType, "contentType is null");
        Objects.requireNonNull(body, "body is null");
    }

    public static ReceiverResponse json(int status, String json) {
        return new ReceiverResponse(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public static ReceiverResponse empty(int status) {
        return new ReceiverResponse(status, "text/plain", new byte[0]);
    }
}
