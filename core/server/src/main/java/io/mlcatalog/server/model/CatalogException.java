package io.mlcatalog.server.model;

import static java.util.Objects.requireNonNull;

/**
 * A request the catalog refuses, with the code and message a client sees and, for bad input, the
 * path of the offending field (for example {@code input.outputs[2].digest}).
 * Messages are written for the client: they never carry SQL or stack traces.
 */
public class CatalogException extends RuntimeException {
    private final ErrorCode code;
    private final String field;

    public CatalogException(ErrorCode code, String message, String field) {
        super(requireNonNull(message, "message is null"), null, false, false);
        this.code = requireNonNull(code, "code is null");
        this.field = field;
    }

    public static CatalogException badInput(String field, String message) {
        return new CatalogException(ErrorCode.BAD_USER_INPUT, message, field);
    }

    public static CatalogException notFound(String field, String message) {
        return new CatalogException(ErrorCode.NOT_FOUND, message, field);
    }

    public static CatalogException conflict(String field, String message) {
        return new CatalogException(ErrorCode.CONFLICT, message, field);
    }

    public ErrorCode code() {
        return code;
    }

    /** The path of the offending input field, or null. */
    public String field() {
        return field;
    }
}
