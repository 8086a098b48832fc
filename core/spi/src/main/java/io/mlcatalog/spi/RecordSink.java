package io.mlcatalog.spi;

import io.mlcatalog.spi.record.MetadataRecord;

import java.util.Map;

/**
 * Where a source's poll puts what it found. Nothing is written until the poll returns; then the
 * records and the checkpoints are written together, in one transaction. Not thread-safe: use it from
 * the thread that runs the poll.
 */
public interface RecordSink {

    /** Adds a record to this poll's batch. */
    void emit(MetadataRecord record);

    /**
     * Reports how far the poll got in a partition. The last offset reported for a partition in a poll is
     * committed with the poll's records.
     */
    void checkpoint(Map<String, String> partition, Map<String, String> offset);

    /**
     * Reports a part of the system read that this poll could not read and left out (a damaged file, a request that
     * failed), while the rest of the poll is written. Name the file or request and say why, never a secret. A source
     * that skips a part keeps its checkpoint from moving past it, so that a later poll reads it again. The poll still
     * succeeds; the instance's status shows the problem as its {@code lastError} (with {@code lastErrorAt}, kept until
     * another error replaces it), and the host logs each. Hosts of an SPI before this method ignore it.
     */
    default void problem(String message) {
    }
}
