package io.mlcatalog.server.model;

/** A run's status. SUCCEEDED, FAILED and ABORTED are terminal: a run never leaves them for RUNNING. */
public enum RunStatus {
    RUNNING, SUCCEEDED, FAILED, ABORTED;

    public boolean terminal() {
        return this != RUNNING;
    }

    /**
     * Between two terminal statuses asserted for the same instant, the more alarming one wins, so
     * the outcome does not depend on which arrived first.
     */
    public int severity() {
        return switch (this) {
            case RUNNING -> 0;
            case SUCCEEDED -> 1;
            case ABORTED -> 2;
            case FAILED -> 3;
        };
    }
}
