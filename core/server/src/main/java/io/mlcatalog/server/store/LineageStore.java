package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.Ids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The lineage edge table, written in the same transaction as the rows the edges mirror. */
public final class LineageStore {
    private final Db db;

    public LineageStore(Db db) {
        this.db = db;
    }

    /** An edge to record: {@code from} and {@code to} must be of the kind's node types. */
    public record Edge(UUID from, UUID to, EdgeKind kind, OffsetDateTime since, OffsetDateTime until) {
        public UUID id() {
            return Ids.edge(from, to, kind);
        }
    }

    /**
     * Records edges; an edge that exists keeps its earliest {@code since}.
     *
     * @return the edges that did not exist before
     */
    public Future<List<Edge>> link(SqlClient tx, List<Edge> edges) {
        if (edges.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<Tuple> batch = new ArrayList<>(edges.size());
        for (Edge e : edges) {
            batch.add(Tuple.of(e.id(), e.from(), e.kind().from().dbName(), e.to(), e.kind().to().dbName(), e.kind().name(),
                    e.since(), e.until()));
        }
        return db.batch(tx, """
                insert into lineage_edge (id, from_id, from_type, to_id, to_type, kind, since, until, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, now())
                on conflict (id) do update set since = least(lineage_edge.since, excluded.since)
                where excluded.since < lineage_edge.since or (lineage_edge.since is null and excluded.since is not null)
                returning (xmax = 0) as inserted
                """, batch).map(result -> {
            List<Edge> created = new ArrayList<>();
            int i = 0;
            for (RowSet<Row> rs = result; rs != null; rs = rs.next(), i++) {
                for (Row row : rs) {
                    if (row.getBoolean("inserted")) {
                        created.add(edges.get(i));
                    }
                }
            }
            return created;
        });
    }

    /** Closes (or re-closes) the validity of the edge into {@code to} of {@code kind}, e.g. when a deployment ends. */
    public Future<Void> setUntil(SqlClient tx, UUID to, EdgeKind kind, OffsetDateTime until) {
        return db.query(tx, "update lineage_edge set until = $3 where to_id = $1 and kind = $2 and until is distinct from $3",
                Tuple.of(to, kind.name(), until)).mapEmpty();
    }
}
