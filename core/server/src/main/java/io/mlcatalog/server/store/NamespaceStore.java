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

    public NamespaceStore(Db db) {
        this.db = db;
    }

    /** Creates the namespaces that do not exist yet. */
    public Future<Void> ensure(SqlClient tx, Collection<String> names) {
        // sorted: concurrent writers then lock namespaces in the same order and cannot deadlock
        String[] sorted = new TreeSet<>(names).toArray(String[]::new);
        return db.query(tx, """
                insert into namespace (name)
                select unnest($1::text[])
                on conflict (name) do nothing
                """, Tuple.of(sorted)).mapEmpty();
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
