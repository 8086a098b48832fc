package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Digests;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.store.ArtifactFilter;
import io.mlcatalog.server.store.ArtifactStore;
import io.mlcatalog.server.store.PageArgs;
import io.mlcatalog.server.write.CatalogWriter;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The GraphQL wiring of artifacts (schema/artifacts.graphqls). */
final class ArtifactWiring {
    private final ArtifactStore artifacts;
    private final CatalogWriter writer;

    ArtifactWiring(ArtifactStore artifacts, CatalogWriter writer) {
        this.artifacts = artifacts;
        this.writer = writer;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t
                .dataFetcher("artifacts", this::artifacts)
                .dataFetcher("artifact", this::findArtifact));
        w.type("Mutation", t -> t.dataFetcher("logArtifact", env ->
                stage(writer.logArtifact(Args.source(env), Inputs.artifact("input", Args.map(env.getArgument("input")))))));
        w.type("Artifact", t -> t
                .dataFetcher("id", NodeWiring::globalId)
                .dataFetcher("producedBy", env -> Loaders.load(env, "producersOfArtifact", artifact(env).id()))
                .dataFetcher("declaredReadBy", env -> Loaders.load(env, "jobsDeclaringInput", artifact(env).id()))
                .dataFetcher("declaredWrittenBy", env -> Loaders.load(env, "jobsDeclaringOutput", artifact(env).id()))
                .dataFetcher("consumedBy", env -> {
                    UUID id = artifact(env).id();
                    return Loaders.childConnection(env, "consumersOfArtifact", "consumerCountOfArtifact", id, Args.page(env), id);
                })
                .dataFetcher("modelVersions", env -> Loaders.load(env, "versionsOfArtifact", artifact(env).id()))
                .dataFetcher("assertedBy", env -> Loaders.assertions(env, artifact(env).id()))
                .dataFetcher("facets", env -> Loaders.<Map<String, Object>>load(env, "facetsOfArtifact", artifact(env).id())
                        .thenApply(f -> f == null ? Map.of() : f)));
    }

    private static Artifact artifact(DataFetchingEnvironment env) {
        return env.getSource();
    }

    private CompletableFuture<Connection<Artifact>> artifacts(DataFetchingEnvironment env) {
        ArtifactFilter asked = filter(env.getArgument("filter"));
        Args.readableNamespace(env, asked.namespace(), "filter.namespace");
        ArtifactFilter filter = asked.withReadable(Args.access(env).readable());
        PageArgs page = Args.page(env);
        return stage(artifacts.page(filter, page)).toCompletableFuture()
                .thenApply(p -> new Connection<>(p, () -> stage(artifacts.count(filter)).toCompletableFuture()));
    }

    private CompletableFuture<Artifact> findArtifact(DataFetchingEnvironment env) {
        UUID id = Args.id(env, "id", NodeType.ARTIFACT);
        if (id != null) {
            return Loaders.artifact(env, id);
        }
        String uri = Text.optionalName("uri", env.getArgument("uri"), Text.URI_BYTES);
        String digest = Digests.normalize("digest", env.getArgument("digest"));
        if (uri == null && digest == null) {
            throw CatalogException.badInput("id", "give id, uri or digest");
        }
        // an artifact's identity is its URI and digest, whoever files it: one a caller may not read is not there for it
        return stage(artifacts.find(uri, digest)).toCompletableFuture()
                .thenApply(a -> a == null || !Args.access(env).canRead(a.namespace()) ? null : a);
    }

    private static ArtifactFilter filter(Map<String, Object> f) {
        if (f == null) {
            return ArtifactFilter.ALL;
        }
        Object kind = f.get("kind");
        return new ArtifactFilter(Args.filterText(f, "namespace"), kind == null ? null : ArtifactKind.valueOf(kind.toString()),
                Args.filterText(f, "uriPrefix"), Digests.normalize("filter.digest", (String) f.get("digest")), Args.filterText(f, "nameContains"),
                (Boolean) f.get("present"));
    }
}
