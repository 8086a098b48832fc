package io.mlcatalog.server.graphql;

import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.Alias;
import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.Assertion;
import io.mlcatalog.server.model.CodeVersion;
import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.store.AliasStore;
import io.mlcatalog.server.store.ArtifactStore;
import io.mlcatalog.server.store.AssertionStore;
import io.mlcatalog.server.store.ChildPage;
import io.mlcatalog.server.store.CodeVersionStore;
import io.mlcatalog.server.store.DeploymentStore;
import io.mlcatalog.server.store.FacetStore;
import io.mlcatalog.server.store.ModelStore;
import io.mlcatalog.server.store.Page;
import io.mlcatalog.server.store.PageArgs;
import io.mlcatalog.server.store.PluginStore;
import io.mlcatalog.server.store.RunStore;
import io.mlcatalog.server.store.TagStore;
import graphql.schema.DataFetchingEnvironment;
import io.vertx.core.Future;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The DataLoaders of one request. Every child field loads through one of these, so a request makes one
 * statement per field per level of the query, however many rows each level has. A fresh registry per
 * request: nothing is cached across requests or clients.
 */
public final class Loaders {
    private final RunStore runs;
    private final CodeVersionStore codeVersions;
    private final ArtifactStore artifacts;
    private final ModelStore models;
    private final AliasStore aliases;
    private final DeploymentStore deployments;
    private final TagStore tags;
    private final AssertionStore assertions;
    private final PluginStore plugins;
    private final FacetStore facets;

    public Loaders(RunStore runs, CodeVersionStore codeVersions, ArtifactStore artifacts, ModelStore models, AliasStore aliases,
                   DeploymentStore deployments, TagStore tags, AssertionStore assertions, PluginStore plugins, FacetStore facets) {
        this.runs = runs;
        this.codeVersions = codeVersions;
        this.artifacts = artifacts;
        this.models = models;
        this.aliases = aliases;
        this.deployments = deployments;
        this.tags = tags;
        this.assertions = assertions;
        this.plugins = plugins;
        this.facets = facets;
    }

    /** An entity and the instant a time-dependent child is asked for. */
    public record AtKey(UUID id, OffsetDateTime at) {
    }

    /** The loaders of a request in a catalog without access control. */
    public DataLoaderRegistry newRegistry() {
        return newRegistry(Access.ALL);
    }

    /**
     * The loaders of a request by a caller with {@code access}: whatever they load of a namespace it may not read
     * is absent (a null, a shorter list, a smaller count), so that no door leads to it. Children that share their
     * parent's namespace (a model's versions and aliases, an entity's tags) need no check of their own.
     */
    public DataLoaderRegistry newRegistry(Access access) {
        return new LazyRegistry(this, access);
    }

    /**
     * A request's registry that makes each loader the first time a fetcher asks for it. A query uses a few of the
     * dozens there are, and graphql-java dispatches every registered loader each time the fetchers run out of work:
     * making them all for every request, then dispatching the empty ones, was a measurable part of a small query.
     */
    private static final class LazyRegistry extends DataLoaderRegistry {
        private final Loaders loaders;
        private final Access access;

        LazyRegistry(Loaders loaders, Access access) {
            this.loaders = loaders;
            this.access = access;
        }

        @Override
        public <K, V> DataLoader<K, V> getDataLoader(String key) {
            DataLoader<K, V> existing = super.getDataLoader(key);
            if (existing != null) {
                return existing;
            }
            DataLoader<?, ?> made = loaders.make(key, access, this);
            // two threads may make the same loader: the registry keeps the first, and only it is ever loaded through
            return made == null ? null : computeIfAbsent(key, k -> made);
        }
    }

    /** The loader named {@code name} for a request by a caller with {@code access}, or null when there is none of that name. */
    private DataLoader<?, ?> make(String name, Access access, DataLoaderRegistry r) {
        String[] readable = access.readable();
        return switch (name) {
            case "runById" -> byKeys(ids -> visible(runs.byIds(ids), access, Run::namespace));
            case "codeVersionById" -> byKeys(codeVersions::byIds);
            case "artifactById" -> byKeys(ids -> visible(artifacts.byIds(ids), access, Artifact::namespace));
            case "modelById" -> byKeys(ids -> visible(models.byIds(ids), access, Model::namespace));
            case "modelVersionById" -> byKeys(ids -> models.versionsWithModelsByIds(ids)
                    .map(found -> visibleVersions(found.versions(), found.models(), access, r)));
            case "deploymentById" -> byKeys(ids -> visible(deployments.byIds(ids), access, Deployment::namespace));
            case "versionByKey" -> DataLoaderFactory.newMappedDataLoader(
                    (Set<ModelStore.VersionKey> keys) -> stage(models.versionsByKeys(keys)));
            case "inputsOfRun" -> lists(ids -> visibleLists(artifacts.inputsOf(ids), access, Artifact::namespace));
            case "outputsOfRun" -> lists(ids -> visibleLists(artifacts.outputsOf(ids), access, Artifact::namespace));
            case "declaredInputsOfJob" -> lists(ids -> visibleLists(artifacts.declaredBy(ids, EdgeKind.CONSUMED), access, Artifact::namespace));
            case "jobsDeclaringInput" -> lists(ids -> visibleLists(artifacts.declaringJobsOf(ids, EdgeKind.CONSUMED), access, FacetStore.Job::namespace));
            case "jobsDeclaringOutput" -> lists(ids -> visibleLists(artifacts.declaringJobsOf(ids, EdgeKind.PRODUCED), access, FacetStore.Job::namespace));
            case "declaredOutputsOfJob" -> lists(ids -> visibleLists(artifacts.declaredBy(ids, EdgeKind.PRODUCED), access, Artifact::namespace));
            case "versionsOfRun" -> lists(ids -> models.versionsWithModelsOfRuns(ids)
                    .map(found -> visibleVersionLists(found.versions(), found.models(), access, r)));
            case "versionsOfArtifact" -> lists(ids -> models.versionsWithModelsOfArtifacts(ids)
                    .map(found -> visibleVersionLists(found.versions(), found.models(), access, r)));
            case "producersOfArtifact" -> lists(ids -> visibleLists(runs.producersOf(ids), access, Run::namespace));
            case "tagsOf" -> lists(tags::byEntities);
            case "assertionsOf" -> lists(assertions::bySubjects);
            case "consumersOfArtifact" -> pages((ids, page) -> runs.consumersOf(ids, page, readable));
            case "consumerCountOfArtifact" -> counts(ids -> runs.countConsumersOf(ids, readable));
            case "runsOfCodeVersion" -> pages((ids, page) -> runs.byCodeVersions(ids, page, readable));
            case "runCountOfCodeVersion" -> counts(ids -> runs.countByCodeVersions(ids, readable));
            case "versionsOfModel" -> pages(models::versionsOfModels);
            case "versionCountOfModel" -> counts(models::countVersionsOfModels);
            case "deploymentsOfVersion" -> pages(deployments::ofVersions);
            case "deploymentCountOfVersion" -> atKeys(deployments::countOfVersions, 0);
            case "aliasesOfModel" -> atKeys((ids, at) -> aliases.ofModelsWithVersions(ids, at).map(found -> {
                // the aliases' versions (and their models) came with them: an alias's modelVersion is then no statement
                Map<UUID, Model> readableModels = readableModels(found.models(), access);
                found.versions().values().forEach(v -> {
                    if (readableModels.containsKey(v.modelId())) {
                        r.<UUID, ModelVersion>getDataLoader("modelVersionById").prime(v.id(), v);
                    }
                });
                prime(r, readableModels);
                return found.aliases();
            }), List.of());
            case "protectedAliasesOfModel" -> lists(aliases::protectedOf);
            case "aliasHistoryOfModel" -> lists(aliases::historyOfModels);
            case "aliasNamesOfVersion" -> atKeys(aliases::namesOfVersions, List.of());
            case "facetsOfRun" -> DataLoaderFactory.newMappedDataLoader((Set<UUID> keys) -> stage(facets.ofRuns(keys)));
            case "facetsOfArtifact" -> DataLoaderFactory.newMappedDataLoader((Set<UUID> keys) -> stage(facets.ofArtifacts(keys)));
            case "facetsOfJob" -> DataLoaderFactory.newMappedDataLoader((Set<FacetStore.Job> keys) -> stage(facets.ofJobs(keys)));
            case "checkpointsOfPlugin" -> DataLoaderFactory.newMappedDataLoader((Set<String> keys) -> stage(plugins.checkpointsOf(keys))
                    .thenApply(found -> {
                        Map<String, List<PluginStore.Checkpoint>> result = new HashMap<>();
                        keys.forEach(k -> result.put(k, found.getOrDefault(k, List.of())));
                        return result;
                    }));
            default -> null;
        };
    }

    // ------------------------------------------------------------------ what a caller may see

    private static <V> Future<Map<UUID, V>> visible(Future<Map<UUID, V>> found, Access access, Function<V, String> namespace) {
        if (access.readsAll()) {
            return found;
        }
        return found.map(all -> {
            Map<UUID, V> m = new HashMap<>(all);
            m.values().removeIf(v -> !access.canRead(namespace.apply(v)));
            return m;
        });
    }

    private static <V> Future<Map<UUID, List<V>>> visibleLists(Future<Map<UUID, List<V>>> found, Access access,
                                                              Function<V, String> namespace) {
        if (access.readsAll()) {
            return found;
        }
        return found.map(all -> {
            Map<UUID, List<V>> m = new HashMap<>(all);
            m.replaceAll((k, list) -> list.stream().filter(v -> access.canRead(namespace.apply(v))).toList());
            return m;
        });
    }

    /**
     * Model versions belong to their model's namespace, read with them: those of a namespace the caller may not read are
     * dropped, and the models of the others are put in the request's model loader, so that a version's model costs no
     * statement of its own.
     */
    private static Map<UUID, ModelVersion> visibleVersions(Map<UUID, ModelVersion> found, Map<UUID, Model> models, Access access,
                                                          DataLoaderRegistry registry) {
        Map<UUID, Model> readable = readableModels(models, access);
        prime(registry, readable);
        if (readable.size() == models.size()) {
            return found;
        }
        Map<UUID, ModelVersion> m = new HashMap<>(found);
        m.values().removeIf(v -> !readable.containsKey(v.modelId()));
        return m;
    }

    private static Map<UUID, List<ModelVersion>> visibleVersionLists(Map<UUID, List<ModelVersion>> found, Map<UUID, Model> models,
                                                                    Access access, DataLoaderRegistry registry) {
        Map<UUID, Model> readable = readableModels(models, access);
        prime(registry, readable);
        if (readable.size() == models.size()) {
            return found;
        }
        Map<UUID, List<ModelVersion>> m = new HashMap<>(found);
        m.replaceAll((k, list) -> list.stream().filter(v -> readable.containsKey(v.modelId())).toList());
        return m;
    }

    private static Map<UUID, Model> readableModels(Map<UUID, Model> models, Access access) {
        if (access.readsAll()) {
            return models;
        }
        Map<UUID, Model> readable = new HashMap<>(models);
        readable.values().removeIf(m -> !access.canRead(m.namespace()));
        return readable;
    }

    /**
     * Puts versions read with something else, and their models, into the request's loaders: those of the models the
     * caller may read (the others are left to the loaders, which hide them).
     */
    static void primeVersions(DataFetchingEnvironment env, Map<UUID, ModelVersion> versions, Map<UUID, Model> models) {
        DataLoaderRegistry registry = env.getDataLoaderRegistry();
        Map<UUID, Model> readable = readableModels(models, Args.access(env));
        prime(registry, readable);
        if (readable.isEmpty()) {
            return;
        }
        DataLoader<UUID, ModelVersion> loader = registry.getDataLoader("modelVersionById");
        versions.values().forEach(v -> {
            if (readable.containsKey(v.modelId())) {
                loader.prime(v.id(), v);
            }
        });
    }

    /** Puts models read with something else into the request's model loader (those it holds already stay). */
    private static void prime(DataLoaderRegistry registry, Map<UUID, Model> models) {
        if (models.isEmpty()) {
            return;
        }
        DataLoader<UUID, Model> loader = registry.getDataLoader("modelById");
        models.forEach(loader::prime);
    }

    // ------------------------------------------------------------------ typed access from fetchers

    static CompletableFuture<Run> run(DataFetchingEnvironment env, UUID id) {
        return load(env, "runById", id);
    }

    static CompletableFuture<CodeVersion> codeVersion(DataFetchingEnvironment env, UUID id) {
        return load(env, "codeVersionById", id);
    }

    static CompletableFuture<Artifact> artifact(DataFetchingEnvironment env, UUID id) {
        return load(env, "artifactById", id);
    }

    static CompletableFuture<Model> model(DataFetchingEnvironment env, UUID id) {
        return load(env, "modelById", id);
    }

    static CompletableFuture<ModelVersion> modelVersion(DataFetchingEnvironment env, UUID id) {
        return load(env, "modelVersionById", id);
    }

    static CompletableFuture<Deployment> deployment(DataFetchingEnvironment env, UUID id) {
        return load(env, "deploymentById", id);
    }

    static CompletableFuture<List<Tag>> tags(DataFetchingEnvironment env, UUID id) {
        return load(env, "tagsOf", id);
    }

    static CompletableFuture<List<Assertion>> assertions(DataFetchingEnvironment env, UUID id) {
        return load(env, "assertionsOf", id);
    }

    static CompletableFuture<List<Alias>> aliasesOfModel(DataFetchingEnvironment env, UUID modelId, OffsetDateTime at) {
        return load(env, "aliasesOfModel", new AtKey(modelId, at));
    }

    static <V> CompletableFuture<V> load(DataFetchingEnvironment env, String loader, Object key) {
        if (key == null) {
            return CompletableFuture.completedFuture(null);
        }
        DataLoader<Object, V> dl = env.getDataLoader(loader);
        return dl.load(key);
    }

    /** A connection over a page of children, with its total count loaded (batched) only when selected. */
    static <T> CompletableFuture<Connection<T>> childConnection(DataFetchingEnvironment env, String pageLoader, String countLoader,
                                                                UUID parent, PageArgs args, Object countKey) {
        CompletableFuture<Page<T>> page = load(env, pageLoader, new ChildPage(parent, args));
        return page.thenApply(p -> new Connection<>(p, () -> load(env, countLoader, countKey)));
    }

    // ------------------------------------------------------------------ batch functions

    private static <V> DataLoader<UUID, V> byKeys(Function<Set<UUID>, Future<Map<UUID, V>>> fetch) {
        return DataLoaderFactory.newMappedDataLoader((Set<UUID> keys) -> stage(fetch.apply(keys)));
    }

    private static <V> DataLoader<UUID, List<V>> lists(Function<Set<UUID>, Future<Map<UUID, List<V>>>> fetch) {
        return DataLoaderFactory.newMappedDataLoader((Set<UUID> keys) -> stage(fetch.apply(keys)).thenApply(found -> {
            Map<UUID, List<V>> result = new HashMap<>();
            for (UUID k : keys) {
                result.put(k, found.getOrDefault(k, List.of()));
            }
            return result;
        }));
    }

    private static DataLoader<UUID, Integer> counts(Function<Set<UUID>, Future<Map<UUID, Integer>>> fetch) {
        return DataLoaderFactory.newMappedDataLoader((Set<UUID> keys) -> stage(fetch.apply(keys)));
    }

    /** Keys that share their page arguments are loaded with one statement. */
    private static <T> DataLoader<ChildPage, Page<T>> pages(BiFunction<Set<UUID>, PageArgs, Future<Map<UUID, Page<T>>>> fetch) {
        return DataLoaderFactory.newMappedDataLoader((Set<ChildPage> keys) -> {
            Map<PageArgs, Set<UUID>> byArgs = new LinkedHashMap<>();
            keys.forEach(k -> byArgs.computeIfAbsent(k.args(), a -> new java.util.LinkedHashSet<>()).add(k.parent()));
            List<CompletableFuture<Map<ChildPage, Page<T>>>> parts = new ArrayList<>();
            byArgs.forEach((args, parents) -> parts.add(stage(fetch.apply(parents, args)).toCompletableFuture().thenApply(found -> {
                Map<ChildPage, Page<T>> m = new HashMap<>();
                found.forEach((parent, page) -> m.put(new ChildPage(parent, args), page));
                return m;
            })));
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
                Map<ChildPage, Page<T>> all = new HashMap<>();
                parts.forEach(p -> all.putAll(p.join()));
                return all;
            });
        });
    }

    /** Keys that share their instant are loaded with one statement. */
    private static <V> DataLoader<AtKey, V> atKeys(BiFunction<Set<UUID>, OffsetDateTime, Future<Map<UUID, V>>> fetch, V absent) {
        return DataLoaderFactory.newMappedDataLoader((Set<AtKey> keys) -> {
            Map<OffsetDateTime, Set<UUID>> byAt = new LinkedHashMap<>();
            keys.forEach(k -> byAt.computeIfAbsent(k.at(), a -> new java.util.LinkedHashSet<>()).add(k.id()));
            List<CompletableFuture<Map<AtKey, V>>> parts = new ArrayList<>();
            byAt.forEach((at, ids) -> parts.add(stage(fetch.apply(ids, at)).toCompletableFuture().thenApply(found -> {
                Map<AtKey, V> m = new HashMap<>();
                ids.forEach(id -> m.put(new AtKey(id, at), found.getOrDefault(id, absent)));
                return m;
            })));
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
                Map<AtKey, V> all = new HashMap<>();
                parts.forEach(p -> all.putAll(p.join()));
                return all;
            });
        });
    }

    static <T> CompletionStage<T> stage(Future<T> future) {
        return future.toCompletionStage();
    }
}
