package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

public final class NamespaceStore {
    private final Db db;
    /** Namespaces known to be committed: never deleted, so never asked about again. */
    private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public NamespaceStore(Db db) {
        this.db = db;
    }

    /** Creates the namespaces that do not exist yet. */
    public Future<Void> ensure(SqlClient tx, Collection<String> names) {
        // sorted: concurrent writers then lock namespaces in the same order and cannot deadlock
        TreeSet<String> unknown = new TreeSet<>(names);
        unknown.removeAll(known);
        if (unknown.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.query(tx, """
                insert into namespace (name)
                select unnest($1::text[])
                on conflict (name) do nothing
                returning name
                """, Tuple.of(unknown.toArray(String[]::new))).map(rows -> {
            // a name this transaction inserted is not committed yet (it may roll back): only the others are known
            rows.forEach(r -> unknown.remove(r.getString(0)));
            known.addAll(unknown);
            return null;
        });
    }

    public Future<List<String>> all() {
        return db.query("select name from namespace order by name", Tuple.tuple()).map(rows -> {
            List<String> names = new ArrayList<>();
            for (Row row : rows) {
                names.add(row.getString(0));
            }
            return names;
        });
    }
}
