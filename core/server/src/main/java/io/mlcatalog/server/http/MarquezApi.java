package io.mlcatalog.server.http;

import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.store.MarquezStore;
import io.mlcatalog.spi.naming.OpenLineageDatasets;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Marquez's read API besides lineage (namespaces, jobs, runs, datasets, dataset versions, search), in Marquez's JSON
 * shapes, so that Marquez's web UI and scripts written against Marquez read the catalog.
 *
 * <p>A listing's page (the keys and the total) comes from {@link MarquezStore}, which keeps to the namespaces the token
 * may read; each entry is then read through the catalog's GraphQL API as the caller, with its access rule, query limits
 * and cost budget. Jobs are the catalog's jobs (the namespace and pipeline of runs, job facets, declared datasets);
 * datasets are artifacts by URI, named back the OpenLineage way ({@link OpenLineageDatasets}); a dataset's versions are
 * its artifacts. What the catalog holds no value for is null or empty, never made up.
 */
final class MarquezApi {
    /** The largest page: each entry is read through GraphQL. */
    static final int MAX_LIMIT = 1000;
    /** Entries read by one GraphQL query (the catalog allows 30 aliases a document). */
    private static final int CHUNK = 25;

    private static final String RUN_FIELDS = """
            id namespace name pipeline externalId status startedAt endedAt params facets
            inputs { id uri name } outputs { id uri name }""";
    private static final String ARTIFACT_FIELDS = """
            id namespace name uri digest createdAt facets producedBy { id externalId status startedAt endedAt }""";

    private final MarquezCaller caller;
    private final MarquezStore store;

    MarquezApi(MarquezCaller caller, MarquezStore store) {
        this.caller = caller;
        this.store = store;
    }

    void route(Router router) {
        get(router, "/api/v1/namespaces", this::namespaces);
        get(router, "/api/v1/namespaces/:namespace", this::namespace);
        get(router, "/api/v1/namespaces/:namespace/jobs", (ctx, p) -> jobs(ctx, p, path(ctx, "namespace")));
        get(router, "/api/v1/jobs", (ctx, p) -> jobs(ctx, p, null));
        get(router, "/api/v1/namespaces/:namespace/jobs/:job", this::job);
        get(router, "/api/v1/namespaces/:namespace/jobs/:job/runs", this::runs);
        get(router, "/api/v1/jobs/runs/:id", this::run);
        get(router, "/api/v1/namespaces/:namespace/datasets", this::datasets);
        get(router, "/api/v1/namespaces/:namespace/datasets/:dataset", this::dataset);
        get(router, "/api/v1/namespaces/:namespace/datasets/:dataset/versions", this::versions);
        get(router, "/api/v1/search", this::search);
        // Marquez's web UI asks for /api/v1/search/?q=…
        get(router, "/api/v1/search/", this::search);
        get(router, "/api/v1/events/lineage", (ctx, p) -> CompletableFuture.failedFuture(new MarquezCaller.Refused(501,
                "the catalog keeps what OpenLineage events made (runs, jobs, datasets, their edges and facets), not the events as sent:"
                        + " read runs at /api/v1/jobs/runs/{id} and lineage at /api/v1/lineage, or the catalog's change log (GraphQL events)")));
        // the rest of Marquez's API under these paths (job versions, facets, tags, sources, column lineage, stats) is not
        // served: said in Marquez's error shape rather than as a page of HTML
        for (String unserved : List.of("/api/v1/namespaces/*", "/api/v1/jobs/*", "/api/v1/tags", "/api/v1/sources", "/api/v1/sources/*",
                "/api/v1/column-lineage", "/api/v1/stats/*")) {
            router.get(unserved).handler(ctx -> caller.reply(ctx, 404, MarquezCaller.error(404,
                    "the catalog does not serve " + MarquezGraph.excerpt(ctx.request().path()) + " of Marquez's API: see docs/plugins/openlineage.md")));
        }
    }

    private interface Endpoint {
        CompletableFuture<?> answer(RoutingContext ctx, Principal principal);
    }

    private void get(Router router, String path, Endpoint endpoint) {
        router.get(path).handler(ctx -> caller.serve(ctx, path, principal -> endpoint.answer(ctx, principal)));
    }

    // ------------------------------------------------------------------ namespaces

    private CompletableFuture<?> namespaces(RoutingContext ctx, Principal principal) {
        return stage(store.namespaces(principal.access().readable())).thenApply(all -> {
            List<Object> namespaces = new ArrayList<>();
            all.forEach(ns -> namespaces.add(namespace(ns.name(), ns.createdAt())));
            return Map.of("namespaces", namespaces);
        });
    }

    /** A catalog namespace the caller may read, or an OpenLineage dataset namespace it may read datasets of. */
    private CompletableFuture<?> namespace(RoutingContext ctx, Principal principal) {
        String name = path(ctx, "namespace");
        String[] readable = principal.access().readable();
        return stage(store.namespaces(readable)).thenCompose(all -> {
            for (MarquezStore.Namespace ns : all) {
                if (ns.name().equals(name)) {
                    return CompletableFuture.completedFuture(namespace(ns.name(), ns.createdAt()));
                }
            }
            return stage(store.datasets(null, datasetPrefix(name), readable, 1, 0)).thenApply(page -> {
                if (page.total() == 0) {
                    throw notFound("namespace", name);
                }
                return namespace(name, page.items().get(0).createdAt());
            });
        });
    }

    private static Map<String, Object> namespace(String name, OffsetDateTime createdAt) {
        Map<String, Object> ns = new LinkedHashMap<>();
        ns.put("name", name);
        ns.put("createdAt", time(createdAt));
        ns.put("updatedAt", time(createdAt));
        ns.put("ownerName", null);
        ns.put("description", null);
        ns.put("isHidden", false);
        return ns;
    }

    // ------------------------------------------------------------------ jobs and runs

    private static final String JOB_QUERY = """
            job(namespace: $n%1$d, name: $m%1$d) { facets declaredInputs { uri name } declaredOutputs { uri name }
              runs(first: 1) { edges { node { %2$s } } } }""";

    private CompletableFuture<?> jobs(RoutingContext ctx, Principal principal, String namespace) {
        int limit = limit(ctx, 100);
        int offset = offset(ctx);
        if (namespace != null) {
            readable(principal, namespace);
        }
        return stage(store.jobs(namespace, principal.access().readable(), limit, offset))
                .thenCompose(page -> jobsOf(principal, page.items()).thenApply(jobs -> listing("jobs", jobs, page.total())));
    }

    /** A page of a listing in Marquez's shape: its items under {@code key}, and how many there are in all. */
    private static Map<String, Object> listing(String key, List<?> items, long total) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(key, items);
        body.put("totalCount", total);
        return body;
    }

    private CompletableFuture<?> job(RoutingContext ctx, Principal principal) {
        String namespace = path(ctx, "namespace");
        String name = path(ctx, "job");
        readable(principal, namespace);
        return stage(store.job(namespace, name, principal.access().readable())).thenCompose(job -> {
            if (job == null) {
                throw notFound("job", namespace + ":" + name);
            }
            return jobsOf(principal, List.of(job)).thenApply(jobs -> jobs.get(0));
        });
    }

    /** Each job in Marquez's shape: its facets, its datasets (declared, and its newest run's) and its newest run. */
    private CompletableFuture<List<Object>> jobsOf(Principal principal, List<MarquezStore.Job> jobs) {
        return inChunks(principal, jobs, i -> JOB_QUERY.formatted(i, RUN_FIELDS), (i, job) -> Map.of("n" + i, job.namespace(), "m" + i, job.name()),
                i -> "$n" + i + ": String!, $m" + i + ": String!", (job, data) -> {
                    if (data == null) {
                        throw notFound("job", job.namespace() + ":" + job.name());
                    }
                    return jobJson(job, MarquezGraph.cast(data));
                });
    }

    private static Map<String, Object> jobJson(MarquezStore.Job job, Map<String, Object> data) {
        Map<String, Object> facets = MarquezGraph.cast(data.get("facets"));
        List<?> runs = (List<?>) MarquezGraph.cast(data.get("runs")).get("edges");
        Map<String, Object> latest = runs.isEmpty() ? null : MarquezGraph.cast(MarquezGraph.cast(runs.get(0)).get("node"));
        TreeMap<String, Object> inputs = new TreeMap<>();
        TreeMap<String, Object> outputs = new TreeMap<>();
        datasetIds((List<?>) data.get("declaredInputs"), inputs);
        datasetIds((List<?>) data.get("declaredOutputs"), outputs);
        if (latest != null) {
            datasetIds((List<?>) latest.get("inputs"), inputs);
            datasetIds((List<?>) latest.get("outputs"), outputs);
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", id(job.namespace(), job.name()));
        j.put("type", facets.get("jobType") instanceof Map<?, ?> type && "STREAMING".equals(type.get("processingType")) ? "STREAM" : "BATCH");
        j.put("name", job.name());
        j.put("simpleName", job.name());
        j.put("parentJobName", null);
        j.put("createdAt", time(job.createdAt()));
        j.put("updatedAt", time(job.updatedAt()));
        j.put("namespace", job.namespace());
        j.put("inputs", new ArrayList<>(inputs.values()));
        j.put("outputs", new ArrayList<>(outputs.values()));
        j.put("location", facets.get("sourceCodeLocation") instanceof Map<?, ?> location && location.get("url") instanceof String url ? url : null);
        j.put("description", description(facets));
        j.put("latestRun", latest == null ? null : runJson(latest));
        j.put("facets", facets);
        j.put("currentVersion", null);
        j.put("labels", List.of());
        j.put("tags", List.of());
        j.put("latestRuns", latest == null ? List.of() : List.of(runJson(latest)));
        return j;
    }

    private static void datasetIds(List<?> artifacts, TreeMap<String, Object> into) {
        for (Object a : artifacts) {
            Map<String, Object> artifact = MarquezGraph.cast(a);
            OpenLineageDatasets.Name name = OpenLineageDatasets.name((String) artifact.get("uri"), (String) artifact.get("name"));
            into.put(name.namespace() + ":" + name.name(), id(name.namespace(), name.name()));
        }
    }

    private CompletableFuture<?> runs(RoutingContext ctx, Principal principal) {
        String namespace = path(ctx, "namespace");
        String job = path(ctx, "job");
        int limit = limit(ctx, 100);
        int offset = offset(ctx);
        readable(principal, namespace);
        String[] readable = principal.access().readable();
        return stage(store.job(namespace, job, readable)).thenCompose(found -> {
            if (found == null) {
                throw notFound("job", namespace + ":" + job);
            }
            return stage(store.runs(namespace, job, readable, limit, offset));
        }).thenCompose(page -> runsOf(principal, page.items()).thenApply(runs -> listing("runs", runs, page.total())));
    }

    private CompletableFuture<?> run(RoutingContext ctx, Principal principal) {
        String id = path(ctx, "id");
        UUID catalogId = null;
        try {
            catalogId = GlobalId.parse(id, NodeType.RUN, "id");
        } catch (RuntimeException notACatalogId) {
            // an OpenLineage runId, looked up as the run's external id
        }
        return stage(store.run(id, catalogId, principal.access().readable())).thenCompose(run -> {
            if (run == null) {
                throw notFound("run", id);
            }
            return runsOf(principal, List.of(run)).thenApply(runs -> runs.get(0));
        });
    }

    private CompletableFuture<List<Object>> runsOf(Principal principal, List<MarquezStore.Run> runs) {
        return inChunks(principal, runs, i -> "run(id: $r" + i + ") { " + RUN_FIELDS + " }",
                (i, run) -> Map.of("r" + i, GlobalId.of(NodeType.RUN, run.id())), i -> "$r" + i + ": ID!", (run, data) -> {
                    if (data == null) {
                        throw notFound("run", run.id().toString());
                    }
                    return runJson(MarquezGraph.cast(data));
                });
    }

    /**
     * A run in Marquez's shape. Its {@code createdAt} and {@code updatedAt} are event times (its first and last), as
     * everything of a run in the catalog follows event time, not when events arrived.
     */
    private static Map<String, Object> runJson(Map<String, Object> run) {
        Map<String, Object> facets = MarquezGraph.cast(run.get("facets"));
        String startedAt = (String) run.get("startedAt");
        String endedAt = (String) run.get("endedAt");
        Map<String, Object> nominal = facets.get("nominalTime") instanceof Map<?, ?> n ? MarquezGraph.cast(n) : Map.of();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", run.get("externalId") != null ? run.get("externalId") : run.get("id"));
        r.put("createdAt", startedAt != null ? startedAt : endedAt);
        r.put("updatedAt", endedAt != null ? endedAt : startedAt);
        r.put("nominalStartTime", nominal.get("nominalStartTime"));
        r.put("nominalEndTime", nominal.get("nominalEndTime"));
        r.put("state", MarquezGraph.state((String) run.get("status")));
        r.put("startedAt", startedAt);
        r.put("endedAt", endedAt);
        r.put("durationMs", startedAt != null && endedAt != null
                ? Duration.between(OffsetDateTime.parse(startedAt), OffsetDateTime.parse(endedAt)).toMillis() : null);
        r.put("args", run.get("params") == null ? Map.of() : run.get("params"));
        String job = run.get("pipeline") != null ? (String) run.get("pipeline") : (String) run.get("name");
        Map<String, Object> jobVersion = new LinkedHashMap<>();
        jobVersion.put("namespace", run.get("namespace"));
        jobVersion.put("name", job);
        jobVersion.put("version", null);
        r.put("jobVersion", jobVersion);
        r.put("inputDatasetVersions", datasetVersionIds((List<?>) run.get("inputs")));
        r.put("outputDatasetVersions", datasetVersionIds((List<?>) run.get("outputs")));
        r.put("context", Map.of());
        r.put("facets", facets);
        return r;
    }

    private static List<Object> datasetVersionIds(List<?> artifacts) {
        List<Object> out = new ArrayList<>();
        if (artifacts == null) {
            return out;
        }
        for (Object a : artifacts) {
            Map<String, Object> artifact = MarquezGraph.cast(a);
            OpenLineageDatasets.Name name = OpenLineageDatasets.name((String) artifact.get("uri"), (String) artifact.get("name"));
            Map<String, Object> id = id(name.namespace(), name.name());
            id.put("version", artifact.get("id"));
            Map<String, Object> version = new LinkedHashMap<>();
            version.put("datasetVersionId", id);
            version.put("facets", Map.of());
            out.add(version);
        }
        return out;
    }

    // ------------------------------------------------------------------ datasets

    private CompletableFuture<?> datasets(RoutingContext ctx, Principal principal) {
        String namespace = path(ctx, "namespace");
        int limit = limit(ctx, 100);
        int offset = offset(ctx);
        return stage(store.datasets(namespace, datasetPrefix(namespace), principal.access().readable(), limit, offset))
                .thenCompose(page -> datasetsOf(principal, page.items()).thenApply(datasets -> listing("datasets", datasets, page.total())));
    }

    private CompletableFuture<?> dataset(RoutingContext ctx, Principal principal) {
        String[] readable = principal.access().readable();
        return uri(ctx, readable).thenCompose(uri -> stage(store.dataset(uri, readable))).thenCompose(dataset -> {
            if (dataset == null) {
                throw notFound("dataset", path(ctx, "namespace") + ":" + path(ctx, "dataset"));
            }
            return datasetsOf(principal, List.of(dataset)).thenApply(datasets -> datasets.get(0));
        });
    }

    /**
     * The URI a dataset path names: its OpenLineage namespace and name ({@code s3://bucket} + {@code key}); failing
     * that, a dataset with that recorded name filed under a catalog namespace of that name, as Marquez's web UI asks for
     * a dataset it listed under the namespace chosen (when exactly one is).
     */
    private CompletableFuture<String> uri(RoutingContext ctx, String[] readable) {
        String namespace = path(ctx, "namespace");
        String name = path(ctx, "dataset");
        String uri = OpenLineageDatasets.uri(namespace, name);
        return stage(store.dataset(uri, readable)).thenCompose(found -> found != null
                ? CompletableFuture.completedFuture(uri)
                : stage(store.urisNamed(namespace, name, readable)).thenApply(uris -> {
                    if (uris.size() > 1) {
                        throw new MarquezCaller.Refused(404, "dataset '" + MarquezGraph.excerpt(name) + "' of namespace '" + MarquezGraph.excerpt(namespace)
                                + "' names several datasets (" + uris.get(0) + ", " + uris.get(1) + ", …): ask by their OpenLineage namespace");
                    }
                    return uris.isEmpty() ? uri : uris.get(0);
                }));
    }

    /** Each dataset in Marquez's shape, from the newest of its versions the caller may read. */
    private CompletableFuture<List<Object>> datasetsOf(Principal principal, List<MarquezStore.Dataset> datasets) {
        return inChunks(principal, datasets, i -> "artifact(id: $a" + i + ") { " + ARTIFACT_FIELDS + " }",
                (i, d) -> Map.of("a" + i, GlobalId.of(NodeType.ARTIFACT, d.newest())), i -> "$a" + i + ": ID!", (d, data) -> {
                    if (data == null) {
                        throw notFound("dataset", d.uri());
                    }
                    return datasetJson(d, MarquezGraph.cast(data));
                });
    }

    private static Map<String, Object> datasetJson(MarquezStore.Dataset dataset, Map<String, Object> newest) {
        Map<String, Object> version = versionJson(newest);
        String lastModified = null;
        for (Object p : (List<?>) newest.get("producedBy")) {
            Map<String, Object> run = MarquezGraph.cast(p);
            String ended = (String) run.get("endedAt");
            if ("SUCCEEDED".equals(run.get("status")) && ended != null && (lastModified == null || OffsetDateTime.parse(lastModified).isBefore(OffsetDateTime.parse(ended)))) {
                lastModified = ended;
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id((String) version.get("namespace"), (String) version.get("name")));
        for (String key : List.of("type", "name", "physicalName")) {
            d.put(key, version.get(key));
        }
        d.put("createdAt", time(dataset.createdAt()));
        d.put("updatedAt", time(dataset.updatedAt()));
        for (String key : List.of("namespace", "sourceName", "fields", "tags")) {
            d.put(key, version.get(key));
        }
        d.put("lastModifiedAt", lastModified);
        d.put("lastLifecycleState", null);
        d.put("description", version.get("description"));
        d.put("currentVersion", newest.get("id"));
        d.put("columnLineage", null);
        d.put("facets", version.get("facets"));
        d.put("deleted", false);
        d.put("uri", version.get("uri"));
        return d;
    }

    /** A dataset version (an artifact) in Marquez's shape; besides Marquez's fields, the artifact's URI and digest. */
    private static Map<String, Object> versionJson(Map<String, Object> artifact) {
        String uri = (String) artifact.get("uri");
        OpenLineageDatasets.Name name = OpenLineageDatasets.name(uri, (String) artifact.get("name"));
        Map<String, Object> facets = MarquezGraph.cast(artifact.get("facets"));
        Map<String, Object> id = id(name.namespace(), name.name());
        id.put("version", artifact.get("id"));
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("type", "DB_TABLE");
        v.put("name", name.name());
        v.put("physicalName", name.name());
        v.put("createdAt", artifact.get("createdAt"));
        v.put("version", artifact.get("id"));
        v.put("namespace", name.namespace());
        v.put("sourceName", name.namespace());
        v.put("fields", MarquezGraph.fields(facets));
        v.put("tags", List.of());
        v.put("description", description(facets));
        v.put("lifecycleState", null);
        List<?> producers = (List<?>) artifact.get("producedBy");
        v.put("createdByRun", producers == null || producers.isEmpty() ? null : producerJson(MarquezGraph.cast(producers.get(0))));
        v.put("facets", facets);
        v.put("uri", uri);
        v.put("digest", artifact.get("digest"));
        return v;
    }

    private static Map<String, Object> producerJson(Map<String, Object> run) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", run.get("externalId") != null ? run.get("externalId") : run.get("id"));
        r.put("state", MarquezGraph.state((String) run.get("status")));
        r.put("startedAt", run.get("startedAt"));
        r.put("endedAt", run.get("endedAt"));
        return r;
    }

    private CompletableFuture<?> versions(RoutingContext ctx, Principal principal) {
        int limit = limit(ctx, 100);
        int offset = offset(ctx);
        String[] readable = principal.access().readable();
        return uri(ctx, readable).thenCompose(uri -> stage(store.versions(uri, readable, limit, offset))).thenCompose(page -> {
            if (page.total() == 0) {
                throw notFound("dataset", path(ctx, "namespace") + ":" + path(ctx, "dataset"));
            }
            return inChunks(principal, page.items(), i -> "artifact(id: $a" + i + ") { " + ARTIFACT_FIELDS + " }",
                    (i, id) -> Map.of("a" + i, GlobalId.of(NodeType.ARTIFACT, id)), i -> "$a" + i + ": ID!", (id, data) -> {
                        if (data == null) {
                            throw notFound("dataset version", id.toString());
                        }
                        return (Object) versionJson(MarquezGraph.cast(data));
                    }).thenApply(versions -> listing("versions", versions, page.total()));
        });
    }

    // ------------------------------------------------------------------ search

    private CompletableFuture<?> search(RoutingContext ctx, Principal principal) {
        String q = MarquezCaller.single(ctx, "q");
        if (q == null || q.isBlank()) {
            throw new MarquezCaller.Refused(400, "q is required: the text to find in job and dataset names");
        }
        if (q.length() > 512) {
            throw new MarquezCaller.Refused(400, "q is at most 512 characters");
        }
        String filter = MarquezCaller.single(ctx, "filter");
        boolean jobs = filter == null || filter.equalsIgnoreCase("JOB");
        boolean datasets = filter == null || filter.equalsIgnoreCase("DATASET");
        if (!jobs && !datasets) {
            throw new MarquezCaller.Refused(400, "filter is JOB or DATASET, got '" + MarquezGraph.excerpt(filter) + "'");
        }
        String sort = MarquezCaller.single(ctx, "sort");
        boolean byName = sort == null || sort.equalsIgnoreCase("NAME");
        if (!byName && !sort.equalsIgnoreCase("UPDATE_AT") && !sort.equalsIgnoreCase("UPDATED_AT")) {
            throw new MarquezCaller.Refused(400, "sort is NAME or UPDATE_AT, got '" + MarquezGraph.excerpt(sort) + "'");
        }
        int limit = limit(ctx, 10);
        return stage(store.search(q.strip(), jobs, datasets, byName, principal.access().readable(), limit)).thenApply(page -> {
            List<Object> results = new ArrayList<>();
            for (MarquezStore.Found f : page.items()) {
                Map<String, Object> r = new LinkedHashMap<>();
                String namespace = f.namespace();
                String name = f.name();
                if (f.dataset()) {
                    OpenLineageDatasets.Name n = OpenLineageDatasets.name(f.uri(), f.name());
                    namespace = n.namespace();
                    name = n.name();
                }
                r.put("type", f.dataset() ? "DATASET" : "JOB");
                r.put("name", name);
                r.put("updatedAt", time(f.updatedAt()));
                r.put("namespace", namespace);
                r.put("nodeId", new MarquezGraph.NodeId(f.dataset(), namespace, name).toString());
                results.add(r);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("totalCount", page.total());
            body.put("results", results);
            return body;
        });
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Reads {@code items} through GraphQL, {@link #CHUNK} to a query: each item is one aliased field ({@code x<i>:
     * field}) with its variables; {@code make} turns each item and its answer into its JSON.
     */
    private <T> CompletableFuture<List<Object>> inChunks(Principal principal, List<T> items, Function<Integer, String> field,
                                                        java.util.function.BiFunction<Integer, T, Map<String, Object>> variables,
                                                        Function<Integer, String> declarations,
                                                        java.util.function.BiFunction<T, Object, Object> make) {
        List<CompletableFuture<List<Object>>> chunks = new ArrayList<>();
        for (int start = 0; start < items.size(); start += CHUNK) {
            List<T> chunk = items.subList(start, Math.min(items.size(), start + CHUNK));
            StringBuilder q = new StringBuilder("query(");
            StringBuilder body = new StringBuilder();
            Map<String, Object> vars = new LinkedHashMap<>();
            for (int i = 0; i < chunk.size(); i++) {
                q.append(i == 0 ? "" : ", ").append(declarations.apply(i));
                body.append("x").append(i).append(": ").append(field.apply(i)).append('\n');
                vars.putAll(variables.apply(i, chunk.get(i)));
            }
            q.append(") {\n").append(body).append('}');
            chunks.add(caller.query(principal, q.toString(), vars).thenApply(data -> {
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    out.add(make.apply(chunk.get(i), data.get("x" + i)));
                }
                return out;
            }));
        }
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Object> all = new ArrayList<>();
            chunks.forEach(c -> all.addAll(c.join()));
            return all;
        });
    }

    /** The URI prefix of an OpenLineage dataset namespace's datasets ({@code s3://bucket} → {@code s3://bucket/}). */
    static String datasetPrefix(String namespace) {
        String uri = OpenLineageDatasets.uri(namespace, "x");
        return uri.substring(0, uri.length() - 1);
    }

    /** A namespace the caller may not read is answered as one that is not there. */
    private static void readable(Principal principal, String namespace) {
        if (!principal.access().canRead(namespace)) {
            throw notFound("namespace", namespace);
        }
    }

    private static MarquezCaller.Refused notFound(String what, String name) {
        return new MarquezCaller.Refused(404, what + " '" + MarquezGraph.excerpt(name) + "' not found");
    }

    /** Marquez's id of a job or dataset, namespace first. */
    private static Map<String, Object> id(String namespace, String name) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("namespace", namespace);
        id.put("name", name);
        return id;
    }

    private static String description(Map<String, Object> facets) {
        return facets.get("documentation") instanceof Map<?, ?> doc && doc.get("description") instanceof String d ? d : null;
    }

    private static String path(RoutingContext ctx, String name) {
        String value = ctx.pathParam(name);
        if (value == null || value.isEmpty() || value.length() > 4096) {
            throw new MarquezCaller.Refused(400, name + " must be 1 to 4096 characters");
        }
        return value;
    }

    private static int limit(RoutingContext ctx, int otherwise) {
        return number(ctx, "limit", otherwise, 1, MAX_LIMIT);
    }

    private static int offset(RoutingContext ctx) {
        return number(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    }

    private static int number(RoutingContext ctx, String name, int otherwise, int min, int max) {
        String text = MarquezCaller.single(ctx, name);
        if (text == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new MarquezCaller.Refused(400, name + " must be a whole number from " + min + " to " + max + ", got '"
                + MarquezGraph.excerpt(text) + "'");
    }

    private static String time(OffsetDateTime t) {
        return t == null ? null : Times.format(t);
    }

    private static <T> CompletableFuture<T> stage(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture();
    }
}
