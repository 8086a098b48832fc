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
}
