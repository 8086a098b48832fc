package io.mlcatalog.server.plugin;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.MetadataRecord;

import java.time.Instant;
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
        for (int i = 0; i < records.size(); i++) {
            MetadataRecord r = records.get(i);
            try {
                RecordBatchWriter.op("validation", r, Instant.EPOCH);
            } catch (CatalogException e) {
                throw RecordBatchWriter.invalid(i, r, e);
            }
        }
    }
}
