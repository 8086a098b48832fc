package io.mlcatalog.spi;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request to a receiver.
 *
 * @param method  GET, POST, …
 * @param path    the part after {@code /ingest/<instance>}, starting with {@code /} (just {@code /} for the root)
 * @param query   the query parameters
 * @param headers the headers, names in lower case
 * @param body    the body (empty when none), already checked against the size limit
 */
public record ReceivedRequest(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers,
                              byte[] body) {

    public ReceivedRequest {
        Objects.requireNonNull(method, "method is null");
        Objects.requireNonNull(path, "path is null");
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body is null");
    }

    /** The first value of a header (name in any case). */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
