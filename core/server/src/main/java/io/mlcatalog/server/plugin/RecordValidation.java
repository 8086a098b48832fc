package io.mlcatalog.server.plugin;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.MetadataRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The checks a record passes before the catalog writes it, without a database: for the plugin-author kit. */
public final class RecordValidation {
    private RecordValidation() {
    }

    /**
     * Checks each record as the host will (lengths, URIs, digests, characters, times); what needs the
     * database (does the parent run exist?) is checked only when writing.
     *
     * @throws InvalidRecordException for the first invalid record
     */
    public static void check(List<MetadataRecord> records) throws InvalidRecordException {
        List<InvalidRecordException> invalid = invalid(records);
        if (!invalid.isEmpty()) {
            throw invalid.get(0);
        }
    }

    /**
     * Every invalid record of a batch, in order: what the host rejects of a
     * {@link io.mlcatalog.spi.Atomicity#PER_RECORD PER_RECORD} source's poll (before the database's own checks).
     */
    public static List<InvalidRecordException> invalid(List<MetadataRecord> records) {
        List<InvalidRecordException> invalid = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            MetadataRecord r = records.get(i);
            try {
                RecordBatchWriter.op(Origin.of("validation"), r, Instant.EPOCH);
            } catch (CatalogException e) {
                invalid.add(RecordBatchWriter.invalid(i, r, e));
            }
        }
        return invalid;
    }
}
