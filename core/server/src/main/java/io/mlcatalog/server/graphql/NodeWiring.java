package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.model.Entity;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.store.NamespaceStore;
import io.mlcatalog.server.write.CatalogWriter;
import io.mlcatalog.server.write.Tags;

import java.util.concurrent.CompletableFuture;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** {@code node(id)}, {@code namespaces}, {@code setTags}, and how a Node's concrete type is found. */
final class NodeWiring {
    private final NamespaceStore namespaces;
    private final CatalogWriter writer;

    NodeWiring(NamespaceStore namespaces, CatalogWriter writer) {
        this.namespaces = namespaces;
        this.writer = writer;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t
                .dataFetcher("node", env -> node(env, GlobalId.parse(env.getArgument("id"), "id")))
                .dataFetcher("namespaces", env -> stage(namespaces.all()).thenApply(all -> all.stream()
                        .filter(ns -> Args.access(env).canRead(ns)).toList())));
        w.type("Mutation", t -> t.dataFetcher("setTags", env -> {
            GlobalId entity = GlobalId.parse(env.getArgument("entity"), "entity");
            return stage(writer.setTags(Args.source(env), entity, Tags.of("tags", Inputs.tags(env.getArgument("tags"))))).toCompletableFuture()
                    .thenCompose(id -> node(env, id));
        }));
        w.type("Node", t -> t.typeResolver(env -> env.getSchema().getObjectType(((Entity) env.getObject()).type().graphqlName())));
    }

    static String globalId(DataFetchingEnvironment env) {
        return ((Entity) env.getSource()).globalId();
    }

    static CompletableFuture<? extends Entity> node(DataFetchingEnvironment env, GlobalId id) {
        return switch (id.type()) {
            case RUN -> Loaders.run(env, id.uuid());
            case CODE_VERSION -> Loaders.codeVersion(env, id.uuid());
            case ARTIFACT -> Loaders.artifact(env, id.uuid());
            case MODEL -> Loaders.model(env, id.uuid());
            case MODEL_VERSION -> Loaders.modelVersion(env, id.uuid());
            case DEPLOYMENT -> Loaders.deployment(env, id.uuid());
        };
    }
}
