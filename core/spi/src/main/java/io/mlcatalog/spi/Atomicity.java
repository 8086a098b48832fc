package io.mlcatalog.spi;

/** What becomes of a batch of records when one of them is invalid. */
public enum Atomicity {
    /** One invalid record refuses the whole batch: nothing is written. */
    ALL_OR_NOTHING,
    /** Invalid records are skipped and reported; the others are written. */
    PER_RECORD
}
