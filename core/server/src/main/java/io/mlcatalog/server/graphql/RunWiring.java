package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.CodeVersion;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.RunStatus;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.model.Uris;
import io.mlcatalog.server.store.CodeVersionStore;
import io.mlcatalog.server.store.FacetStore;
import io.mlcatalog.server.store.JobStore;
import io.mlcatalog.server.store.PageArgs;
import io.mlcatalog.server.store.RunFilter;
import io.mlcatalog.server.store.RunStore;
import io.mlcatalog.server.write.CatalogWriter;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The GraphQL wiring of runs and code versions (schema/runs.graphqls). */
final class RunWiring {
    private final RunStore runs;
    private final CodeVersionStore codeVersions;
    private final CatalogWriter writer;
    private final JobStore jobs;

    RunWiring(RunStore runs, CodeVersionStore codeVersions, CatalogWriter writer, JobStore jobs) {
        this.runs = runs;
        this.codeVersions = codeVersions;
        this.writer = writer;
        this.jobs = jobs;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t
                .dataFetcher("runs", this::runs)
                .dataFetcher("run", this::findRun)
                .dataFetcher("job", this::findJob)
                .dataFetcher("codeVersion", this::codeVersion));
        w.type("Mutation", t -> t.dataFetcher("upsertRun", env ->
                stage(writer.upsertRun(Args.source(env), Inputs.run("input", Args.map(env.getArgument("input")))))));
        w.type("Run", t -> t
                .dataFetcher("id", NodeWiring::globalId)
                .dataFetcher("tags", env -> Loaders.tags(env, run(env).id()))
                .dataFetcher("codeVersion", env -> Loaders.codeVersion(env, run(env).codeVersionId()))
                .dataFetcher("parent", env -> Loaders.run(env, run(env).parentId()))
                .dataFetcher("inputs", env -> Loaders.load(env, "inputsOfRun", run(env).id()))
                .dataFetcher("outputs", env -> Loaders.load(env, "outputsOfRun", run(env).id()))
                .dataFetcher("modelVersions", env -> Loaders.load(env, "versionsOfRun", run(env).id()))
                .dataFetcher("assertedBy", env -> Loaders.assertions(env, run(env).id()))
                .dataFetcher("facets", env -> Loaders.<Map<String, Object>>load(env, "facetsOfRun", run(env).id())
                        .thenApply(f -> f == null ? Map.of() : f))
                .dataFetcher("jobFacets", env -> run(env).pipeline() == null ? Map.of()
                        : Loaders.<Map<String, Object>>load(env, "facetsOfJob", new FacetStore.Job(run(env).namespace(), run(env).pipeline()))
                        .thenApply(f -> f == null ? Map.of() : f)));
        w.type("Job", t -> t
                .dataFetcher("facets", env -> Loaders.<Map<String, Object>>load(env, "facetsOfJob", job(env))
                        .thenApply(f -> f == null ? Map.of() : f))
                .dataFetcher("declaredInputs", env -> Loaders.load(env, "declaredInputsOfJob", Ids.job(job(env).namespace(), job(env).name())))
                .dataFetcher("declaredOutputs", env -> Loaders.load(env, "declaredOutputsOfJob", Ids.job(job(env).namespace(), job(env).name())))
                .dataFetcher("runs", env -> {
                    RunFilter filter = new RunFilter(job(env).namespace(), job(env).name(), null, null, null, null, null, null, null)
                            .withReadable(Args.access(env).readable());
                    return stage(runs.page(filter, Args.page(env))).toCompletableFuture()
                            .thenApply(p -> new Connection<>(p, () -> stage(runs.count(filter)).toCompletableFuture()));
                }));
        w.type("CodeVersion", t -> t
                .dataFetcher("id", NodeWiring::globalId)
                .dataFetcher("runs", env -> {
                    UUID id = ((CodeVersion) env.getSource()).id();
                    return Loaders.childConnection(env, "runsOfCodeVersion", "runCountOfCodeVersion", id, Args.page(env), id);
                })
                .dataFetcher("assertedBy", env -> Loaders.assertions(env, ((CodeVersion) env.getSource()).id())));
    }

    private static Run run(DataFetchingEnvironment env) {
        return env.getSource();
    }

    private CompletableFuture<Connection<Run>> runs(DataFetchingEnvironment env) {
        RunFilter asked = filter(env.getArgument("filter"));
        Args.readableNamespace(env, asked.namespace(), "filter.namespace");
        RunFilter filter = asked.withReadable(Args.access(env).readable());
        PageArgs page = Args.page(env);
        return stage(runs.page(filter, page)).toCompletableFuture()
                .thenApply(p -> new Connection<>(p, () -> stage(runs.count(filter)).toCompletableFuture()));
    }

    private static FacetStore.Job job(DataFetchingEnvironment env) {
        return env.getSource();
    }

    /** A job the caller may read that something is recorded of; null otherwise (a namespace it may not read: FORBIDDEN). */
    private CompletableFuture<FacetStore.Job> findJob(DataFetchingEnvironment env) {
        String namespace = Text.name("namespace", env.getArgument("namespace"), Text.SHORT_NAME_BYTES);
        String name = Text.name("name", env.getArgument("name"), Text.NAME_BYTES);
        Args.readableNamespace(env, namespace, "namespace");
        return stage(jobs.exists(namespace, name)).toCompletableFuture()
                .thenApply(found -> found ? new FacetStore.Job(namespace, name) : null);
    }

    private CompletableFuture<Run> findRun(DataFetchingEnvironment env) {
        UUID id = Args.id(env, "id", NodeType.RUN);
        if (id != null) {
            return Loaders.run(env, id);
        }
        String namespace = Args.name(env, "namespace");
        String externalId = Args.name(env, "externalId");
        String name = Args.name(env, "name");
        if (namespace == null || (externalId == null && name == null)) {
            throw CatalogException.badInput("id", "give id, or namespace with externalId or name");
        }
        Args.readableNamespace(env, namespace, "namespace");
        return stage(runs.find(namespace, externalId, name)).toCompletableFuture();
    }

    private CompletableFuture<CodeVersion> codeVersion(DataFetchingEnvironment env) {
        String repository = env.getArgument("repository");
        String commit = commitPrefix("commit", env.getArgument("commit"));
        String repo = repository == null ? null : Uris.repository("repository", repository);
        return stage(codeVersions.find(repo, commit)).toCompletableFuture().thenApply(found -> {
            if (found.size() > 1 && !found.get(0).commit().equals(commit)) {
                throw CatalogException.badInput("commit", "commit prefix '" + commit + "' is ambiguous: give more digits");
            }
            return found.isEmpty() ? null : found.get(0);
        });
    }

    static String commitPrefix(String field, String commit) {
        if (commit == null) {
            return null;
        }
        String c = commit.strip().toLowerCase(Locale.ROOT);
        if (!c.matches("[0-9a-f]{4,64}")) {
            throw CatalogException.badInput(field, "a commit is 4 to 64 hex digits (a full sha or a prefix), got '" + Text.excerpt(commit) + "'");
        }
        return c;
    }

    private static RunFilter filter(Map<String, Object> f) {
        if (f == null) {
            return RunFilter.ALL;
        }
        List<?> statuses = (List<?>) f.get("status");
        Map<String, Object> tag = Args.map(f.get("tag"));
        return new RunFilter(
                Args.filterText(f, "namespace"),
                Args.filterText(f, "pipeline"),
                statuses == null ? null : statuses.stream().map(s -> RunStatus.valueOf(s.toString())).toList(),
                tag == null ? null : Args.filterText(tag, "key"),
                tag == null ? null : Args.filterText(tag, "value"),
                Times.normalize((OffsetDateTime) f.get("startedAfter"), "filter.startedAfter"),
                Times.normalize((OffsetDateTime) f.get("startedBefore"), "filter.startedBefore"),
                Args.filterText(f, "nameContains"),
                commitPrefix("filter.commit", (String) f.get("commit")));
    }
}
