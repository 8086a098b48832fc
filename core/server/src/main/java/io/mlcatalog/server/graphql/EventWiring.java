package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.events.CatalogEvent;
import io.mlcatalog.server.events.ChangeFeed;
import io.mlcatalog.server.events.EventFilter;
import io.mlcatalog.server.events.EventKind;
import io.mlcatalog.server.events.EventStream;
import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.store.ModelStore;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** {@code Subscription.events}, {@code Query.events} and the fields of a {@code CatalogEvent}. */
final class EventWiring {
    /** GraphQL context key: who asks, checked again (a WebSocket's token may be revoked while its subscriptions run). */
    static final String PRINCIPAL_NOW = "mlcatalog.principal.now";
    static final int MAX_PAGE = 500;
    /** Entries a polling query reads at most to fill its page (a filter that matches little must not read the whole feed). */
    private static final int MAX_SCANNED = 20_000;

    private final ChangeFeed feed;
    private final EventEntities shared;

    EventWiring(ChangeFeed feed, EventEntities shared) {
        this.feed = feed;
        this.shared = shared;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Subscription", t -> t.dataFetcher("events", env -> {
            EventFilter filter = filter(env);
            Long since = env.getArgument("since") == null ? null : ((Number) env.getArgument("since")).longValue();
            if (since != null && since < 0) {
                throw CatalogException.badInput("since", "a sequence number is 0 or more");
            }
            Supplier<Access> access = now(env);
            var registry = env.getDataLoaderRegistry();
            // a field of an event loads what it is now: what the last event's fields loaded is forgotten first
            return new EventStream(feed, filter, access, since, () -> registry.getDataLoaders().forEach(l -> l.clearAll()));
        }));
        w.type("Query", t -> t.dataFetcher("events", this::page));
        w.type("EventPage", t -> t
                .dataFetcher("events", env -> ((Page) env.getSource()).events())
                .dataFetcher("last", env -> ((Page) env.getSource()).last()));
        w.type("CatalogEvent", t -> t
                .dataFetcher("sequence", env -> event(env).seq())
                .dataFetcher("kind", env -> event(env).kind().name())
                .dataFetcher("at", env -> event(env).at())
                .dataFetcher("actor", env -> event(env).actor())
                .dataFetcher("namespace", env -> event(env).namespace())
                .dataFetcher("entity", env -> NodeWiring.node(env, new GlobalId(event(env).entityType(), event(env).entityId())))
                .dataFetcher("run", env -> event(env).entityType() == NodeType.RUN ? run(env, event(env).entityId()) : null)
                .dataFetcher("modelVersion", this::modelVersionOrNull)
                .dataFetcher("model", env -> modelVersionOrNull(env).thenCompose(v -> v != null ? model(env, v.modelId())
                        : event(env).entityType() == NodeType.MODEL ? model(env, event(env).entityId())
                        : CompletableFuture.completedFuture(null)))
                .dataFetcher("alias", env -> aliasField(event(env), "alias"))
                .dataFetcher("previousVersion", env -> isAlias(event(env)) ? text(event(env).before(), "version") : null)
                .dataFetcher("deployment", env -> event(env).entityType() == NodeType.DEPLOYMENT
                        ? deployment(env, event(env).entityId()) : null)
                .dataFetcher("status", env -> runStatus(event(env), event(env).after()))
                .dataFetcher("previousStatus", env -> event(env).kind() == EventKind.RUN_STATUS_CHANGED
                        ? runStatus(event(env), event(env).before()) : null)
                .dataFetcher("edges", env -> edges(event(env)))
                .dataFetcher("before", env -> event(env).before())
                .dataFetcher("after", env -> event(env).after()));
        w.type("EventEdge", t -> t
                .dataFetcher("kind", env -> ((Map<?, ?>) env.getSource()).get("kind"))
                .dataFetcher("node", env -> ((Map<?, ?>) env.getSource()).get("node")));
    }

    record Page(List<CatalogEvent> events, long last) {
    }

    private CompletableFuture<Page> page(DataFetchingEnvironment env) {
        EventFilter filter = filter(env);
        long after = ((Number) env.getArgument("after")).longValue();
        int first = env.getArgument("first") == null ? 100 : env.<Integer>getArgument("first");
        if (first < 1 || first > MAX_PAGE) {
            throw CatalogException.badInput("first", "first is 1 to " + MAX_PAGE + ", got " + first);
        }
        Access access = Args.access(env);
        return read(filter, access, Math.max(0, after), first, new ArrayList<>(), 0);
    }

    /** Reads the feed after {@code after} until {@code first} events match, the feed ends, or enough was read. */
    private CompletableFuture<Page> read(EventFilter filter, Access access, long after, int first, List<CatalogEvent> found, int scanned) {
        return stage(feed.page(after, Long.MAX_VALUE, MAX_PAGE, access)).toCompletableFuture().thenCompose(page -> {
            long last = after;
            for (CatalogEvent e : page) {
                last = e.seq();
                if (filter.matches(e)) {
                    found.add(e);
                    if (found.size() == first) {
                        return CompletableFuture.completedFuture(new Page(found, last));
                    }
                }
            }
            int read = scanned + page.size();
            if (page.size() < MAX_PAGE || read >= MAX_SCANNED) {
                // the entries of namespaces it may not read were not read at all: the feed's position is not theirs to learn
                return CompletableFuture.completedFuture(new Page(found, page.size() < MAX_PAGE ? Math.max(last, after) : last));
            }
            return read(filter, access, last, first, found, read);
        });
    }

    /** The access of the one who asks, as it is now; for a revoked or expired token, UNAUTHENTICATED. */
    private static Supplier<Access> now(DataFetchingEnvironment env) {
        Supplier<Principal> current = env.getGraphQlContext().get(PRINCIPAL_NOW);
        Principal fixed = Args.principal(env);
        return current == null ? fixed::access : () -> current.get().access();
    }

    static EventFilter filter(DataFetchingEnvironment env) {
        return filter(env, Args.map(env.getArgument("filter")));
    }

    /** An EventFilter input; a namespace the caller may not read is FORBIDDEN. */
    static EventFilter filter(DataFetchingEnvironment env, Map<String, Object> f) {
        if (f == null) {
            return EventFilter.ALL;
        }
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        Object k = f.get("kinds");
        if (k instanceof List<?> list) {
            list.forEach(x -> kinds.add(EventKind.valueOf(x.toString())));
        }
        String namespace = Args.readableNamespace(env, Args.filterText(f, "namespace"), "filter.namespace");
        return new EventFilter(kinds, namespace, Args.filterText(f, "model"), Args.filterText(f, "pipeline"),
                Args.filterText(f, "environment"), Args.filterText(f, "target"));
    }

    private static CatalogEvent event(DataFetchingEnvironment env) {
        return env.getSource();
    }

    private static boolean isAlias(CatalogEvent e) {
        return e.kind() == EventKind.ALIAS_SET || e.kind() == EventKind.ALIAS_REMOVED;
    }

    private static String aliasField(CatalogEvent e, String key) {
        if (!isAlias(e)) {
            return null;
        }
        String v = text(e.after(), key);
        return v != null ? v : text(e.before(), key);
    }

    /** The version registered, pointed at, or deployed; null for other events. */
    private CompletableFuture<ModelVersion> modelVersionOrNull(DataFetchingEnvironment env) {
        CatalogEvent e = event(env);
        return switch (e.entityType()) {
            case MODEL_VERSION -> version(env, e.entityId());
            case DEPLOYMENT -> deployment(env, e.entityId()).thenCompose(d -> d == null ? CompletableFuture.completedFuture(null)
                    : version(env, d.modelVersionId()));
            case MODEL -> {
                String version = e.kind() == EventKind.ALIAS_SET ? text(e.after(), "version") : null;
                if (version == null) {
                    yield CompletableFuture.completedFuture(null);
                }
                ModelStore.VersionKey key = new ModelStore.VersionKey(e.entityId(), Text.name("version", version, 128));
                yield live(env) ? readable(env, shared.version(e.seq(), key)) : Loaders.load(env, "versionByKey", key);
            }
            default -> CompletableFuture.completedFuture(null);
        };
    }

    // The entities an event names: in a subscription, loaded once per event for every subscriber of this node (each
    // subscription has DataLoaders of its own, which batch nothing across subscribers); in a polling page, through the
    // request's DataLoaders, which batch the page's events into one statement per kind.

    private static boolean live(DataFetchingEnvironment env) {
        return env.getOperationDefinition() != null
                && env.getOperationDefinition().getOperation() == graphql.language.OperationDefinition.Operation.SUBSCRIPTION;
    }

    private CompletableFuture<io.mlcatalog.server.model.Run> run(DataFetchingEnvironment env, java.util.UUID id) {
        if (!live(env)) {
            return Loaders.run(env, id);
        }
        return shared.run(event(env).seq(), id).thenApply(r -> r != null && now(env).get().canRead(r.namespace()) ? r : null);
    }

    private CompletableFuture<io.mlcatalog.server.model.Model> model(DataFetchingEnvironment env, java.util.UUID id) {
        if (!live(env)) {
            return Loaders.model(env, id);
        }
        return shared.model(event(env).seq(), id).thenApply(m -> m != null && now(env).get().canRead(m.namespace()) ? m : null);
    }

    private CompletableFuture<io.mlcatalog.server.model.Deployment> deployment(DataFetchingEnvironment env, java.util.UUID id) {
        if (!live(env)) {
            return Loaders.deployment(env, id);
        }
        return shared.deployment(event(env).seq(), id).thenApply(d -> d != null && now(env).get().canRead(d.namespace()) ? d : null);
    }

    private CompletableFuture<ModelVersion> version(DataFetchingEnvironment env, java.util.UUID id) {
        return live(env) ? readable(env, shared.version(event(env).seq(), id)) : Loaders.modelVersion(env, id);
    }

    /** A version, if the subscriber may read its model's namespace (a version names no namespace of its own). */
    private CompletableFuture<ModelVersion> readable(DataFetchingEnvironment env, CompletableFuture<ModelVersion> version) {
        return version.thenCompose(v -> v == null ? CompletableFuture.completedFuture(null)
                : shared.model(event(env).seq(), v.modelId()).thenApply(m -> m != null && now(env).get().canRead(m.namespace()) ? v : null));
    }

    private static String runStatus(CatalogEvent e, Map<String, Object> values) {
        if (e.entityType() != NodeType.RUN || (e.kind() != EventKind.RUN_CREATED && e.kind() != EventKind.RUN_STATUS_CHANGED)) {
            return null;
        }
        return text(values, "status");
    }

    private static List<Map<String, String>> edges(CatalogEvent e) {
        List<Map<String, String>> edges = new ArrayList<>();
        if (e.kind() == EventKind.LINEAGE_ADDED && e.after() != null) {
            e.after().forEach((kind, others) -> {
                if (others instanceof List<?> ids) {
                    ids.forEach(id -> edges.add(Map.of("kind", kind, "node", id.toString())));
                }
            });
        }
        return edges;
    }

    private static String text(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v == null ? null : v.toString();
    }
}
