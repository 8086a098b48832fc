package io.mlcatalog.server.graphql;

import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.store.PluginStore;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The GraphQL wiring of plugin status (schema/plugins.graphqls). */
final class PluginWiring {
    private final PluginStore plugins;

    PluginWiring(PluginStore plugins) {
        this.plugins = plugins;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t.dataFetcher("plugins", env -> {
            // an instance's status and checkpoints may name any namespace: for those who may read them all
            if (!Args.access(env).readsAll()) {
                throw io.mlcatalog.server.model.Access.forbidden(null, "plugin status is for tokens that may read every namespace ('*')");
            }
            return stage(plugins.statuses());
        }));
        w.type("PluginInstance", t -> t.dataFetcher("checkpoint", env ->
                Loaders.load(env, "checkpointsOfPlugin", ((PluginStore.Status) env.getSource()).instance())));
    }
}
