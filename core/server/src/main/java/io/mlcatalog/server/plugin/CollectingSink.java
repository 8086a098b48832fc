package io.mlcatalog.server.plugin;

import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.record.MetadataRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one poll emitted, held until the poll returns. Once a poll is abandoned (timed out) the sink
 * refuses everything, so a hung source that wakes up later cannot slip records into another batch.
 */
final class CollectingSink implements RecordSink {
    static final int MAX_RECORDS = 100_000;
    /** Problems kept of one poll: a source that cannot read thousands of files says so in the first hundred. */
    static final int MAX_PROBLEMS = 100;

    private final List<MetadataRecord> records = new ArrayList<>();
    private final Map<Map<String, String>, Map<String, String>> checkpoints = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private volatile boolean abandoned;

    @Override
    public synchronized void emit(MetadataRecord record) {
        Objects.requireNonNull(record, "record is null");
        if (abandoned) {
            throw new IllegalStateException("this poll was abandoned (timed out); its records are discarded");
        }
        if (records.size() >= MAX_RECORDS) {
            throw new IllegalStateException("a poll may emit at most " + MAX_RECORDS + " records: emit the rest in the next poll");
        }
        records.add(record);
    }

    @Override
    public synchronized void checkpoint(Map<String, String> partition, Map<String, String> offset) {
        Objects.requireNonNull(partition, "partition is null");
        Objects.requireNonNull(offset, "offset is null");
        if (abandoned) {
            throw new IllegalStateException("this poll was abandoned (timed out); its checkpoints are discarded");
        }
        checkpoints.put(Map.copyOf(partition), Map.copyOf(offset));
    }

    @Override
    public synchronized void problem(String message) {
        Objects.requireNonNull(message, "message is null");
        if (!abandoned && problems.size() < MAX_PROBLEMS) {
            problems.add(message.length() > 1000 ? message.substring(0, 1000) + "…" : message);
        }
    }

    void abandon() {
        abandoned = true;
    }

    synchronized List<MetadataRecord> records() {
        return List.copyOf(records);
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    synchronized Map<Map<String, String>, Map<String, String>> checkpoints() {
        return Map.copyOf(checkpoints);
    }
}
