package io.mlcatalog.server.model;

/** The {@code extensions.code} of an error a client sees. */
public enum ErrorCode {
    BAD_USER_INPUT,
    NOT_FOUND,
    CONFLICT,
    UNAUTHENTICATED,
    FORBIDDEN,
    LIMIT_EXCEEDED,
    THROTTLED,
    INTERNAL_ERROR
}
