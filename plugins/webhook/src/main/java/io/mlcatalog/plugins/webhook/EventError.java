package io.mlcatalog.plugins.webhook;

/** An event the receiver refuses: why, and the field at fault ({@code version}, {@code deployment.payload.model}). */
final class EventError extends Exception {
    private final String field;

    EventError(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    String field() {
        return field;
    }
}
