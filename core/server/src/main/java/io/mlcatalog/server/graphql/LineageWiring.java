package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.lineage.LineageWalk;
import io.mlcatalog.server.lineage.LineageWalk.Direction;
import io.mlcatalog.server.lineage.ReachabilityIndex;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Change;
import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.Entity;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.store.ChangeLog;
import io.mlcatalog.server.store.DeploymentStore;
import io.mlcatalog.server.store.LineageStore.Edge;
import io.mlcatalog.server.store.Page;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The GraphQL wiring of lineage, explain, blast radius and history (schema/lineage.graphqls). */
final class LineageWiring {
    static final int MAX_DEPTH = 20;
    static final int MAX_PER_HOP = 1000;
    /** A lineage graph is for people to read: beyond this many nodes it is cut, and says so. */
    static final LineageWalk.Limits LINEAGE = new LineageWalk.Limits(MAX_DEPTH, 100, 10_000, Duration.ofSeconds(3));
    /**
     * A blast radius must be complete: every edge of every node is followed (no per-hop limit), up to 500,000 nodes
     * and 8 seconds, and it says when a limit cut it.
     */
    static final LineageWalk.Limits BLAST = new LineageWalk.Limits(MAX_DEPTH, Integer.MAX_VALUE, 500_000, Duration.ofSeconds(8));

    private final LineageWalk walk;
    private final ReachabilityIndex reachability;
    private final DeploymentStore deployments;
    private final ChangeLog changes;

    LineageWiring(LineageWalk walk, ReachabilityIndex reachability, DeploymentStore deployments, ChangeLog changes) {
        this.walk = walk;
        this.reachability = reachability;
        this.deployments = deployments;
        this.changes = changes;
    }

    /** A walk's result as the schema shows it: what the caller may see of it, and how many nodes it may not. */
    record Graph(LineageWalk.Result result, int hidden) {
    }

    /** What served a target at an instant: the active deployments, the main one first. */
    record Explanation(OffsetDateTime at, List<Deployment> deployments, int depth) {
        Deployment main() {
            return deployments.get(0);
        }
    }

    record BlastRadius(GlobalId root, List<GlobalId> modelVersions, List<Deployment> deployments, boolean truncated, int hidden) {
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t
                .dataFetcher("lineage", this::lineage)
                .dataFetcher("explain", this::explain)
                .dataFetcher("blastRadius", this::blastRadius)
                .dataFetcher("history", this::history));
        w.type("LineageNode", t -> t.typeResolver(env -> env.getSchema().getObjectType(((Entity) env.getObject()).type().graphqlName())));
        w.type("LineageGraph", t -> t
                .dataFetcher("root", env -> NodeWiring.node(env, graph(env).root()))
                .dataFetcher("nodes", env -> nodes(env, graph(env).nodes()))
                .dataFetcher("edges", env -> graph(env).edges())
                .dataFetcher("depthReached", env -> graph(env).depthReached())
                .dataFetcher("truncated", env -> graph(env).truncated())
                .dataFetcher("hidden", env -> ((Graph) env.getSource()).hidden()));
        w.type("LineageEdge", t -> t
                .dataFetcher("from", env -> GlobalId.of(edge(env).kind().from(), edge(env).from()))
                .dataFetcher("to", env -> GlobalId.of(edge(env).kind().to(), edge(env).to()))
                .dataFetcher("kind", env -> edge(env).kind().name())
                .dataFetcher("since", env -> edge(env).since())
                .dataFetcher("until", env -> edge(env).until())
                .dataFetcher("assertedBy", env -> Loaders.assertions(env, Ids.edge(edge(env).from(), edge(env).to(), edge(env).kind()))));
        w.type("Explanation", t -> t
                .dataFetcher("at", env -> explanation(env).at())
                .dataFetcher("deployment", env -> explanation(env).main())
                .dataFetcher("deployments", env -> explanation(env).deployments())
                .dataFetcher("modelVersion", env -> version(env))
                .dataFetcher("aliasesAtTime", env -> Loaders.load(env, "aliasNamesOfVersion",
                        new Loaders.AtKey(explanation(env).main().modelVersionId(), explanation(env).at())))
                .dataFetcher("run", env -> run(env))
                .dataFetcher("codeVersion", env -> run(env).thenCompose(r -> r == null ? CompletableFuture.completedFuture(null)
                        : Loaders.codeVersion(env, r.codeVersionId())))
                .dataFetcher("inputs", env -> run(env).thenCompose(r -> r == null ? CompletableFuture.completedFuture(List.of())
                        : Loaders.load(env, "inputsOfRun", r.id())))
                .dataFetcher("upstream", env -> version(env).thenCompose(v -> {
                    Explanation e = explanation(env);
                    GlobalId from = v.runId() != null ? new GlobalId(NodeType.RUN, v.runId()) : new GlobalId(NodeType.MODEL_VERSION, v.id());
                    return stage(walk.walk(from, Direction.UPSTREAM, e.at(), depthLimits(LINEAGE, e.depth()))).toCompletableFuture()
                            .thenCompose(r -> visible(env, r));
                })));
        w.type("BlastRadius", t -> t
                .dataFetcher("root", env -> NodeWiring.node(env, ((BlastRadius) env.getSource()).root()))
                .dataFetcher("modelVersions", env -> nodes(env, ((BlastRadius) env.getSource()).modelVersions()))
                .dataFetcher("hidden", env -> ((BlastRadius) env.getSource()).hidden()));
        w.type("Change", t -> t
                .dataFetcher("entity", env -> GlobalId.of(((Change) env.getSource()).entityType(), ((Change) env.getSource()).entityId())));
    }

    // ------------------------------------------------------------------ lineage

    private CompletableFuture<Graph> lineage(DataFetchingEnvironment env) {
        GlobalId from = lineageNode(env.getArgument("from"));
        Direction direction = Direction.valueOf(env.<Object>getArgument("direction").toString());
        int depth = intArgument(env, "depth", 1, MAX_DEPTH);
        int perHop = intArgument(env, "perHopLimit", 1, MAX_PER_HOP);
        OffsetDateTime asOf = Args.time(env, "asOf");
        LineageWalk.Limits limits = new LineageWalk.Limits(depth, perHop, LINEAGE.maxNodes(), LINEAGE.budget());
        return requireNode(env, from, "from")
                .thenCompose(root -> stage(walk.walk(from, direction, asOf, limits)).toCompletableFuture())
                .thenCompose(r -> visible(env, r));
    }

    /**
     * What the caller may see of a walk: the nodes it may read that are reached from the root through such nodes,
     * and the edges between them. A node of a namespace it may not read is left out with everything only reached
     * through it (no field of it, not even its id, reaches the caller); {@code hidden} counts the nodes left out
     * next to a visible one, so that the caller knows the graph goes on.
     */
    static CompletableFuture<Graph> visible(DataFetchingEnvironment env, LineageWalk.Result r) {
        if (Args.access(env).readsAll()) {
            return CompletableFuture.completedFuture(new Graph(r, 0));
        }
        List<CompletableFuture<? extends Entity>> loads = new ArrayList<>(r.nodes().size());
        r.nodes().forEach(id -> loads.add(NodeWiring.node(env, id)));
        return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).thenApply(x -> {
            java.util.Set<GlobalId> readable = new java.util.HashSet<>();
            for (int i = 0; i < loads.size(); i++) {
                if (loads.get(i).join() != null) {
                    readable.add(r.nodes().get(i));
                }
            }
            java.util.Map<GlobalId, List<GlobalId>> next = new java.util.HashMap<>();
            for (Edge e : r.edges()) {
                GlobalId a = new GlobalId(e.kind().from(), e.from());
                GlobalId b = new GlobalId(e.kind().to(), e.to());
                next.computeIfAbsent(a, k -> new ArrayList<>()).add(b);
                next.computeIfAbsent(b, k -> new ArrayList<>()).add(a);
            }
            java.util.Set<GlobalId> reached = new java.util.HashSet<>();
            java.util.Set<GlobalId> hidden = new java.util.HashSet<>();
            java.util.ArrayDeque<GlobalId> queue = new java.util.ArrayDeque<>();
            if (readable.contains(r.root())) {
                reached.add(r.root());
                queue.add(r.root());
            }
            while (!queue.isEmpty()) {
                for (GlobalId n : next.getOrDefault(queue.poll(), List.of())) {
                    if (!readable.contains(n)) {
                        hidden.add(n);
                    } else if (reached.add(n)) {
                        queue.add(n);
                    }
                }
            }
            List<GlobalId> nodes = r.nodes().stream().filter(reached::contains).toList();
            List<Edge> edges = r.edges().stream().filter(e -> reached.contains(new GlobalId(e.kind().from(), e.from()))
                    && reached.contains(new GlobalId(e.kind().to(), e.to()))).toList();
            return new Graph(new LineageWalk.Result(r.root(), nodes, edges, r.depthReached(), r.truncated()), hidden.size());
        });
    }

    // ------------------------------------------------------------------ explain

    private CompletableFuture<Explanation> explain(DataFetchingEnvironment env) {
        String namespace = Text.optionalName("namespace", env.getArgument("namespace"), Text.SHORT_NAME_BYTES);
        String environment = Text.name("environment", env.getArgument("environment"), Text.SHORT_NAME_BYTES);
        String target = Text.name("target", env.getArgument("target"), Text.NAME_BYTES);
        OffsetDateTime at = Args.timeOrNow(env, "at");
        int depth = intArgument(env, "depth", 1, MAX_DEPTH);
        Args.readableNamespace(env, namespace, "namespace");
        return stage(deployments.activeOn(namespace, environment, target, at)).toCompletableFuture().thenApply(all -> {
            // another namespace's target of the same name is not there for a caller who may not read it
            List<Deployment> active = all.stream().filter(d -> Args.access(env).canRead(d.namespace())).toList();
            java.util.Set<String> namespaces = new java.util.TreeSet<>();
            active.forEach(d -> namespaces.add(d.namespace()));
            if (namespaces.size() > 1) {
                // two teams' targets of the same name are different services: answering one of them would mislead
                throw CatalogException.badInput("namespace", environment + "/" + target + " is served in several namespaces ("
                        + String.join(", ", namespaces) + "): give the namespace");
            }
            return active.isEmpty() ? null : new Explanation(at, active, depth);
        });
    }

    private static CompletableFuture<ModelVersion> version(DataFetchingEnvironment env) {
        return Loaders.modelVersion(env, explanation(env).main().modelVersionId());
    }

    private static CompletableFuture<Run> run(DataFetchingEnvironment env) {
        return version(env).thenCompose(v -> v == null || v.runId() == null ? CompletableFuture.completedFuture(null)
                : Loaders.run(env, v.runId()));
    }

    // ------------------------------------------------------------------ blast radius

    private CompletableFuture<BlastRadius> blastRadius(DataFetchingEnvironment env) {
        GlobalId from = lineageNode(env.getArgument("from"));
        int depth = intArgument(env, "depth", 1, MAX_DEPTH);
        OffsetDateTime activeAt = Args.timeOrNow(env, "activeAt");
        return requireNode(env, from, "from")
                .thenCompose(root -> stage(downstream(from, depth)).toCompletableFuture())
                .thenCompose(reach -> {
                    List<GlobalId> versions = reach.modelVersions().stream().map(id -> new GlobalId(NodeType.MODEL_VERSION, id)).toList();
                    return (versions.isEmpty() ? CompletableFuture.completedFuture(List.<Deployment>of())
                            : stage(deployments.activeOfVersions(reach.modelVersions(), activeAt)).toCompletableFuture())
                            .thenCompose(active -> visibleBlastRadius(env, new BlastRadius(from, versions, active, reach.truncated(), 0)));
                });
    }

    /** The versions and deployments of a blast radius the caller may read; {@code hidden} counts the others. */
    private static CompletableFuture<BlastRadius> visibleBlastRadius(DataFetchingEnvironment env, BlastRadius b) {
        if (Args.access(env).readsAll()) {
            return CompletableFuture.completedFuture(b);
        }
        List<Deployment> deployments = b.deployments().stream().filter(d -> Args.access(env).canRead(d.namespace())).toList();
        return nodes(env, b.modelVersions()).thenApply(visible -> {
            List<GlobalId> versions = visible.stream().map(e -> new GlobalId(e.type(), e.id())).toList();
            int hidden = b.modelVersions().size() - versions.size() + b.deployments().size() - deployments.size();
            return new BlastRadius(b.root(), versions, deployments, b.truncated(), hidden);
        });
    }

    /**
     * Everything downstream of {@code from}, {@code from} included (a bad model version is in its own blast radius): from
     * the in-memory index, or walked in SQL when the catalog is too large for it.
     */
    private Future<ReachabilityIndex.Reach> downstream(GlobalId from, int depth) {
        return reachability.downstream(from.uuid(), depth, BLAST.maxNodes()).compose(indexed -> indexed.isPresent()
                ? Future.succeededFuture(withRoot(from, indexed.get()))
                : walk.reach(from, Direction.DOWNSTREAM, null, depthLimits(BLAST, depth)).map(r -> new ReachabilityIndex.Reach(
                r.nodes().stream().filter(n -> n.type() == NodeType.MODEL_VERSION).map(GlobalId::uuid).toList(), r.nodes().size(),
                r.truncated())));
    }

    /** The index's walk lists what it reached; the root counts too. */
    private static ReachabilityIndex.Reach withRoot(GlobalId root, ReachabilityIndex.Reach reach) {
        if (root.type() != NodeType.MODEL_VERSION) {
            return reach;
        }
        List<UUID> versions = new ArrayList<>(reach.modelVersions().size() + 1);
        versions.add(root.uuid());
        versions.addAll(reach.modelVersions());
        return new ReachabilityIndex.Reach(versions, reach.nodes(), reach.truncated());
    }

    // ------------------------------------------------------------------ history

    private CompletableFuture<Connection<Change>> history(DataFetchingEnvironment env) {
        GlobalId entity = GlobalId.parse(env.getArgument("entity"), "entity");
        // not Args.page: that decodes after as a keyset cursor, and refused every cursor history hands out
        int first = Args.first(env);
        Long after = changeCursor(env.getArgument("after"));
        // an id that names nothing is a mistake to point out, not an entity without changes
        return requireNode(env, entity, "entity")
                .thenCompose(x -> stage(changes.page(entity.uuid(), first + 1, after)).toCompletableFuture())
                .thenApply(rows -> new Connection<>(Page.of(rows, first, c -> null), () -> stage(changes.count(entity.uuid()))
                        .toCompletableFuture(), c -> encodeChangeCursor(c.seq())));
    }

    static String encodeChangeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("change/" + seq).getBytes(StandardCharsets.UTF_8));
    }

    private static Long changeCursor(String text) {
        if (text == null) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            if (!raw.startsWith("change/")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(raw.substring("change/".length()));
        } catch (RuntimeException e) {
            throw CatalogException.badInput("after", "not a cursor returned by history: pass an endCursor or edges.cursor value unchanged");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static LineageWalk.Result graph(DataFetchingEnvironment env) {
        return ((Graph) env.getSource()).result();
    }

    private static Edge edge(DataFetchingEnvironment env) {
        return env.getSource();
    }

    private static Explanation explanation(DataFetchingEnvironment env) {
        return env.getSource();
    }

    private static LineageWalk.Limits depthLimits(LineageWalk.Limits limits, int depth) {
        return new LineageWalk.Limits(depth, limits.perHopLimit(), limits.maxNodes(), limits.budget());
    }

    /** The entities of these ids, loaded in one batch per type, in the same order. */
    private static CompletableFuture<List<Entity>> nodes(DataFetchingEnvironment env, List<GlobalId> ids) {
        List<CompletableFuture<? extends Entity>> loads = new ArrayList<>(ids.size());
        ids.forEach(id -> loads.add(NodeWiring.node(env, id)));
        return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new))
                .thenApply(x -> loads.stream().map(CompletableFuture::join).filter(Objects::nonNull).<Entity>map(e -> e).toList());
    }

    /**
     * The {@code from} of a walk. A model is a name, not a node of the graph: no edge touches it, and
     * LineageNode cannot hold it (returned as the root, it failed as an internal error).
     */
    private static GlobalId lineageNode(String text) {
        GlobalId id = GlobalId.parse(text, "from");
        if (id.type() == NodeType.MODEL) {
            throw CatalogException.badInput("from", "a model has no lineage of its own: start from one of its versions "
                    + "(model { versions { edges { node { id } } } }) or from a deployment");
        }
        return id;
    }

    private static CompletableFuture<Entity> requireNode(DataFetchingEnvironment env, GlobalId id, String field) {
        return NodeWiring.node(env, id).thenApply(node -> {
            if (node == null) {
                throw CatalogException.notFound(field, "no " + id.type().graphqlName() + " with id " + id);
            }
            return node;
        });
    }

    private static int intArgument(DataFetchingEnvironment env, String name, int min, int max) {
        Integer value = env.getArgument(name);
        if (value == null || value < min || value > max) {
            throw CatalogException.badInput(name, name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
