package io.mlcatalog.plugins.openlineage;

/** An event the catalog refuses, with the JSON path of the problem ({@code $.run.runId}). */
final class EventError extends Exception {
    private final String path;

    EventError(String path, String message) {
        super(message, null, false, false);
        this.path = path;
    }

    String path() {
        return path;
    }
}
