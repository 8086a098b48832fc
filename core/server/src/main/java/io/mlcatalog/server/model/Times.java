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

    /**
     * The instant in UTC with six fraction digits, as {@code uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX} formats it. Written by hand
     * for the years 0 to 9999 (every answer holds a few of these for each row, and the pattern formatter was a
     * measurable part of a listing); other years, with their sign, by the formatter.
     */
    public static String format(OffsetDateTime t) {
        OffsetDateTime utc = t.getOffset().equals(ZoneOffset.UTC) ? t : t.withOffsetSameInstant(ZoneOffset.UTC);
        int year = utc.getYear();
        if (year < 0 || year > 9999) {
            return FORMAT.format(utc);
        }
        byte[] b = new byte[27];
        digits(b, 0, year, 4);
        b[4] = '-';
        digits(b, 5, utc.getMonthValue(), 2);
        b[7] = '-';
        digits(b, 8, utc.getDayOfMonth(), 2);
        b[10] = 'T';
        digits(b, 11, utc.getHour(), 2);
        b[13] = ':';
        digits(b, 14, utc.getMinute(), 2);
        b[16] = ':';
        digits(b, 17, utc.getSecond(), 2);
        b[19] = '.';
        digits(b, 20, utc.getNano() / 1_000, 6);
        b[26] = 'Z';
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
