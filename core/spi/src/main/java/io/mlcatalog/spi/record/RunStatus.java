package io.mlcatalog.spi.record;

/** A run's status. The last three are terminal: a run never leaves them, whatever arrives later. */
public enum RunStatus {
    RUNNING, SUCCEEDED, FAILED, ABORTED
}
