package io.mlcatalog.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The floor to compare the catalog's lineage walks against: the whole {@code lineage_edge} table read
 * once into compact adjacency arrays (each node's edges in both directions, newest first), and the
 * simplest breadth-first walk over them, with the engine's rules (per-hop limit of each node's newest
 * edges, each node expanded once, a node cap, an optional instant) and nothing else: no SQL, no
 * network, no JSON.
 */
final class EdgeGraph {
    private static final long NO_TIME = Long.MIN_VALUE;

    private final Map<UUID, Integer> index;
    /** Per node: whether it is a model version (what a blast radius collects). */
    private final boolean[] version;
    private final int[] from;
    private final int[] to;
    /** Epoch microseconds; {@link #NO_TIME} for null (since sorts last, as the engine's "nulls last"). */
    private final long[] since;
    private final long[] until;
    private final int[] outStart;
    private final int[] outEdges;
    private final int[] inStart;
    private final int[] inEdges;
    private final int[] mark;
    private int stamp;

    private EdgeGraph(Map<UUID, Integer> index, boolean[] version, int[] from, int[] to, long[] since, long[] until) {
        this.index = index;
        this.version = version;
        this.from = from;
        this.to = to;
        this.since = since;
        this.until = until;
        int n = index.size();
        // newest first within each node: place edges in decreasing order of since (stable counting sort by node)
        Integer[] order = new Integer[from.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(since[b], since[a]));
        outStart = new int[n + 1];
        inStart = new int[n + 1];
        for (int e = 0; e < from.length; e++) {
            outStart[from[e] + 1]++;
            inStart[to[e] + 1]++;
        }
        for (int i = 0; i < n; i++) {
            outStart[i + 1] += outStart[i];
            inStart[i + 1] += inStart[i];
        }
        outEdges = new int[from.length];
        inEdges = new int[from.length];
        int[] outNext = Arrays.copyOf(outStart, n);
        int[] inNext = Arrays.copyOf(inStart, n);
        for (int e : order) {
            outEdges[outNext[from[e]]++] = e;
            inEdges[inNext[to[e]]++] = e;
        }
        mark = new int[n];
    }

    /** Reads every edge (a sequential read of the table: this is the floor's setup, not a walk). */
    static EdgeGraph load(Connection c) throws SQLException {
        Map<UUID, Integer> index = new HashMap<>();
        int capacity = 1 << 20;
        int[] from = new int[capacity];
        int[] to = new int[capacity];
        long[] since = new long[capacity];
        long[] until = new long[capacity];
        int n = 0;
        java.util.BitSet versions = new java.util.BitSet();
        c.setAutoCommit(false); // a cursor, not the whole table in the driver's memory at once
        try (Statement s = c.createStatement()) {
            s.setFetchSize(50_000);
            try (ResultSet rs = s.executeQuery("select from_id, to_id, since, until, from_type, to_type from lineage_edge")) {
                while (rs.next()) {
                    if (n == from.length) {
                        capacity *= 2;
                        from = Arrays.copyOf(from, capacity);
                        to = Arrays.copyOf(to, capacity);
                        since = Arrays.copyOf(since, capacity);
                        until = Arrays.copyOf(until, capacity);
                    }
                    from[n] = index.computeIfAbsent(rs.getObject(1, UUID.class), k -> index.size());
                    to[n] = index.computeIfAbsent(rs.getObject(2, UUID.class), k -> index.size());
                    since[n] = micros(rs.getTimestamp(3));
                    until[n] = micros(rs.getTimestamp(4));
                    if ("model_version".equals(rs.getString(5))) {
                        versions.set(from[n]);
                    }
                    if ("model_version".equals(rs.getString(6))) {
                        versions.set(to[n]);
                    }
                    n++;
                }
            }
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
        boolean[] version = new boolean[index.size()];
        versions.stream().forEach(i -> version[i] = true);
        return new EdgeGraph(index, version, Arrays.copyOf(from, n), Arrays.copyOf(to, n), Arrays.copyOf(since, n), Arrays.copyOf(until, n));
    }

    private static long micros(Timestamp t) {
        return t == null ? NO_TIME : t.getTime() * 1000 + (t.getNanos() / 1000) % 1000;
    }

    static long micros(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }

    int nodes() {
        return index.size();
    }

    int edges() {
        return from.length;
    }

    /** What one walk found; {@code versions}: how many of its nodes are model versions. */
    record Walk(int nodes, int versions, int edges, int depthReached, boolean truncated) {
    }

    /**
     * Walks from {@code root} as the engine does: breadth first, {@code depth} hops, from each node its
     * {@code perHop} newest edges valid at {@code asOf} (or all, when {@link #NO_TIME}), at most
     * {@code maxNodes} nodes; truncated when a limit left edges unfollowed.
     */
    Walk walk(UUID root, boolean upstream, long asOf, int depth, int perHop, int maxNodes) {
        Integer r = index.get(root);
        if (r == null) {
            return new Walk(1, 0, 0, 0, false); // a node without edges
        }
        stamp++;
        mark[r] = stamp;
        int nodes = 1;
        int versions = version[r] ? 1 : 0;
        int edges = 0;
        int depthReached = 0;
        boolean truncated = false;
        int[] frontier = {r};
        int frontierSize = 1;
        int[] next = new int[64];
        int[] start = upstream ? inStart : outStart;
        int[] list = upstream ? inEdges : outEdges;
        int hop = 0;
        for (; hop < depth && frontierSize > 0; hop++) {
            int nextSize = 0;
            for (int f = 0; f < frontierSize; f++) {
                int node = frontier[f];
                int taken = 0;
                for (int k = start[node]; k < start[node + 1]; k++) {
                    int e = list[k];
                    if (asOf != NO_TIME && !valid(e, asOf)) {
                        continue;
                    }
                    if (taken == perHop) {
                        truncated = true;
                        break;
                    }
                    taken++;
                    int other = upstream ? from[e] : to[e];
                    if (mark[other] != stamp) {
                        if (nodes >= maxNodes) {
                            truncated = true;
                            continue;
                        }
                        mark[other] = stamp;
                        nodes++;
                        if (version[other]) {
                            versions++;
                        }
                        if (nextSize == next.length) {
                            next = Arrays.copyOf(next, nextSize * 2);
                        }
                        next[nextSize++] = other;
                    }
                    edges++;
                }
            }
            if (nextSize > 0) {
                depthReached = hop + 1;
            }
            int[] t = frontier;
            frontier = next;
            next = t.length >= 64 ? t : new int[64];
            frontierSize = nextSize;
        }
        if (frontierSize > 0 && hop >= depth) {
            // the depth limit cut the walk only if something lies beyond it
            for (int f = 0; f < frontierSize && !truncated; f++) {
                for (int k = start[frontier[f]]; k < start[frontier[f] + 1]; k++) {
                    if (asOf == NO_TIME || valid(list[k], asOf)) {
                        truncated = true;
                        break;
                    }
                }
            }
        }
        return new Walk(nodes, versions, edges, depthReached, truncated);
    }

    static long noTime() {
        return NO_TIME;
    }

    private boolean valid(int e, long asOf) {
        return (since[e] == NO_TIME || since[e] <= asOf) && (until[e] == NO_TIME || until[e] > asOf);
    }
}
