package io.mlcatalog.testkit;

import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.MetadataRecord;

import java.util.List;
import java.util.Map;

/**
 * What one poll of a {@link SourceHarness} emitted.
 *
 * @param rejected the invalid records the host would skip and report, for a source whose atomicity is
 *                 {@link io.mlcatalog.spi.Atomicity#PER_RECORD PER_RECORD} (the poll still succeeds)
 * @param failure  why the poll failed (it threw, or, for an {@code ALL_OR_NOTHING} source, a record is invalid), or null
 * @param problems what the source said it could not read and left out ({@link io.mlcatalog.spi.RecordSink#problem})
 */
public record Poll(List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                   List<InvalidRecordException> rejected, Exception failure, List<String> problems) {

    public Poll {
        records = List.copyOf(records);
        checkpoints = Map.copyOf(checkpoints);
        rejected = List.copyOf(rejected);
        problems = List.copyOf(problems);
    }

    /** A poll whose source reported no problem (the record as it was before {@code problems}). */
    public Poll(List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                List<InvalidRecordException> rejected, Exception failure) {
        this(records, checkpoints, rejected, failure, List.of());
    }

    public boolean ok() {
        return failure == null;
    }

    /** The records of one kind, in emission order. */
    public <T extends MetadataRecord> List<T> records(Class<T> kind) {
        return records.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
