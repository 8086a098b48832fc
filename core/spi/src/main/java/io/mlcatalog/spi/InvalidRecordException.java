package io.mlcatalog.spi;

import java.util.Objects;

/** The catalog refused a record; nothing of the batch it belonged to was written. */
public class InvalidRecordException extends Exception {
    private final int index;
    private final String field;

    /**
     * @param index  the position of the record in the batch
     * @param field  the record's field at fault (for example {@code outputs[0].digest}), or null
     * @param reason why, for people
     */
    public InvalidRecordException(int index, String field, String reason) {
        super("record " + index + (field == null ? "" : " (" + field + ")") + ": " + Objects.requireNonNull(reason, "reason is null"));
        this.index = index;
        this.field = field;
    }

    public int index() {
        return index;
    }

    public String field() {
        return field;
    }
}
