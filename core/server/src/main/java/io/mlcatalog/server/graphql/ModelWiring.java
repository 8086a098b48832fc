package io.mlcatalog.server.graphql;

import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.SelectedField;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.model.Alias;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.store.ChildPage;
import io.mlcatalog.server.store.ModelFilter;
import io.mlcatalog.server.store.ModelStore;
import io.mlcatalog.server.store.Page;
import io.mlcatalog.server.store.PageArgs;
import io.mlcatalog.server.write.CatalogWriter;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The GraphQL wiring of models, versions and aliases (schema/models.graphqls). */
final class ModelWiring {
    private final ModelStore models;
    private final CatalogWriter writer;

    ModelWiring(ModelStore models, CatalogWriter writer) {
        this.models = models;
        this.writer = writer;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t
                .dataFetcher("models", this::models)
                .dataFetcher("model", this::namedModel)
                .dataFetcher("modelVersion", env -> findModel(env, env.getArgument("namespace"), env.getArgument("model"))
                        .thenCompose(model -> model == null ? CompletableFuture.completedFuture(null) : version(env, model.id()))));
        w.type("Mutation", t -> t
                .dataFetcher("registerModelVersion", env -> stage(writer.registerModelVersion(Args.source(env),
                        Inputs.modelVersion("input", Args.map(env.getArgument("input"))))))
                .dataFetcher("setAlias", env -> stage(writer.setAlias(Args.source(env), env.getArgument("namespace"),
                        env.getArgument("model"), env.getArgument("alias"), env.getArgument("version"), env.getArgument("at"))))
                .dataFetcher("removeAlias", env -> stage(writer.removeAlias(Args.source(env), env.getArgument("namespace"),
                        env.getArgument("model"), env.getArgument("alias"), env.getArgument("at")))));
        w.type("Model", t -> t
                .dataFetcher("id", NodeWiring::globalId)
                .dataFetcher("tags", env -> Loaders.tags(env, model(env).id()))
                .dataFetcher("versions", env -> {
                    UUID id = model(env).id();
                    return Loaders.childConnection(env, "versionsOfModel", "versionCountOfModel", id, Args.page(env), id);
                })
                .dataFetcher("version", env -> version(env, model(env).id()))
                .dataFetcher("aliases", env -> {
                    if (env.getArgument("asOf") == null && env.getLocalContext() instanceof CurrentAliases read
                            && read.modelId().equals(model(env).id())) {
                        return CompletableFuture.completedFuture(read.aliases());
                    }
                    return Loaders.aliasesOfModel(env, model(env).id(), Args.timeOrNow(env, "asOf"));
                })
                .dataFetcher("aliasHistory", env -> Loaders.<List<io.mlcatalog.server.model.Alias>>load(env, "aliasHistoryOfModel",
                        model(env).id()).thenApply(all -> env.getArgument("alias") == null ? all
                        : all.stream().filter(a -> a.name().equals(env.getArgument("alias"))).toList()))
                .dataFetcher("protectedAliases", env -> Loaders.load(env, "protectedAliasesOfModel", model(env).id()))
                .dataFetcher("assertedBy", env -> Loaders.assertions(env, model(env).id())));
        w.type("ModelVersion", t -> t
                .dataFetcher("id", NodeWiring::globalId)
                .dataFetcher("model", env -> Loaders.model(env, version(env).modelId()))
                .dataFetcher("tags", env -> Loaders.tags(env, version(env).id()))
                .dataFetcher("artifact", env -> Loaders.artifact(env, version(env).artifactId()))
                .dataFetcher("run", env -> Loaders.run(env, version(env).runId()))
                .dataFetcher("aliases", env -> Loaders.load(env, "aliasNamesOfVersion",
                        new Loaders.AtKey(version(env).id(), Args.timeOrNow(env, "asOf"))))
                .dataFetcher("deployments", env -> {
                    UUID id = version(env).id();
                    OffsetDateTime activeAt = Args.time(env, "activeAt");
                    return Loaders.childConnection(env, "deploymentsOfVersion", "deploymentCountOfVersion", id,
                            Args.page(env, activeAt), new Loaders.AtKey(id, activeAt));
                })
                .dataFetcher("assertedBy", env -> Loaders.assertions(env, version(env).id())));
        w.type("Alias", t -> t
                .dataFetcher("modelVersion", env -> Loaders.modelVersion(env, ((Alias) env.getSource()).modelVersionId()))
                .dataFetcher("protected", env -> Loaders.<List<String>>load(env, "protectedAliasesOfModel", ((Alias) env.getSource()).modelId())
                        .thenApply(names -> names.contains(((Alias) env.getSource()).name()))));
    }

    private static Model model(DataFetchingEnvironment env) {
        return env.getSource();
    }

    private static ModelVersion version(DataFetchingEnvironment env) {
        return env.getSource();
    }

    /** The version named by the {@code version} or {@code alias} (as of {@code asOf}) argument. */
    private static CompletableFuture<ModelVersion> version(DataFetchingEnvironment env, UUID modelId) {
        String version = Text.optionalName("version", env.getArgument("version"), 128);
        String alias = Text.optionalName("alias", env.getArgument("alias"), 128);
        if ((version == null) == (alias == null)) {
            throw CatalogException.badInput(version == null ? "version" : "alias", "give either version or alias");
        }
        if (version != null) {
            return Loaders.load(env, "versionByKey", new ModelStore.VersionKey(modelId, version));
        }
        return Loaders.aliasesOfModel(env, modelId, Args.timeOrNow(env, "asOf")).thenCompose(aliases -> aliases.stream()
                .filter(a -> a.name().equals(alias)).findFirst()
                .map(a -> Loaders.modelVersion(env, a.modelVersionId()))
                .orElse(CompletableFuture.completedFuture(null)));
    }

    private CompletableFuture<Model> findModel(DataFetchingEnvironment env, String namespace, String name) {
        String n = Text.name(env.getArgument("name") != null ? "name" : "model", name, Text.SHORT_NAME_BYTES);
        String ns = Text.optionalName("namespace", namespace, Text.SHORT_NAME_BYTES);
        Args.readableNamespace(env, ns, "namespace");
        return stage(models.findByName(ns, n)).toCompletableFuture().thenApply(all -> readable(env, n, all));
    }

    /** The one model of those of that name the caller may read, or null; several are an error. */
    private static Model readable(DataFetchingEnvironment env, String name, List<Model> all) {
        // a model of a namespace the caller may not read is neither found nor named in the ambiguity error
        List<Model> found = all.stream().filter(m -> Args.access(env).canRead(m.namespace())).toList();
        if (found.size() > 1) {
            throw CatalogException.badInput("namespace", "a model named '" + name + "' exists in several namespaces ("
                    + String.join(", ", found.stream().map(Model::namespace).toList()) + "): give the namespace");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** A model's aliases as they are now, read with the model: what its {@code aliases} field without asOf answers. */
    private record CurrentAliases(UUID modelId, List<Alias> aliases) {
    }

    /**
     * The model a query names. When the query selects its page of versions or its current aliases (a dashboard's model
     * page does), they are read by the same statement as the model ({@link ModelStore#findByNameWithChildren}): one round
     * trip instead of three. The page goes into the request's versions loader under the key the {@code versions} field
     * loads (a second {@code versions} with other arguments loads its own); the aliases, with the instant of that statement
     * as "now", go to the model's {@code aliases} field as local context, and the versions they name (and those versions'
     * models) into the loaders as the aliases loader puts them. Access control is {@link #findModel}'s: a model of a
     * namespace the caller may not read is dropped, and what was read with it is not used.
     */
    private CompletableFuture<Object> namedModel(DataFetchingEnvironment env) {
        PageArgs versions = null;
        boolean aliases = false;
        for (SelectedField f : env.getSelectionSet().getImmediateFields()) {
            if (f.getName().equals("versions") && versions == null) {
                try {
                    versions = Args.page(f.getArguments());
                } catch (CatalogException e) {
                    // bad page arguments: the versions field reports them itself, as without this statement
                }
            } else if (f.getName().equals("aliases") && f.getArguments().get("asOf") == null) {
                aliases = true;
            }
        }
        if (versions == null && !aliases) {
            return findModel(env, env.getArgument("namespace"), env.getArgument("name")).thenApply(m -> m);
        }
        String n = Text.name("name", env.getArgument("name"), Text.SHORT_NAME_BYTES);
        String ns = Text.optionalName("namespace", env.getArgument("namespace"), Text.SHORT_NAME_BYTES);
        Args.readableNamespace(env, ns, "namespace");
        PageArgs page = versions;
        OffsetDateTime now = aliases ? Times.now() : null;
        return stage(models.findByNameWithChildren(ns, n, page, now)).toCompletableFuture().thenApply(read -> {
            Model found = readable(env, n, read.models());
            if (found == null) {
                return null;
            }
            if (page != null) {
                env.<ChildPage, Page<ModelVersion>>getDataLoader("versionsOfModel").prime(new ChildPage(found.id(), page),
                        read.versions().get(found.id()));
            }
            if (now == null) {
                return found;
            }
            Loaders.primeVersions(env, read.aliasVersions(), read.aliasModels());
            return DataFetcherResult.newResult().data(found).localContext(new CurrentAliases(found.id(), read.aliases().get(found.id())))
                    .build();
        });
    }

    private CompletableFuture<Connection<Model>> models(DataFetchingEnvironment env) {
        Map<String, Object> f = env.getArgument("filter");
        Map<String, Object> tag = f == null ? null : Args.map(f.get("tag"));
        ModelFilter filter = f == null ? ModelFilter.ALL : new ModelFilter(Args.filterText(f, "namespace"), Args.filterText(f, "nameContains"),
                tag == null ? null : Args.filterText(tag, "key"), tag == null ? null : Args.filterText(tag, "value"));
        Args.readableNamespace(env, filter.namespace(), "filter.namespace");
        ModelFilter readable = filter.withReadable(Args.access(env).readable());
        PageArgs page = Args.page(env);
        return stage(models.page(readable, page)).toCompletableFuture()
                .thenApply(p -> new Connection<>(p, () -> stage(models.count(readable)).toCompletableFuture()));
    }
}
