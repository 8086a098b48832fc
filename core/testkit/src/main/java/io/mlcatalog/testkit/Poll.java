package io.mlcatalog.testkit;

import io.mlcatalog.spi.record.MetadataRecord;

import java.util.List;
import java.util.Map;

/**
 * What one poll of a {@link SourceHarness} emitted.
 *
 * @param failure why the poll failed (it threw, or a record is invalid), or null
 */
public record Poll(List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints, Exception failure) {

    public Poll {
        records = List.copyOf(records);
        checkpoints = Map.copyOf(checkpoints);
    }

    public boolean ok() {
        return failure == null;
    }

    /** The records of one kind, in emission order. */
    public <T extends MetadataRecord> List<T> records(Class<T> kind) {
        return records.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
