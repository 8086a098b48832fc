package io.mlcatalog.server.graphql;

import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.lineage.LineageWalk;
import io.mlcatalog.server.lineage.ReachabilityIndex;
import io.mlcatalog.server.store.ArtifactStore;
import io.mlcatalog.server.store.ChangeLog;
import io.mlcatalog.server.store.CodeVersionStore;
import io.mlcatalog.server.store.DeploymentStore;
import io.mlcatalog.server.store.ModelStore;
import io.mlcatalog.server.store.NamespaceStore;
import io.mlcatalog.server.store.PluginStore;
import io.mlcatalog.server.store.RunStore;
import io.mlcatalog.server.write.CatalogWriter;

/** All areas' wiring: which code answers each field of the schema. */
public final class Wiring {
    private final NodeWiring nodes;
    private final RunWiring runs;
    private final ArtifactWiring artifacts;
    private final ModelWiring models;
    private final DeploymentWiring deployments;
    private final PluginWiring plugins;
    private final LineageWiring lineage;
    private final AccessWiring access;
    private final EventWiring events;
    private final WebhookWiring webhooks;

    public Wiring(NamespaceStore namespaces, CodeVersionStore codeVersions, RunStore runs, ArtifactStore artifacts, ModelStore models,
                  DeploymentStore deployments, PluginStore plugins, LineageWalk walk, ReachabilityIndex reachability, ChangeLog changes,
                  CatalogWriter writer, io.mlcatalog.server.db.Db db, io.mlcatalog.server.auth.Authenticator authenticator,
                  io.mlcatalog.server.events.ChangeFeed feed, io.mlcatalog.server.webhooks.WebhookStore webhookStore) {
        this.nodes = new NodeWiring(namespaces, writer);
        this.runs = new RunWiring(runs, codeVersions, writer, new io.mlcatalog.server.store.JobStore(db));
        this.artifacts = new ArtifactWiring(artifacts, writer);
        this.models = new ModelWiring(models, writer);
        this.deployments = new DeploymentWiring(deployments, writer);
        this.plugins = new PluginWiring(plugins);
        this.lineage = new LineageWiring(walk, reachability, deployments, changes);
        this.access = new AccessWiring(db, authenticator, writer);
        this.events = new EventWiring(feed, new EventEntities(runs, models, deployments));
        this.webhooks = new WebhookWiring(webhookStore, feed);
    }

    public void wire(RuntimeWiring.Builder w) {
        nodes.wire(w);
        runs.wire(w);
        artifacts.wire(w);
        models.wire(w);
        deployments.wire(w);
        plugins.wire(w);
        lineage.wire(w);
        access.wire(w);
        events.wire(w);
        webhooks.wire(w);
    }
}
