package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.store.DeploymentFilter;
import io.mlcatalog.server.store.DeploymentStore;
import io.mlcatalog.server.store.PageArgs;
import io.mlcatalog.server.write.CatalogWriter;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The GraphQL wiring of deployments (schema/deployments.graphqls). */
final class DeploymentWiring {
    private final DeploymentStore deployments;
    private final CatalogWriter writer;

    DeploymentWiring(DeploymentStore deployments, CatalogWriter writer) {
        this.deployments = deployments;
        this.writer = writer;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t.dataFetcher("deployments", this::deployments));
        w.type("Mutation", t -> t
                .dataFetcher("startDeployment", env -> stage(writer.startDeployment(Args.source(env),
                        Inputs.deployment("input", Args.map(env.getArgument("input"))))))
                .dataFetcher("endDeployment", env -> stage(writer.endDeployment(Args.source(env), Args.id(env, "id", NodeType.DEPLOYMENT),
                        env.getArgument("at"), status(env.getArgument("status"))))));
        w.type("Deployment", t -> t
                .dataFetcher("id", NodeWiring::globalId)
                .dataFetcher("modelVersion", env -> Loaders.modelVersion(env, deployment(env).modelVersionId()))
                .dataFetcher("assertedBy", env -> Loaders.assertions(env, deployment(env).id())));
    }

    private static Deployment deployment(DataFetchingEnvironment env) {
        return env.getSource();
    }

    private static DeploymentStatus status(Object value) {
        return value == null ? null : DeploymentStatus.valueOf(value.toString());
    }

    private CompletableFuture<Connection<Deployment>> deployments(DataFetchingEnvironment env) {
        Map<String, Object> f = env.getArgument("filter");
        DeploymentFilter filter = DeploymentFilter.ALL;
        if (f != null) {
            List<?> statuses = (List<?>) f.get("status");
            filter = new DeploymentFilter(Args.filterText(f, "namespace"), Args.filterText(f, "environment"), Args.filterText(f, "target"),
                    Args.filterText(f, "model"), Times.normalize((OffsetDateTime) f.get("activeAt"), "filter.activeAt"),
                    statuses == null ? null : statuses.stream().map(DeploymentWiring::status).toList());
        }
        Args.readableNamespace(env, filter.namespace(), "filter.namespace");
        DeploymentFilter chosen = filter.withReadable(Args.access(env).readable());
        PageArgs page = Args.page(env);
        if (env.getSelectionSet().contains("edges/node/modelVersion")) {
            // the versions (and their models) that the query asks for next come with the page
            return stage(deployments.pageWithVersions(chosen, page)).toCompletableFuture().thenApply(p -> {
                Loaders.primeVersions(env, p.versions(), p.models());
                return new Connection<>(p.page(), () -> stage(deployments.count(chosen)).toCompletableFuture());
            });
        }
        return stage(deployments.page(chosen, page)).toCompletableFuture()
                .thenApply(p -> new Connection<>(p, () -> stage(deployments.count(chosen)).toCompletableFuture()));
    }
}
