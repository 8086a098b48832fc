package io.mlcatalog.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.DeploymentStartRecord;
import io.mlcatalog.spi.record.MetadataRecord;

import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Watches the configured kinds of workload with fabric8 informers (a LIST, then a WATCH from its
 * resourceVersion, relisting by themselves when the watch expires with HTTP 410, and calling back every
 * {@code resync} with every object) and turns their changes into deployment records with {@link Rollouts}.
 *
 * <p><b>Between polls.</b> The informers run in the background from the first poll on (never in
 * {@code create}: an API server that cannot be reached must not stop the catalog). Each change observed
 * is turned into records at once, with the time it was observed, and kept (at most
 * {@code maxBufferedChanges}); a poll emits them with a checkpoint per (kind, Kubernetes namespace) that
 * holds every workload's {@link WorkloadState} and the watch's resourceVersion. Until {@link #committed}
 * confirms them they are emitted again by every poll, so a poll the catalog did not write (a database
 * outage, a timeout) loses nothing.
 *
 * <p><b>Refused deployments.</b> The source writes record by record ({@link Atomicity#PER_RECORD}): a
 * deployment whose model version the catalog does not know (no model of that name, no version registered
 * from that artifact) is refused alone, and kept, with what followed it on the same workload, to be sent
 * again by every poll until the catalog takes it (say, once the version is registered). Its start time
 * is the rollout's, so being late changes nothing.
 *
 * <p><b>Restarts and expired watches.</b> The checkpoints hold what the catalog was told about each
 * workload; a restarted source reads them back before its informers' first LIST, sends each listed
 * workload's current deployments again (the same records: same versions, same start times, so nothing is
 * duplicated), the changes that happened while it was away (at the time it sees them, unless the
 * workload says when), and ends the deployments of workloads that are gone (then). A relist after an
 * expired watch does the same through the informer's own callbacks. What changed and changed back while
 * nobody watched is not seen: a relist shows only how things are.
 */
final class KubernetesSource implements IngestSource {
    private static final String RESOURCE_VERSION = "resourceVersion";

    private final SourceContext context;
    private final KubernetesSettings settings;
    private final Rollouts rollouts;
    private final System.Logger log;

    private final Object lock = new Object();
    /** What the catalog was told about each workload, by kind and {@code namespace/name}. Guarded by lock. */
    private final Map<WorkloadKind, Map<String, WorkloadState>> known = new HashMap<>();
    /** Records of changes not emitted yet. Guarded by lock. */
    private final List<Emission> outbox = new ArrayList<>();
    /** Records refused by the catalog, with what followed them on the same workload, by workload. Guarded by lock. */
    private final Map<String, List<Emission>> pending = new LinkedHashMap<>();
    /** What the last poll emitted, until the catalog confirms it; null when confirmed. Guarded by lock. */
    private List<Emission> inFlight;
    /** Partitions whose state changed since the last confirmed poll. Guarded by lock. */
    private final Set<Partition> dirty = new LinkedHashSet<>();
    private Set<Partition> inFlightDirty = Set.of();
    /** The buffer overflowed: changes were dropped, so the next poll sends every workload's current deployments. */
    private boolean overflowed;
    private final Map<String, String> warned = new HashMap<>();

    private boolean loaded;
    private KubernetesClient client;
    private final List<Watch> watches = new ArrayList<>();
    private Instant inferenceServicesCheckedAt;
    private volatile Throwable lastWatchError;

    /** A record of one workload. */
    private record Emission(Partition partition, WorkloadKind kind, String key, MetadataRecord record) {
    }

    /** What one checkpoint covers: a kind in one watched namespace ({@code *}: all of them). */
    private record Partition(WorkloadKind kind, String namespace) {
        Map<String, String> asMap() {
            return Map.of("kind", kind.plural(), "namespace", namespace);
        }

        boolean covers(String key) {
            return namespace.equals("*") || key.startsWith(namespace + "/");
        }
    }

    /** A running informer and whether the workloads gone while nobody watched were ended after its first list. */
    private static final class Watch {
        final Partition partition;
        final SharedIndexInformer<GenericKubernetesResource> informer;
        final CompletableFuture<Void> started;
        final Handler handler;
        boolean reconciled;

        Watch(Partition partition, SharedIndexInformer<GenericKubernetesResource> informer, CompletableFuture<Void> started,
              Handler handler) {
            this.partition = partition;
            this.informer = informer;
            this.started = started;
            this.handler = handler;
        }

        /** Whether the handler has been called for every workload of the first list (the informer calls it on its own thread). */
        boolean delivered() {
            return handler.seen.containsAll(informer.getStore().listKeys());
        }
    }

    KubernetesSource(SourceContext context, KubernetesSettings settings) {
        this.context = Objects.requireNonNull(context, "context is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.rollouts = new Rollouts(settings.cluster(), settings.namespace());
        this.log = context.logger();
    }

    @Override
    public Atomicity atomicity() {
        return Atomicity.PER_RECORD;
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        load();
        try {
            start();
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("the Kubernetes API at " + (client == null ? settings.apiServer() : client.getMasterUrl())
                    + " did not answer: " + reasons(e), e);
        }
        awaitFirstLists();
        List<Emission> batch;
        Map<Partition, Map<String, String>> offsets = new LinkedHashMap<>();
        synchronized (lock) {
            Instant now = context.clock().instant();
            for (Watch w : watches) {
                if (!w.reconciled) {
                    endVanished(w, now);
                    w.reconciled = true;
                }
            }
            batch = new ArrayList<>();
            pending.values().forEach(batch::addAll);
            pending.clear();
            if (inFlight != null) {
                batch.addAll(inFlight); // the last poll was not written: its records go again, before what is newer
            }
            if (overflowed) {
                // the starts queued since are in what every workload serves now: send that instead, after the ends
                outbox.removeIf(e -> e.record() instanceof DeploymentStartRecord);
                outbox.addAll(everyCurrentDeployment(now));
                overflowed = false;
            }
            batch.addAll(outbox);
            outbox.clear();
            Set<Partition> report = new LinkedHashSet<>(inFlightDirty);
            report.addAll(dirty);
            for (Partition p : report) {
                offsets.put(p, offset(p));
            }
            inFlight = batch;
            inFlightDirty = report;
            dirty.clear();
        }
        for (Emission e : batch) {
            sink.emit(e.record());
        }
        offsets.forEach((p, offset) -> sink.checkpoint(p.asMap(), offset));
    }

    @Override
    public void committed(List<InvalidRecordException> rejected) {
        synchronized (lock) {
            if (inFlight == null) {
                return;
            }
            Set<Integer> refused = new HashSet<>();
            rejected.forEach(r -> refused.add(r.index()));
            Map<String, List<Emission>> retry = new LinkedHashMap<>();
            Set<String> failing = new HashSet<>();
            for (int i = 0; i < inFlight.size(); i++) {
                Emission e = inFlight.get(i);
                String id = e.kind().plural() + "/" + e.key();
                if (refused.contains(i)) {
                    failing.add(id);
                }
                if (failing.contains(id)) {
                    // what follows a refused record on the same workload is kept with it, so that they are written in order
                    retry.computeIfAbsent(id, k -> new ArrayList<>()).add(e);
                }
            }
            retry.forEach((id, list) -> pending.put(id, list.size() <= 100 ? list : new ArrayList<>(list.subList(list.size() - 100, list.size()))));
            inFlight = null;
            inFlightDirty = Set.of();
        }
    }

    /** The workload states of the checkpoints: what the catalog was told before a restart. */
    private void load() {
        if (loaded) {
            return;
        }
        synchronized (lock) {
            context.checkpoints().all().forEach((partition, offset) -> {
                WorkloadKind kind = WorkloadKind.ofPlural(partition.getOrDefault("kind", ""));
                if (kind == null) {
                    return;
                }
                offset.forEach((key, value) -> {
                    if (key.equals(RESOURCE_VERSION)) {
                        return;
                    }
                    try {
                        known.computeIfAbsent(kind, k -> new HashMap<>()).put(key, StateCodec.decode(value));
                    } catch (IllegalArgumentException e) {
                        log.log(System.Logger.Level.WARNING, "ignoring an unreadable checkpoint entry for {0} {1}: {2}", kind.plural(), key,
                                e.getMessage());
                    }
                });
            });
            loaded = true;
        }
    }

    /** Connects and starts an informer per kind and watched namespace, once (and again after one failed to start). */
    private void start() {
        if (client == null) {
            client = new KubernetesClientBuilder().withConfig(clientConfig()).withHttpClientFactory(new JdkHttpClientFactory()).build();
        }
        List<String> scopes = settings.namespaces().isEmpty() ? List.of("*") : settings.namespaces();
        for (WorkloadKind kind : settings.kinds()) {
            if (kind == WorkloadKind.INFERENCESERVICES && !inferenceServicesServed()) {
                continue;
            }
            for (String scope : scopes) {
                Partition partition = new Partition(kind, scope);
                if (watches.stream().noneMatch(w -> w.partition.equals(partition))) {
                    watches.add(watch(partition));
                }
            }
        }
    }

    private Config clientConfig() {
        Config base;
        try {
            if (settings.kubeconfig() != null) {
                base = Config.fromKubeconfig(settings.context(), Files.readString(settings.kubeconfig()), settings.kubeconfig().toString());
            } else if (settings.apiServer() != null) {
                base = Config.empty();
            } else {
                base = Config.autoConfigure(settings.context());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the kubeconfig " + settings.kubeconfig() + ": " + e.getMessage(), e);
        }
        ConfigBuilder b = new ConfigBuilder(base);
        if (settings.apiServer() != null) {
            b.withMasterUrl(settings.apiServer());
        }
        if (settings.token() != null) {
            b.withOauthToken(settings.token());
        }
        if (settings.insecureSkipTlsVerify()) {
            b.withTrustCerts(true).withDisableHostnameVerification(true);
        }
        // fail a request fast and leave the retrying to the informers (and to the host, which polls again)
        return b.withRequestRetryBackoffLimit(1).withConnectionTimeout(10_000).build();
    }

    /** Whether the cluster serves InferenceServices (KServe is installed); asked again at most once per resync. */
    private boolean inferenceServicesServed() {
        Instant now = context.clock().instant();
        if (inferenceServicesCheckedAt != null && now.isBefore(inferenceServicesCheckedAt.plus(settings.resync()))) {
            return false;
        }
        WorkloadKind k = WorkloadKind.INFERENCESERVICES;
        APIResourceList resources = client.getApiResources(k.context().getGroup() + "/" + k.context().getVersion());
        inferenceServicesCheckedAt = now;
        boolean served = resources != null && resources.getResources().stream().anyMatch(r -> k.plural().equals(r.getName()));
        if (!served) {
            log.log(System.Logger.Level.WARNING, "the cluster does not serve InferenceServices (KServe is not installed): not watched; "
                    + "asked again in {0}", settings.resync());
        }
        return served;
    }

    private Watch watch(Partition partition) {
        var resources = client.genericKubernetesResources(partition.kind().context());
        FilterWatchListDeletable<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> scoped =
                partition.namespace().equals("*") ? resources.inAnyNamespace().withLabelSelector(settings.labelSelector())
                        : resources.inNamespace(partition.namespace()).withLabelSelector(settings.labelSelector());
        SharedIndexInformer<GenericKubernetesResource> informer = scoped.runnableInformer(settings.resync().toMillis());
        Handler handler = new Handler(partition);
        informer.addEventHandler(handler);
        informer.exceptionHandler((started, t) -> {
            lastWatchError = t;
            log.log(System.Logger.Level.WARNING, "watching {0} in {1}: {2}", partition.kind().plural(), partition.namespace(), t.toString());
            return true; // keep trying: the informer backs off by itself
        });
        return new Watch(partition, informer, informer.start().toCompletableFuture(), handler);
    }

    private void awaitFirstLists() throws Exception {
        CompletableFuture<?>[] starts = watches.stream().map(w -> w.started).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(starts).get(settings.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Throwable last = lastWatchError;
            throw new IllegalStateException("the Kubernetes API at " + client.getMasterUrl() + " did not list the workloads within "
                    + settings.syncTimeout().toSeconds() + " s" + (last == null ? "" : ": " + reasons(last)), e);
        } catch (ExecutionException e) {
            // an informer that failed to start is started again by the next poll
            watches.removeIf(w -> {
                if (w.started.isCompletedExceptionally()) {
                    w.informer.stop();
                    return true;
                }
                return false;
            });
            throw new IllegalStateException("listing workloads from the Kubernetes API at " + client.getMasterUrl() + " failed: "
                    + reasons(e.getCause()), e.getCause());
        }
        // the first list is in the informers' caches; let their callbacks reach every listed workload, so that the first
        // poll (mlcatalog ingest --once) records them rather than the next one
        long deadline = System.nanoTime() + settings.syncTimeout().toNanos();
        while (watches.stream().anyMatch(w -> !w.reconciled && !w.delivered()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** The messages of an exception and its causes, for people: "An error has occurred: Connection refused". */
    static String reasons(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (parts.isEmpty() || !parts.get(parts.size() - 1).equals(m)) {
                parts.add(m);
            }
        }
        return String.join(": ", parts);
    }

    /** After a (re)start's first list: the workloads the checkpoints know and the cluster no longer has have ended. */
    private void endVanished(Watch w, Instant now) {
        Set<String> listed = new HashSet<>(w.informer.getStore().listKeys());
        Map<String, WorkloadState> ofKind = known.getOrDefault(w.partition.kind(), Map.of());
        for (String key : List.copyOf(ofKind.keySet())) {
            if (w.partition.covers(key) && !listed.contains(key)) {
                apply(w.partition, key, ofKind.get(key), rollouts.deleted(ofKind.get(key), now));
            }
        }
    }

    /** Every workload's current deployments, from the informers' caches (after the buffer overflowed). */
    private List<Emission> everyCurrentDeployment(Instant now) {
        List<Emission> all = new ArrayList<>();
        for (Watch w : watches) {
            for (GenericKubernetesResource r : w.informer.getStore().list()) {
                Workload workload = Workload.of(w.partition.kind(), r);
                WorkloadState state = known.getOrDefault(w.partition.kind(), Map.of()).get(workload.key());
                if (state != null) {
                    rollouts.current(state, workload, now)
                            .forEach(rec -> all.add(new Emission(w.partition, w.partition.kind(), workload.key(), rec)));
                }
            }
        }
        return all;
    }

    /** The checkpoint of a partition: its workloads' states, and how far its watch got. */
    private Map<String, String> offset(Partition p) {
        Map<String, String> offset = new LinkedHashMap<>();
        Watch watch = watches.stream().filter(w -> w.partition.equals(p)).findFirst().orElse(null);
        String rv = watch == null ? null : watch.informer.lastSyncResourceVersion();
        offset.put(RESOURCE_VERSION, rv == null ? "" : rv);
        known.getOrDefault(p.kind(), Map.of()).entrySet().stream().filter(e -> p.covers(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> offset.put(e.getKey(), StateCodec.encode(e.getValue())));
        return offset;
    }

    /** Takes a step's state and queues its records. Call holding lock. */
    private void apply(Partition partition, String key, WorkloadState before, Rollouts.Step step) {
        Map<String, WorkloadState> ofKind = known.computeIfAbsent(partition.kind(), k -> new HashMap<>());
        if (step.after() == null) {
            ofKind.remove(key);
        } else {
            ofKind.put(key, step.after());
        }
        if (!Objects.equals(before, step.after())) {
            dirty.add(partition);
        }
        String id = partition.kind().plural() + "/" + key;
        for (MetadataRecord r : step.records()) {
            Emission e = new Emission(partition, partition.kind(), key, r);
            List<Emission> waiting = pending.get(id);
            if (waiting != null) {
                waiting.add(e); // behind the refused record it follows
            } else {
                outbox.add(e);
            }
        }
        if (outbox.size() > settings.maxBufferedChanges()) {
            // keep the ends (nothing else would say the workload stopped); the next poll sends every current deployment
            outbox.removeIf(e -> e.record() instanceof DeploymentStartRecord);
            overflowed = true;
            log.log(System.Logger.Level.WARNING, "more than {0} changes since the last poll: intermediate rollouts are dropped, "
                    + "the next poll records every workload as it is", settings.maxBufferedChanges());
        }
    }

    /** The informer callbacks of one partition: on the informer's thread, one at a time. */
    private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
        private final Partition partition;
        /** The keys of the workloads it was called for. */
        final Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Handler(Partition partition) {
            this.partition = partition;
        }

        @Override
        public void onAdd(GenericKubernetesResource obj) {
            // after a (re)list the workload may be known already: then its deployments go again, as they were
            observed(obj, true);
        }

        @Override
        public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
            // the same resourceVersion: a resync, or a relist that found it unchanged
            observed(newObj, Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion()));
        }

        @Override
        public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
            Workload w = Workload.of(partition.kind(), obj);
            Instant at = w.deletionTimestamp() != null ? w.deletionTimestamp() : context.clock().instant();
            synchronized (lock) {
                WorkloadState before = known.getOrDefault(partition.kind(), Map.of()).get(w.key());
                apply(partition, w.key(), before, rollouts.deleted(before, at));
            }
        }

        private void observed(GenericKubernetesResource obj, boolean again) {
            Workload w = Workload.of(partition.kind(), obj);
            seen.add(w.key());
            if (w.ownedByInferenceService() && settings.kinds().contains(WorkloadKind.INFERENCESERVICES)) {
                return; // KServe's own Deployment of an InferenceService: the InferenceService is the target
            }
            synchronized (lock) {
                WorkloadState before = known.getOrDefault(partition.kind(), Map.of()).get(w.key());
                Rollouts.Step step = rollouts.observe(before, w, context.clock().instant(), again && before != null);
                if (step.problem() != null && !Objects.equals(warned.put(w.key(), w.resourceVersion()), w.resourceVersion())) {
                    log.log(System.Logger.Level.WARNING, "{0} {1} {2}; not recorded", partition.kind().kind(), w.key(), step.problem());
                }
                apply(partition, w.key(), before, step);
            }
        }
    }

    @Override
    public void close() {
        for (Watch w : watches) {
            w.informer.stop();
        }
        watches.clear();
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
