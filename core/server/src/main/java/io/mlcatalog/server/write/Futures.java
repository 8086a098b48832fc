package io.mlcatalog.server.write;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Sequencing over Vert.x futures. */
final class Futures {
    private Futures() {
    }

    /** Applies {@code fn} to each item in order, one after another (statements of a transaction run in sequence anyway). */
    static <T, R> Future<List<R>> each(List<T> items, Function<T, Future<R>> fn) {
        Future<List<R>> acc = Future.succeededFuture(new ArrayList<>(items.size()));
        for (T item : items) {
            acc = acc.compose(list -> fn.apply(item).map(r -> {
                list.add(r);
                return list;
            }));
        }
        return acc;
    }
}
