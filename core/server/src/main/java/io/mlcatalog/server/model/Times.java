package io.mlcatalog.server.model;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Instants as the catalog stores them: UTC, microsecond precision (PostgreSQL's). */
public final class Times {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX");
    private static final OffsetDateTime MIN = OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    /** Before any instant the catalog accepts. */
    public static final OffsetDateTime EARLIEST = MIN;
    private static final OffsetDateTime MAX = OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC);

    private Times() {
    }

    /** Normalizes a client's time; null stays null. */
    public static OffsetDateTime normalize(OffsetDateTime t, String field) {
        if (t == null) {
            return null;
        }
        if (t.isBefore(MIN) || t.isAfter(MAX)) {
            throw CatalogException.badInput(field, "time out of range (1900-01-01 to 9999-12-31): " + t);
        }
        return t.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    public static String format(OffsetDateTime t) {
        return FORMAT.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
