package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        // one row per edge (a statement may not update a row twice), with its earliest since, as linking them one by one would
        Map<UUID, Edge> byId = new java.util.TreeMap<>();
        for (Edge e : edges) {
            byId.merge(e.id(), e, (a, b) -> a.since() == null ? b : b.since() == null || !b.since().isBefore(a.since()) ? a : b);
        }
        int n = byId.size();
        UUID[] ids = new UUID[n];
        UUID[] from = new UUID[n];
        String[] fromTypes = new String[n];
        UUID[] to = new UUID[n];
        String[] toTypes = new String[n];
        String[] kinds = new String[n];
        java.time.OffsetDateTime[] since = new java.time.OffsetDateTime[n];
        java.time.OffsetDateTime[] until = new java.time.OffsetDateTime[n];
        int i = 0;
        for (Edge e : byId.values()) {
            ids[i] = e.id();
            from[i] = e.from();
            fromTypes[i] = e.kind().from().dbName();
            to[i] = e.to();
            toTypes[i] = e.kind().to().dbName();
            kinds[i] = e.kind().name();
            since[i] = e.since();
            until[i] = e.until();
            i++;
        }
        return db.query(tx, """
                insert into lineage_edge (id, from_id, from_type, to_id, to_type, kind, since, until, created_at)
                select id, from_id, from_type, to_id, to_type, kind, since, until, now()
                from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
                  as e(id, from_id, from_type, to_id, to_type, kind, since, until)
                order by id
                on conflict (id) do update set since = least(lineage_edge.since, excluded.since)
                where excluded.since < lineage_edge.since or (lineage_edge.since is null and excluded.since is not null)
                returning id, (xmax = 0) as inserted
                """, Tuple.of(ids, from, fromTypes, to, toTypes, kinds, since, until)).map(rows -> {
            java.util.Set<UUID> inserted = new java.util.HashSet<>();
            for (Row row : rows) {
                if (row.getBoolean("inserted")) {
                    inserted.add(row.getUUID("id"));
                }
            }
            List<Edge> created = new ArrayList<>();
            for (Edge e : edges) {
                if (inserted.remove(e.id())) {
                    created.add(byId.get(e.id()));
                }
            }
            return created;
        });
    }

    // ------------------------------------------------------------------ walks

    /** An edge as a walk reads it. */
    public record Hop(UUID node, Edge edge, NodeType fromType, NodeType toType) {
    }

    /**
     * One hop of an upstream walk: for each node of the frontier, its newest edges pointing into it (at most
     * {@code $3}), valid at {@code $2} when given. One index range scan per node (lineage_edge_upstream).
     */
    public static final String UPSTREAM_HOP_SQL = """
            select f.id as node, e.from_id, e.from_type, e.to_id, e.to_type, e.kind, e.since, e.until
            from unnest($1::uuid[]) with ordinality as f(id, ord)
            cross join lateral (
                select e.from_id, e.from_type, e.to_id, e.to_type, e.kind, e.since, e.until from lineage_edge e
                where e.to_id = f.id
                  and ($2::timestamptz is null or ((e.since is null or e.since <= $2) and (e.until is null or e.until > $2)))
                order by e.since desc nulls last
                limit $3) e
            order by f.ord, e.since desc nulls last
            """;

    /** One hop of a downstream walk: the same, for edges leaving each node (lineage_edge_downstream). */
    public static final String DOWNSTREAM_HOP_SQL = """
            select f.id as node, e.from_id, e.from_type, e.to_id, e.to_type, e.kind, e.since, e.until
            from unnest($1::uuid[]) with ordinality as f(id, ord)
            cross join lateral (
                select e.from_id, e.from_type, e.to_id, e.to_type, e.kind, e.since, e.until from lineage_edge e
                where e.from_id = f.id
                  and ($2::timestamptz is null or ((e.since is null or e.since <= $2) and (e.until is null or e.until > $2)))
                order by e.since desc nulls last
                limit $3) e
            order by f.ord, e.since desc nulls last
            """;

    /**
     * One hop of a reachability walk (a blast radius): the distinct nodes one edge down (or up) from the frontier,
     * with their types, and nothing else: no edge columns, no per-node order or limit. Each frontier node is one
     * index-only probe of lineage_edge_downstream (or _upstream); a walk reaching 100,000 nodes is 100,000 probes,
     * so every byte and sort saved per probe counts. ({@code offset 0} keeps the lateral subquery a probe per node:
     * without it PostgreSQL may join by reading the whole edge table, which on a small catalog it estimates cheaper.)
     */
    public static final String DOWNSTREAM_REACH_SQL = """
            select distinct e.id, e.type
            from unnest($1::uuid[]) as f(id)
            cross join lateral (
                select e.to_id as id, e.to_type as type from lineage_edge e
                where e.from_id = f.id
                  and ($2::timestamptz is null or ((e.since is null or e.since <= $2) and (e.until is null or e.until > $2)))
                offset 0) e
            """;

    public static final String UPSTREAM_REACH_SQL = """
            select distinct e.id, e.type
            from unnest($1::uuid[]) as f(id)
            cross join lateral (
                select e.from_id as id, e.from_type as type from lineage_edge e
                where e.to_id = f.id
                  and ($2::timestamptz is null or ((e.since is null or e.since <= $2) and (e.until is null or e.until > $2)))
                offset 0) e
            """;

    /** A node a reachability hop found. */
    public record Reached(UUID id, NodeType type) {
    }

    public Future<List<Reached>> reach(List<UUID> frontier, boolean upstream, OffsetDateTime asOf) {
        return db.query(upstream ? UPSTREAM_REACH_SQL : DOWNSTREAM_REACH_SQL, Tuple.of(frontier.toArray(UUID[]::new), asOf))
                .map(rows -> {
                    List<Reached> reached = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        reached.add(new Reached(r.getUUID("id"), NodeType.fromDbName(r.getString("type"))));
                    }
                    return reached;
                });
    }

    /** Whether any node of the frontier has an edge further up (or down): tells if the depth limit cut the walk. */
    public static final String UPSTREAM_BEYOND_SQL = """
            select exists (select 1 from unnest($1::uuid[]) as f(id) where exists (
                select 1 from lineage_edge e where e.to_id = f.id
                  and ($2::timestamptz is null or ((e.since is null or e.since <= $2) and (e.until is null or e.until > $2)))))
            """;

    public static final String DOWNSTREAM_BEYOND_SQL = """
            select exists (select 1 from unnest($1::uuid[]) as f(id) where exists (
                select 1 from lineage_edge e where e.from_id = f.id
                  and ($2::timestamptz is null or ((e.since is null or e.since <= $2) and (e.until is null or e.until > $2)))))
            """;

    /** The edges of one hop, at most {@code limit} per frontier node, newest first. */
    public Future<List<Hop>> hop(List<UUID> frontier, boolean upstream, OffsetDateTime asOf, int limit) {
        return db.query(upstream ? UPSTREAM_HOP_SQL : DOWNSTREAM_HOP_SQL, Tuple.of(frontier.toArray(UUID[]::new), asOf, limit))
                .map(rows -> {
                    List<Hop> hops = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        EdgeKind kind = EdgeKind.valueOf(r.getString("kind"));
                        hops.add(new Hop(r.getUUID("node"), new Edge(r.getUUID("from_id"), r.getUUID("to_id"), kind,
                                r.getOffsetDateTime("since"), r.getOffsetDateTime("until")),
                                NodeType.fromDbName(r.getString("from_type")), NodeType.fromDbName(r.getString("to_type"))));
                    }
                    return hops;
                });
    }

    public Future<Boolean> anyBeyond(List<UUID> frontier, boolean upstream, OffsetDateTime asOf) {
        return db.query(upstream ? UPSTREAM_BEYOND_SQL : DOWNSTREAM_BEYOND_SQL, Tuple.of(frontier.toArray(UUID[]::new), asOf))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** Closes (or re-closes) the validity of the edge into {@code to} of {@code kind}, e.g. when a deployment ends. */
    public Future<Void> setUntil(SqlClient tx, UUID to, EdgeKind kind, OffsetDateTime until) {
        return db.query(tx, "update lineage_edge set until = $3 where to_id = $1 and kind = $2 and until is distinct from $3",
                Tuple.of(to, kind.name(), until)).mapEmpty();
    }
}
