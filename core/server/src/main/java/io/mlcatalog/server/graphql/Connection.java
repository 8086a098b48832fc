package io.mlcatalog.server.graphql;

import io.mlcatalog.server.store.Page;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A Relay connection over one page. {@code totalCount} is computed only when a client selects it
 * (a count is the costliest part of a listing).
 */
public final class Connection<T> {
    private final Page<T> page;
    private final Supplier<CompletableFuture<Integer>> totalCount;

    public Connection(Page<T> page, Supplier<CompletableFuture<Integer>> totalCount) {
        this.page = page;
        this.totalCount = totalCount;
    }

    public record Edge<T>(String cursor, T node) {
    }

    public record PageInfo(boolean hasNextPage, String endCursor) {
    }

    public List<Edge<T>> edges() {
        return page.rows().stream().map(row -> new Edge<>(page.cursorOf().apply(row).encode(), row)).toList();
    }

    public PageInfo pageInfo() {
        return new PageInfo(page.hasNextPage(), page.endCursor());
    }

    public CompletableFuture<Integer> totalCount() {
        return totalCount.get();
    }
}
