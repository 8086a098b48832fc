package io.mlcatalog.server.store;

import java.util.List;
import java.util.function.Function;

/** One page of a listing, newest first, and whether more rows follow it. */
public record Page<T>(List<T> rows, boolean hasNextPage, Function<T, Cursor> cursorOf) {

    public Page {
        rows = List.copyOf(rows);
    }

    /** Builds a page from up to {@code first + 1} rows: the extra row only tells that there is a next page. */
    public static <T> Page<T> of(List<T> fetched, int first, Function<T, Cursor> cursorOf) {
        boolean more = fetched.size() > first;
        return new Page<>(more ? fetched.subList(0, first) : fetched, more, cursorOf);
    }

    public String endCursor() {
        return rows.isEmpty() ? null : cursorOf.apply(rows.get(rows.size() - 1)).encode();
    }
}
