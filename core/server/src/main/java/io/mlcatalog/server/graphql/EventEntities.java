package io.mlcatalog.server.graphql;

import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.store.DeploymentStore;
import io.mlcatalog.server.store.ModelStore;
import io.mlcatalog.server.store.RunStore;
import io.vertx.core.Future;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The run, model, version or deployment a live event names, loaded once per event for all of this node's subscribers.
 * Each subscription is its own GraphQL execution with its own DataLoaders, so without this a write seen by 1,000
 * dashboards was 1,000 lookups of the same row (docs/benchmarks.md, "Live"). Keyed by the event's sequence number: a
 * later event loads the entity afresh, as it is then. Only the entity itself is shared; its fields (a run's inputs, a
 * version's aliases) are each subscriber's own, under its own access.
 */
final class EventEntities {
    /** Recent (event, entity) loads kept: enough for a burst of writes to reach every subscriber. */
    private static final int KEPT = 4096;

    private record Key(long seq, String type, Object id) {
    }

    private final RunStore runs;
    private final ModelStore models;
    private final DeploymentStore deployments;
    private final Map<Key, CompletableFuture<?>> recent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<?>> eldest) {
            return size() > KEPT;
        }
    };

    EventEntities(RunStore runs, ModelStore models, DeploymentStore deployments) {
        this.runs = runs;
        this.models = models;
        this.deployments = deployments;
    }

    CompletableFuture<Run> run(long seq, UUID id) {
        return shared(new Key(seq, "run", id), () -> runs.byIds(List.of(id)).map(m -> m.get(id)));
    }

    CompletableFuture<Model> model(long seq, UUID id) {
        return shared(new Key(seq, "model", id), () -> models.byIds(List.of(id)).map(m -> m.get(id)));
    }

    CompletableFuture<ModelVersion> version(long seq, UUID id) {
        return shared(new Key(seq, "version", id), () -> models.versionsByIds(List.of(id)).map(m -> m.get(id)));
    }

    CompletableFuture<ModelVersion> version(long seq, ModelStore.VersionKey key) {
        return shared(new Key(seq, "versionByKey", key), () -> models.versionsByKeys(List.of(key)).map(m -> m.get(key)));
    }

    CompletableFuture<Deployment> deployment(long seq, UUID id) {
        return shared(new Key(seq, "deployment", id), () -> deployments.byIds(List.of(id)).map(m -> m.get(id)));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> shared(Key key, Supplier<Future<T>> load) {
        CompletableFuture<T> mine = new CompletableFuture<>();
        CompletableFuture<?> existing;
        synchronized (recent) {
            existing = recent.putIfAbsent(key, mine);
        }
        if (existing != null) {
            return (CompletableFuture<T>) existing;
        }
        load.get().onComplete(r -> {
            if (r.succeeded()) {
                mine.complete(r.result());
            } else {
                // a failed load is not kept: the next subscriber tries again
                synchronized (recent) {
                    recent.remove(key, mine);
                }
                mine.completeExceptionally(r.cause());
            }
        });
        return mine;
    }
}
