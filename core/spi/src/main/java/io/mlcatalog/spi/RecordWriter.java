package io.mlcatalog.spi;

import io.mlcatalog.spi.record.MetadataRecord;

import java.util.List;

/** Writes a receiver's records. Thread-safe. */
public interface RecordWriter {

    /**
     * Validates the records and writes them in one transaction, asserted by the receiver's instance.
     * Writing records that are already stored changes nothing.
     *
     * @throws InvalidRecordException when a record is invalid: then nothing of this call is written
     */
    void write(List<MetadataRecord> records) throws InvalidRecordException;
}
