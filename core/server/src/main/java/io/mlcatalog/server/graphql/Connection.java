package io.mlcatalog.server.graphql;

import io.mlcatalog.server.store.Page;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Relay connection over one page. {@code totalCount} is computed only when a client selects it
 * (a count is the costliest part of a listing).
 */
public final class Connection<T> {
    private final Page<T> page;
    private final Supplier<CompletableFuture<Integer>> totalCount;
    private final Function<T, String> cursor;

    public Connection(Page<T> page, Supplier<CompletableFuture<Integer>> totalCount) {
        this(page, totalCount, row -> page.cursorOf().apply(row).encode());
    }

    /** A connection whose cursors are not keyset {@link io.mlcatalog.server.store.Cursor}s (the change log's, say). */
    public Connection(Page<T> page, Supplier<CompletableFuture<Integer>> totalCount, Function<T, String> cursor) {
        this.page = page;
        this.totalCount = totalCount;
        this.cursor = cursor;
    }

    /**
     * An edge of the page. Its cursor is encoded only when a client selects it: a dashboard listing rows seldom does,
     * and encoding one for each of fifty rows was a measurable part of a small query.
     */
    public static final class Edge<T> {
        private final T node;
        private final Function<T, String> cursor;

        Edge(T node, Function<T, String> cursor) {
            this.node = node;
            this.cursor = cursor;
        }

        public String cursor() {
            return cursor.apply(node);
        }

        public T node() {
            return node;
        }
    }

    public record PageInfo(boolean hasNextPage, String endCursor) {
    }

    public List<Edge<T>> edges() {
        return page.rows().stream().map(row -> new Edge<>(row, cursor)).toList();
    }

    public PageInfo pageInfo() {
        return new PageInfo(page.hasNextPage(), page.rows().isEmpty() ? null : cursor.apply(page.rows().get(page.rows().size() - 1)));
    }

    public CompletableFuture<Integer> totalCount() {
        return totalCount.get();
    }
}
