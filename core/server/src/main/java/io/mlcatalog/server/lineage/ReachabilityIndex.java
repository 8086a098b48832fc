package io.mlcatalog.server.lineage;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.NodeType;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every lineage edge ever recorded, downstream direction, in memory: what a blast radius walks. A popular dataset
 * reaches 100,000 nodes; walked in SQL that is 100,000 index probes (about half a second on 2 cores), walked here a
 * few milliseconds.
 *
 * <p>It never answers from stale data. Before each walk it loads the edges committed since it last looked, using
 * PostgreSQL's snapshots: the first load reads the whole edge table under one snapshot, and each later look reads
 * only the edges whose inserting transaction ({@code lineage_edge.inserted_by}) that snapshot did not see, then keeps
 * the newer snapshot. Transactions that commit out of order are therefore neither missed nor read twice. A
 * truncated or rewritten edge table (a new file node) is loaded again from scratch. Edges are never deleted by the
 * catalog, and a blast radius follows every edge whatever its validity, so new edges are the only change to follow.
 *
 * <p>Memory: about 50 bytes per edge (a million edges, 50 MB), held from the first blast radius on. Above
 * {@code maxEdges} it gives up ({@link #downstream} answers empty) and the caller walks in SQL.
 */
public final class ReachabilityIndex {
    private static final Logger log = LoggerFactory.getLogger(ReachabilityIndex.class);
    /** The system property that sets {@code maxEdges} (0 turns the index off). */
    public static final String MAX_EDGES_PROPERTY = "mlcatalog.reachability.maxEdges";
    public static final long DEFAULT_MAX_EDGES = 3_000_000;
    private static final int FETCH = 20_000;
    private static final NodeType[] TYPES = NodeType.values();

    static final String SNAPSHOT_SQL = """
            select pg_current_snapshot()::text as snap, pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
                   pg_relation_filenode('lineage_edge')::bigint as filenode, (select count(*) from lineage_edge) as edges
            """;
    static final String ALL_EDGES_SQL = "select from_id, from_type, to_id, to_type from lineage_edge";
    /**
     * The edges of transactions {@code $2} did not see (their ids are at least its xmin {@code $1}), as of this
     * statement's snapshot, returned with it; one row of nulls and the snapshot when there are none.
     */
    static final String NEW_EDGES_SQL = """
            select s.snap::text as snap, pg_snapshot_xmin(s.snap)::text as xmin, pg_relation_filenode('lineage_edge')::bigint as filenode,
                   e.from_id, e.from_type, e.to_id, e.to_type
            from (select pg_current_snapshot() as snap) as s
            left join lineage_edge e on e.inserted_by >= $1::text::xid8 and not pg_visible_in_snapshot(e.inserted_by, $2::text::pg_snapshot)
            limit $3
            """;
    /** More new edges than this since the last look (a bulk load, say) are read by loading everything again, in pages. */
    static final int MAX_NEW_EDGES = 100_000;

    private final Db db;
    private final long maxEdges;

    // guarded by this
    private Graph graph;
    private String snapshot;
    private String xmin;
    private long filenode;
    private boolean tooLarge;
    private Future<Void> looking;
    private Promise<Void> nextLook;

    public ReachabilityIndex(Db db, long maxEdges) {
        this.db = db;
        this.maxEdges = maxEdges;
    }

    /** The index with {@code maxEdges} from the system property {@value #MAX_EDGES_PROPERTY}, if set. */
    public static ReachabilityIndex fromSystemProperties(Db db) {
        String value = System.getProperty(MAX_EDGES_PROPERTY);
        return new ReachabilityIndex(db, value == null || value.isBlank() ? DEFAULT_MAX_EDGES : Long.parseLong(value.strip()));
    }

    /**
     * What a downstream walk from {@code root} reaches within {@code depth} hops.
     *
     * @param modelVersions the model versions reached
     * @param nodes         all nodes reached, the root included
     * @param truncated     whether the depth limit or the node cap left edges unfollowed
     */
    public record Reach(List<UUID> modelVersions, int nodes, boolean truncated) {
    }

    /**
     * Walks downstream from {@code root} over every edge committed before this call, or answers empty when the
     * catalog has more edges than this index holds (walk in SQL then).
     */
    public Future<Optional<Reach>> downstream(UUID root, int depth, int maxNodes) {
        if (maxEdges <= 0) {
            return Future.succeededFuture(Optional.empty());
        }
        return look().map(x -> {
            synchronized (this) {
                return tooLarge || graph == null ? Optional.<Reach>empty() : Optional.of(graph.walk(root, depth, maxNodes));
            }
        }).recover(e -> {
            // the walk in SQL answers instead (and reports the database's trouble, if it persists); the next call looks again
            log.warn("the blastRadius index could not be brought up to date; walking in SQL this time: {}", e.toString());
            return Future.succeededFuture(Optional.empty());
        });
    }

    /**
     * Brings the index up to date with every edge committed before this call. A look already under way may have
     * taken its snapshot before that, so a caller arriving during one waits for the next (which all such callers share).
     */
    private synchronized Future<Void> look() {
        if (looking != null) {
            if (nextLook == null) {
                nextLook = Promise.promise();
            }
            return nextLook.future();
        }
        Promise<Void> current = Promise.promise();
        looking = current.future();
        run(current);
        return current.future();
    }

    /** One look; when it ends, the look callers queued meanwhile starts. (A look may end at once, inside {@link #look}.) */
    private void run(Promise<Void> current) {
        Future<Void> work;
        try {
            synchronized (this) {
                work = graph == null && !tooLarge ? load() : newEdges();
            }
        } catch (RuntimeException e) {
            work = Future.failedFuture(e); // still ends this look, so that later callers are not left waiting
        }
        work.onComplete(ar -> {
            Promise<Void> waiting;
            synchronized (this) {
                waiting = nextLook;
                nextLook = null;
                looking = waiting == null ? null : waiting.future();
            }
            if (ar.succeeded()) {
                current.complete();
            } else {
                current.fail(ar.cause());
            }
            if (waiting != null) {
                run(waiting);
            }
        });
    }

    /** Reads the whole edge table under one snapshot (a repeatable-read transaction), in pages. */
    private Future<Void> load() {
        long start = System.nanoTime();
        return db.inTransaction(tx -> db.query(tx, "set transaction isolation level repeatable read, read only", Tuple.tuple())
                .compose(x -> db.query(tx, SNAPSHOT_SQL, Tuple.tuple()))
                .compose(rows -> {
                    Row r = rows.iterator().next();
                    long edges = r.getLong("edges");
                    if (edges > maxEdges) {
                        synchronized (this) {
                            tooLarge = true;
                        }
                        log.info("blastRadius walks in SQL: the catalog has {} lineage edges, more than the {} its in-memory index holds "
                                + "(system property {})", edges, maxEdges, MAX_EDGES_PROPERTY);
                        return Future.succeededFuture();
                    }
                    Graph loading = new Graph((int) Math.min(edges, Integer.MAX_VALUE - 8));
                    return readAll(tx, loading).map(x -> {
                        synchronized (this) {
                            graph = loading;
                            snapshot = r.getString("snap");
                            xmin = r.getString("xmin");
                            filenode = r.getLong("filenode");
                        }
                        log.info("blastRadius index loaded: {} lineage edges between {} nodes in {} ms", loading.edges(), loading.nodes(),
                                (System.nanoTime() - start) / 1_000_000);
                        return null;
                    });
                }));
    }

    private Future<Void> readAll(SqlConnection tx, Graph into) {
        return tx.prepare(ALL_EDGES_SQL).compose(ps -> {
            var cursor = ps.cursor();
            return readPages(cursor, into).eventually(() -> cursor.close().eventually(ps::close));
        });
    }

    private Future<Void> readPages(io.vertx.sqlclient.Cursor cursor, Graph into) {
        return cursor.read(FETCH).compose(rows -> {
            add(into, rows);
            return cursor.hasMore() ? readPages(cursor, into) : Future.succeededFuture();
        });
    }

    /** The edges committed since the last look; loads everything again when the table was replaced. */
    private Future<Void> newEdges() {
        if (tooLarge) {
            return Future.succeededFuture();
        }
        String seenXmin;
        String seenSnapshot;
        synchronized (this) {
            seenXmin = xmin;
            seenSnapshot = snapshot;
        }
        return db.query(NEW_EDGES_SQL, Tuple.of(seenXmin, seenSnapshot, MAX_NEW_EDGES + 1)).recover(e -> {
            // the next look loads everything again rather than retrying a backlog that only grows
            synchronized (this) {
                graph = null;
            }
            return Future.failedFuture(e);
        }).compose(rows -> {
            Row first = rows.iterator().next();
            synchronized (this) {
                if (first.getLong("filenode") != filenode) {
                    log.info("the lineage edge table was replaced (truncated or rewritten): loading the blastRadius index again");
                    graph = null;
                } else if (rows.size() > MAX_NEW_EDGES) {
                    log.info("more than {} lineage edges were committed since the blastRadius index last looked: loading it again",
                            MAX_NEW_EDGES);
                    graph = null;
                } else {
                    add(graph, rows);
                    snapshot = first.getString("snap");
                    xmin = first.getString("xmin");
                    if (graph.edges() > maxEdges) {
                        log.info("blastRadius walks in SQL from now on: the catalog has grown past the {} lineage edges its in-memory "
                                + "index holds (system property {})", maxEdges, MAX_EDGES_PROPERTY);
                        tooLarge = true;
                        graph = null;
                    }
                    return Future.succeededFuture();
                }
            }
            return load();
        });
    }

    private void add(Graph into, RowSet<Row> rows) {
        synchronized (this) {
            for (Row r : rows) {
                UUID from = r.getUUID("from_id");
                if (from != null) {
                    into.add(from, NodeType.fromDbName(r.getString("from_type")), r.getUUID("to_id"), NodeType.fromDbName(r.getString("to_type")));
                }
            }
        }
    }

    /**
     * Nodes numbered densely, found by id in an open-addressing table, each with its downstream neighbours as an
     * array of node numbers: a few dozen bytes per edge, no object per edge or node.
     */
    static final class Graph {
        private long[] slotHi;
        private long[] slotLo;
        private int[] slotNode; // node number + 1; 0 = empty
        private long[] nodeHi;
        private long[] nodeLo;
        private byte[] nodeType;
        private int[][] out;
        private int[] outSize;
        private int nodes;
        private long edges;
        private int[] seen; // walk marks: seen[n] == walkMark
        private int walkMark;

        Graph(long expectedEdges) {
            int expectedNodes = (int) Math.max(16, Math.min(expectedEdges / 2, 1 << 26));
            int slots = Integer.highestOneBit(Math.max(16, expectedNodes * 2 - 1)) << 1;
            slotHi = new long[slots];
            slotLo = new long[slots];
            slotNode = new int[slots];
            nodeHi = new long[expectedNodes];
            nodeLo = new long[expectedNodes];
            nodeType = new byte[expectedNodes];
            out = new int[expectedNodes][];
            outSize = new int[expectedNodes];
        }

        int nodes() {
            return nodes;
        }

        long edges() {
            return edges;
        }

        void add(UUID from, NodeType fromType, UUID to, NodeType toType) {
            int f = node(from, fromType, true);
            int t = node(to, toType, true);
            int[] list = out[f];
            if (list == null) {
                list = new int[2];
                out[f] = list;
            } else if (outSize[f] == list.length) {
                list = Arrays.copyOf(list, list.length * 2);
                out[f] = list;
            }
            list[outSize[f]++] = t;
            edges++;
        }

        /** The node number of {@code id}, or -1; with {@code create}, a new number for an unknown id. */
        private int node(UUID id, NodeType type, boolean create) {
            long hi = id.getMostSignificantBits();
            long lo = id.getLeastSignificantBits();
            int mask = slotNode.length - 1;
            int slot = mix(hi, lo) & mask;
            while (slotNode[slot] != 0) {
                if (slotHi[slot] == hi && slotLo[slot] == lo) {
                    return slotNode[slot] - 1;
                }
                slot = (slot + 1) & mask;
            }
            if (!create) {
                return -1;
            }
            if (nodes == nodeHi.length) {
                int grown = nodes + (nodes >> 1) + 16;
                nodeHi = Arrays.copyOf(nodeHi, grown);
                nodeLo = Arrays.copyOf(nodeLo, grown);
                nodeType = Arrays.copyOf(nodeType, grown);
                out = Arrays.copyOf(out, grown);
                outSize = Arrays.copyOf(outSize, grown);
            }
            int n = nodes++;
            nodeHi[n] = hi;
            nodeLo[n] = lo;
            nodeType[n] = (byte) type.ordinal();
            slotHi[slot] = hi;
            slotLo[slot] = lo;
            slotNode[slot] = n + 1;
            if (nodes * 10L > slotNode.length * 6L) {
                rehash(slotNode.length * 2);
            }
            return n;
        }

        private void rehash(int slots) {
            long[] hi = new long[slots];
            long[] lo = new long[slots];
            int[] node = new int[slots];
            int mask = slots - 1;
            for (int n = 0; n < nodes; n++) {
                int slot = mix(nodeHi[n], nodeLo[n]) & mask;
                while (node[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                hi[slot] = nodeHi[n];
                lo[slot] = nodeLo[n];
                node[slot] = n + 1;
            }
            slotHi = hi;
            slotLo = lo;
            slotNode = node;
        }

        private static int mix(long hi, long lo) {
            long h = hi * 0x9E3779B97F4A7C15L ^ lo;
            h ^= h >>> 32;
            h *= 0xD6E8FEB86659FD93L;
            return (int) (h ^ (h >>> 32));
        }

        /** Breadth first from {@code root}, each node once, at most {@code depth} hops and {@code maxNodes} nodes. */
        Reach walk(UUID root, int depth, int maxNodes) {
            int r = node(root, null, false);
            if (r < 0) {
                return new Reach(List.of(), 1, false); // no edge leaves it (or enters it)
            }
            if (seen == null || seen.length < nodes) {
                seen = new int[nodeHi.length];
                walkMark = 0;
            }
            int mark = ++walkMark;
            if (mark == Integer.MAX_VALUE) {
                Arrays.fill(seen, 0);
                walkMark = mark = 1;
            }
            List<UUID> versions = new ArrayList<>();
            int reached = 1;
            seen[r] = mark;
            int[] frontier = {r};
            int frontierSize = 1;
            boolean truncated = false;
            for (int hop = 0; hop < depth && frontierSize > 0 && !truncated; hop++) {
                int[] next = new int[Math.max(16, frontierSize)];
                int nextSize = 0;
                for (int i = 0; i < frontierSize && !truncated; i++) {
                    int n = frontier[i];
                    int[] list = out[n];
                    for (int k = 0; k < outSize[n]; k++) {
                        int t = list[k];
                        if (seen[t] == mark) {
                            continue;
                        }
                        if (reached >= maxNodes) {
                            truncated = true;
                            break;
                        }
                        seen[t] = mark;
                        reached++;
                        if (TYPES[nodeType[t]] == NodeType.MODEL_VERSION) {
                            versions.add(new UUID(nodeHi[t], nodeLo[t]));
                        }
                        if (nextSize == next.length) {
                            next = Arrays.copyOf(next, next.length * 2);
                        }
                        next[nextSize++] = t;
                    }
                }
                frontier = next;
                frontierSize = nextSize;
            }
            if (!truncated) {
                // the depth limit cut the walk only if an edge leaves what it stopped at
                for (int i = 0; i < frontierSize && !truncated; i++) {
                    truncated = outSize[frontier[i]] > 0;
                }
            }
            return new Reach(versions, reached, truncated);
        }
    }
}
