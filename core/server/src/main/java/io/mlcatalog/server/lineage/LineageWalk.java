package io.mlcatalog.server.lineage;

import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.store.LineageStore;
import io.mlcatalog.server.store.LineageStore.Edge;
import io.vertx.core.Future;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Walks the lineage graph from one node, breadth first, one SQL statement per hop. Directed: an upstream
 * walk only ever follows edges backwards (to what something was made from), a downstream walk only
 * forwards; {@code BOTH} is the two walks side by side, never a walk that turns around. Cycle-safe (each
 * node is expanded once). Every limit that stops it early says so in {@link Result#truncated()}.
 */
public final class LineageWalk {
    private final LineageStore store;

    public LineageWalk(LineageStore store) {
        this.store = store;
    }

    public enum Direction {
        UPSTREAM, DOWNSTREAM, BOTH
    }

    /**
     * How far a walk may go.
     *
     * @param depth       hops from the root
     * @param perHopLimit edges followed from any one node in one hop (its newest ones)
     * @param maxNodes    nodes in the result
     * @param budget      time the walk may take; it stops between hops when spent
     */
    public record Limits(int depth, int perHopLimit, int maxNodes, Duration budget) {
    }

    /**
     * A walk's result.
     *
     * @param nodes        every node reached, the root first, each once
     * @param edges        every edge followed, each once
     * @param depthReached the most hops at which a new node was found
     * @param truncated    whether a limit (depth, per-hop, nodes, time) left edges unfollowed
     */
    public record Result(GlobalId root, List<GlobalId> nodes, List<Edge> edges, int depthReached, boolean truncated) {
    }

    public Future<Result> walk(GlobalId root, Direction direction, OffsetDateTime asOf, Limits limits) {
        long deadline = System.nanoTime() + limits.budget().toNanos();
        if (direction != Direction.BOTH) {
            return walk(root, direction == Direction.UPSTREAM, asOf, limits, deadline);
        }
        return walk(root, true, asOf, limits, deadline).compose(up -> walk(root, false, asOf, limits, deadline).map(down -> {
            Map<GlobalId, Boolean> nodes = new LinkedHashMap<>();
            up.nodes().forEach(n -> nodes.put(n, true));
            down.nodes().forEach(n -> nodes.put(n, true));
            Set<Edge> edges = new LinkedHashSet<>(up.edges());
            edges.addAll(down.edges());
            return new Result(root, List.copyOf(nodes.keySet()), List.copyOf(edges), Math.max(up.depthReached(), down.depthReached()),
                    up.truncated() || down.truncated());
        }));
    }

    /**
     * What a walk reaches, without the edges: for questions about the set of nodes (a blast radius), which must be
     * complete rather than readable. No per-hop limit (a node read by 10,000 runs brings in all of them); the depth,
     * the node cap and the time budget of {@code limits} still apply, and {@link Result#truncated()} says when one
     * cut the walk. The result's edges are empty.
     */
    public Future<Result> reach(GlobalId root, Direction direction, OffsetDateTime asOf, Limits limits) {
        if (direction == Direction.BOTH) {
            throw new IllegalArgumentException("reach walks one direction");
        }
        boolean upstream = direction == Direction.UPSTREAM;
        Map<UUID, NodeType> visited = new LinkedHashMap<>();
        visited.put(root.uuid(), root.type());
        return reachFrom(root, List.of(root.uuid()), 0, upstream, asOf, limits, System.nanoTime() + limits.budget().toNanos(), visited, 0);
    }

    private Future<Result> reachFrom(GlobalId root, List<UUID> frontier, int depth, boolean upstream, OffsetDateTime asOf, Limits limits,
                                     long deadline, Map<UUID, NodeType> visited, int depthReached) {
        if (frontier.isEmpty()) {
            return Future.succeededFuture(reached(root, visited, depthReached, false));
        }
        if (depth >= limits.depth()) {
            return store.anyBeyond(frontier, upstream, asOf).map(beyond -> reached(root, visited, depthReached, beyond));
        }
        if (System.nanoTime() > deadline) {
            return Future.succeededFuture(reached(root, visited, depthReached, true));
        }
        return store.reach(frontier, upstream, asOf).compose(found -> {
            List<UUID> next = new ArrayList<>();
            for (LineageStore.Reached r : found) {
                if (!visited.containsKey(r.id())) {
                    if (visited.size() >= limits.maxNodes()) {
                        return Future.succeededFuture(reached(root, visited, depth + 1, true));
                    }
                    visited.put(r.id(), r.type());
                    next.add(r.id());
                }
            }
            return reachFrom(root, next, depth + 1, upstream, asOf, limits, deadline, visited, next.isEmpty() ? depthReached : depth + 1);
        });
    }

    private static Result reached(GlobalId root, Map<UUID, NodeType> visited, int depthReached, boolean truncated) {
        List<GlobalId> nodes = new ArrayList<>(visited.size());
        visited.forEach((id, type) -> nodes.add(new GlobalId(type, id)));
        return new Result(root, nodes, List.of(), depthReached, truncated);
    }

    private Future<Result> walk(GlobalId root, boolean upstream, OffsetDateTime asOf, Limits limits, long deadline) {
        State state = new State(root, upstream, asOf, limits, deadline);
        return state.next(List.of(root.uuid()), 0);
    }

    /** One walk in progress: visited nodes, edges, and the frontier of the next hop. */
    private final class State {
        final GlobalId root;
        final boolean upstream;
        final OffsetDateTime asOf;
        final Limits limits;
        final long deadline;
        final Map<UUID, NodeType> visited = new LinkedHashMap<>();
        final Set<Edge> edges = new LinkedHashSet<>();
        int depthReached;
        boolean truncated;

        State(GlobalId root, boolean upstream, OffsetDateTime asOf, Limits limits, long deadline) {
            this.root = root;
            this.upstream = upstream;
            this.asOf = asOf;
            this.limits = limits;
            this.deadline = deadline;
            visited.put(root.uuid(), root.type());
        }

        Future<Result> next(List<UUID> frontier, int depth) {
            if (frontier.isEmpty()) {
                return Future.succeededFuture(result());
            }
            if (depth >= limits.depth()) {
                // the depth limit cut the walk only if something lies beyond it
                return store.anyBeyond(frontier, upstream, asOf).map(beyond -> {
                    truncated |= beyond;
                    return result();
                });
            }
            if (System.nanoTime() > deadline) {
                truncated = true;
                return Future.succeededFuture(result());
            }
            int rowsPerNode = limits.perHopLimit() == Integer.MAX_VALUE ? Integer.MAX_VALUE : limits.perHopLimit() + 1;
            return store.hop(frontier, upstream, asOf, rowsPerNode).compose(hops -> {
                Map<UUID, Integer> perNode = new LinkedHashMap<>();
                List<UUID> nextFrontier = new ArrayList<>();
                for (LineageStore.Hop hop : hops) {
                    if (perNode.merge(hop.node(), 1, Integer::sum) > limits.perHopLimit()) {
                        truncated = true; // the extra row only says that the node has more edges
                        continue;
                    }
                    edges.add(hop.edge());
                    UUID other = upstream ? hop.edge().from() : hop.edge().to();
                    NodeType otherType = upstream ? hop.fromType() : hop.toType();
                    if (!visited.containsKey(other)) {
                        if (visited.size() >= limits.maxNodes()) {
                            truncated = true;
                            edges.remove(hop.edge());
                            continue;
                        }
                        visited.put(other, otherType);
                        nextFrontier.add(other);
                    }
                }
                if (!nextFrontier.isEmpty()) {
                    depthReached = depth + 1;
                }
                return next(nextFrontier, depth + 1);
            });
        }

        Result result() {
            List<GlobalId> nodes = new ArrayList<>(visited.size());
            visited.forEach((id, type) -> nodes.add(new GlobalId(type, id)));
            return new Result(root, nodes, List.copyOf(edges), depthReached, truncated);
        }
    }
}
