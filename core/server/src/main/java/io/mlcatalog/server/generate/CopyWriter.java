package io.mlcatalog.server.generate;

import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * Rows of one table streamed to PostgreSQL with {@code COPY … FROM STDIN} in its text format (tab
 * between columns, {@code \N} for null, backslash escapes), a megabyte at a time. Call the column
 * methods in the table's column order, then {@link #endRow()}.
 */
final class CopyWriter implements AutoCloseable {
    private static final int FLUSH_AT = 1 << 20;

    private final CopyIn copy;
    private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 4096);
    private boolean rowStarted;
    private long rows;
    private long cachedDay = Long.MIN_VALUE;
    private String cachedDate;

    private CopyWriter(CopyIn copy) {
        this.copy = copy;
    }

    /**
     * Starts {@code COPY table (columns) FROM STDIN}. With {@code freeze} the rows are written already
     * frozen and all-visible (only allowed when the table was truncated in the same transaction), so
     * that index-only scans work at once and nothing has to rewrite the pages later.
     */
    static CopyWriter open(CopyManager copyManager, String table, List<String> columns, boolean freeze) throws SQLException {
        return new CopyWriter(copyManager.copyIn("copy " + table + " (" + String.join(", ", columns) + ") from stdin"
                + (freeze ? " with (freeze)" : "")));
    }

    private StringBuilder next() {
        if (rowStarted) {
            buffer.append('\t');
        }
        rowStarted = true;
        return buffer;
    }

    CopyWriter nil() {
        next().append("\\N");
        return this;
    }

    CopyWriter text(String s) {
        if (s == null) {
            return nil();
        }
        StringBuilder b = next();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return this;
    }

    CopyWriter uuid(UUID id) {
        if (id == null) {
            return nil();
        }
        next().append(id);
        return this;
    }

    CopyWriter number(long n) {
        next().append(n);
        return this;
    }

    CopyWriter number(Double d) {
        if (d == null) {
            return nil();
        }
        next().append(d.doubleValue());
        return this;
    }

    /** A text[] of plain words (no quoting needed: no commas, braces, quotes, backslashes or spaces). */
    CopyWriter words(List<String> words) {
        next().append('{').append(String.join(",", words)).append('}');
        return this;
    }

    /** A timestamptz from epoch seconds, as {@code 2026-03-01 12:00:00+00}. */
    CopyWriter time(long epochSecond) {
        long day = Math.floorDiv(epochSecond, Workload.DAY);
        if (day != cachedDay) {
            cachedDay = day;
            cachedDate = LocalDate.ofEpochDay(day).toString();
        }
        int s = (int) Math.floorMod(epochSecond, Workload.DAY);
        StringBuilder b = next().append(cachedDate).append(' ');
        two(b, s / 3600);
        b.append(':');
        two(b, s / 60 % 60);
        b.append(':');
        two(b, s % 60);
        b.append("+00");
        return this;
    }

    CopyWriter time(Long epochSecond) {
        return epochSecond == null ? nil() : time(epochSecond.longValue());
    }

    private static void two(StringBuilder b, int n) {
        b.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    void endRow() throws SQLException {
        buffer.append('\n');
        rowStarted = false;
        rows++;
        if (buffer.length() >= FLUSH_AT) {
            flush();
        }
    }

    private void flush() throws SQLException {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        buffer.setLength(0);
    }

    long rows() {
        return rows;
    }

    /** Sends what is left and ends the COPY; returns the rows PostgreSQL says it stored. */
    long finish() throws SQLException {
        if (buffer.length() > 0) {
            flush();
        }
        return copy.endCopy();
    }

    @Override
    public void close() throws SQLException {
        if (copy.isActive()) {
            copy.cancelCopy();
        }
    }
}
