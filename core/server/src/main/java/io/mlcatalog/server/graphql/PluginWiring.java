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
        w.type("Query", t -> t.dataFetcher("plugins", env -> stage(plugins.statuses())));
        w.type("PluginInstance", t -> t.dataFetcher("checkpoint", env ->
                Loaders.load(env, "checkpointsOfPlugin", ((PluginStore.Status) env.getSource()).instance())));
    }
}
