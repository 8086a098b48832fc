package io.mlcatalog.server.plugin;

import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.MetadataRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Writes what a plugin instance reported: its records and checkpoints, in one transaction. */
public interface BatchWriter {

    /**
     * What a batch wrote.
     *
     * @param written  records written (including those that changed nothing)
     * @param rejected records refused as invalid (only under {@link Atomicity#PER_RECORD}), with why
     */
    record Result(int written, List<InvalidRecordException> rejected) {
        public Result {
            rejected = List.copyOf(rejected);
        }
    }

    /**
     * Validates and writes the records, then the checkpoints and the instance's status, all in one
     * transaction, asserted by {@code instance}. Blocks until committed; call from a worker thread.
     *
     * @param receivedAt the {@code observedAt} of records that carry none
     * @throws InvalidRecordException under {@link Atomicity#ALL_OR_NOTHING}, when a record is invalid: nothing was written
     * @throws Exception                when the database failed: nothing was written
     */
    default Result write(String instance, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                         Atomicity atomicity, Instant receivedAt) throws Exception {
        return write(Origin.of(instance), records, checkpoints, atomicity, receivedAt);
    }

    /**
     * As above, with {@code alsoInTransaction} run in the same transaction after the records and checkpoints: a
     * source's lease, renewed or found lost ({@link SourceLeases#fence}), which then rolls the batch back.
     */
    Result write(String instance, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                 Atomicity atomicity, Instant receivedAt,
                 java.util.function.Function<io.vertx.sqlclient.SqlConnection, io.vertx.core.Future<Void>> alsoInTransaction) throws Exception;

    /** As above, written by {@code origin}: only into the namespaces it may write in (others are refused as forbidden). */
    Result write(Origin origin, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                 Atomicity atomicity, Instant receivedAt) throws Exception;

    /**
     * As {@link #write}, with no checkpoints, each record with the instant its request was received, and
     * {@code alsoInTransaction} run in the same transaction after the records: the records of requests stored in the
     * intake queue and written later, together, and the stored requests deleted with them.
     */
    Result write(Origin origin, List<MetadataRecord> records, List<Instant> receivedAt, Atomicity atomicity,
                 java.util.function.Function<io.vertx.sqlclient.SqlConnection, io.vertx.core.Future<Void>> alsoInTransaction) throws Exception;

    /**
     * Checks the records as {@link #write} does before it touches the database, without writing anything:
     * what a request acknowledged before its records are written must pass.
     *
     * @throws InvalidRecordException for the first invalid record
     */
    void validate(Origin origin, List<MetadataRecord> records, Instant receivedAt) throws InvalidRecordException;
}
