package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The listings Marquez's API pages through with {@code limit} and {@code offset}, which the catalog's GraphQL API (keyset
 * pages of runs and artifact versions) has no field for: jobs (the distinct pipelines of runs, job facets and declared
 * datasets), datasets (the distinct URIs of artifacts), a job's runs, a dataset's versions, and a search of both.
 *
 * <p>Every statement takes the caller's readable namespaces ({@code null}: all) and leaves out what lies outside them,
 * the rule of GraphQL's fields; a page gives keys and the total, and the caller reads each entry through GraphQL.
 */
public final class MarquezStore {
    /** A job: a pipeline in a namespace, with the event times of what is first and last recorded of it. */
    public record Job(String namespace, String name, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    /** A dataset: the artifact versions of a URI the caller may read; the newest of them, and the name recorded with it. */
    public record Dataset(String uri, UUID newest, String name, OffsetDateTime createdAt, OffsetDateTime updatedAt, int versions) {
    }

    /** A namespace and when it was created. */
    public record Namespace(String name, OffsetDateTime createdAt) {
    }

    /** A run: its id, and the job it is a run of. */
    public record Run(UUID id, String namespace, String pipeline) {
    }

    /** One page of a listing and how many there are in all. */
    public record Page<T>(List<T> items, long total) {
    }

    /** A search result: a job ({@code uri} null) or a dataset. */
    public record Found(boolean dataset, String namespace, String name, String uri, OffsetDateTime updatedAt) {
    }

    private final Db db;

    public MarquezStore(Db db) {
        this.db = db;
    }

    /** The namespaces the caller may read, with when each was created, sorted. */
    public Future<List<Namespace>> namespaces(String[] readable) {
        return db.query("""
                select name, created_at from namespace where ($1::text[] is null or name = any($1)) order by name
                """, Tuple.of((Object) readable)).map(rows -> {
            List<Namespace> out = new ArrayList<>();
            rows.forEach(r -> out.add(new Namespace(r.getString("name"), r.getOffsetDateTime("created_at"))));
            return out;
        });
    }

    /**
     * What is recorded of each job, as event times: a run from its start (else its end, else when recorded) to its end;
     * a job facet or a declared dataset at its event time. {@code $1}: a namespace or null (all); {@code $2}: the
     * readable namespaces or null (all); {@code $3}: a case-insensitive LIKE pattern for the name, or null.
     */
    private static final String JOBS = """
            select namespace, job, min(first_at) as created_at, max(last_at) as updated_at
            from (select namespace, pipeline as job, coalesce(started_at, ended_at, created_at) as first_at,
                         coalesce(ended_at, started_at, created_at) as last_at
                  from run
                  where pipeline is not null and ($1::text is null or namespace = $1) and ($2::text[] is null or namespace = any($2))
                    and ($3::text is null or pipeline ilike $3)
                  union all
                  select namespace, job, event_time, event_time from job_facet
                  where ($1::text is null or namespace = $1) and ($2::text[] is null or namespace = any($2))
                    and ($3::text is null or job ilike $3)
                  union all
                  select namespace, job, since, since from job_io
                  where ($1::text is null or namespace = $1) and ($2::text[] is null or namespace = any($2))
                    and ($3::text is null or job ilike $3)) as recorded
            group by namespace, job""";

    /** The jobs of a namespace (null: of every readable one), by namespace and name. */
    public Future<Page<Job>> jobs(String namespace, String[] readable, int limit, int offset) {
        return db.query("select *, count(*) over () as total from (" + JOBS + ") as j order by namespace, job limit $4 offset $5",
                Tuple.of(namespace, (Object) readable, null, limit, offset)).compose(rows -> {
            List<Job> jobs = new ArrayList<>();
            rows.forEach(r -> jobs.add(job(r)));
            return total(rows, offset, "select count(*) from (" + JOBS + ") as j", Tuple.of(namespace, (Object) readable, null))
                    .map(total -> new Page<>(jobs, total));
        });
    }

    /** One job, or null when nothing of it is recorded in a namespace the caller may read. */
    public Future<Job> job(String namespace, String name, String[] readable) {
        return db.query("select * from (" + JOBS + ") as j where job = $4", Tuple.of(namespace, (Object) readable, null, name))
                .map(rows -> rows.size() == 0 ? null : job(rows.iterator().next()));
    }

    private static Job job(Row r) {
        return new Job(r.getString("namespace"), r.getString("job"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
    }

    /**
     * The artifacts of a listing of datasets, one row a URI. {@code $1}: a catalog namespace the artifacts are filed
     * under; {@code $2}: a URI prefix (LIKE, escaped), the datasets of an OpenLineage namespace; {@code $3}: the
     * readable namespaces or null.
     */
    private static final String DATASETS = """
            select uri, (array_agg(id order by created_at desc, id desc))[1] as newest,
                   (array_agg(name order by created_at desc, id desc))[1] as name, min(created_at) as created_at,
                   max(created_at) as updated_at, count(*) as versions
            from artifact
            where (namespace = $1 or uri like $2) and ($3::text[] is null or namespace = any($3))
            group by uri""";

    /** The datasets filed under a catalog namespace, or named in an OpenLineage namespace (its URI prefix), by URI. */
    public Future<Page<Dataset>> datasets(String namespace, String uriPrefix, String[] readable, int limit, int offset) {
        String prefix = Where.likeLiteral(uriPrefix) + "%";
        return db.query("select *, count(*) over () as total from (" + DATASETS + ") as d order by uri limit $4 offset $5",
                Tuple.of(namespace, prefix, (Object) readable, limit, offset)).compose(rows -> {
            List<Dataset> datasets = new ArrayList<>();
            rows.forEach(r -> datasets.add(dataset(r)));
            return total(rows, offset, "select count(*) from (" + DATASETS + ") as d", Tuple.of(namespace, prefix, (Object) readable))
                    .map(total -> new Page<>(datasets, total));
        });
    }

    /** A dataset by URI, or null when no version of it is in a namespace the caller may read. */
    public Future<Dataset> dataset(String uri, String[] readable) {
        return db.query("""
                select uri, (array_agg(id order by created_at desc, id desc))[1] as newest,
                   (array_agg(name order by created_at desc, id desc))[1] as name, min(created_at) as created_at,
                       max(created_at) as updated_at, count(*) as versions
                from artifact where uri = $1 and ($2::text[] is null or namespace = any($2)) group by uri
                """, Tuple.of(uri, (Object) readable)).map(rows -> rows.size() == 0 ? null : dataset(rows.iterator().next()));
    }

    /**
     * The URIs of the datasets filed under a catalog namespace with this recorded name (the dataset name as its producer
     * sent it), at most two: Marquez's web UI asks for a dataset it listed under the namespace it listed it in.
     */
    public Future<List<String>> urisNamed(String namespace, String name, String[] readable) {
        return db.query("""
                select distinct uri from artifact where namespace = $1 and name = $2 and ($3::text[] is null or namespace = any($3))
                order by uri limit 2
                """, Tuple.of(namespace, name, (Object) readable)).map(rows -> {
            List<String> uris = new ArrayList<>();
            rows.forEach(r -> uris.add(r.getString(0)));
            return uris;
        });
    }

    private static Dataset dataset(Row r) {
        return new Dataset(r.getString("uri"), r.getUUID("newest"), r.getString("name"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"),
                r.getLong("versions").intValue());
    }

    /** The versions of a dataset (its artifacts), newest first. */
    public Future<Page<UUID>> versions(String uri, String[] readable, int limit, int offset) {
        return db.query("""
                select id, count(*) over () as total from artifact where uri = $1 and ($2::text[] is null or namespace = any($2))
                order by created_at desc, id desc limit $3 offset $4
                """, Tuple.of(uri, (Object) readable, limit, offset)).compose(rows -> {
            List<UUID> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getUUID("id")));
            return total(rows, offset, "select count(*) from artifact where uri = $1 and ($2::text[] is null or namespace = any($2))",
                    Tuple.of(uri, (Object) readable)).map(total -> new Page<>(ids, total));
        });
    }

    /** The runs of a job, newest first, as GraphQL's {@code Job.runs} orders them. */
    public Future<Page<Run>> runs(String namespace, String job, String[] readable, int limit, int offset) {
        String where = "from run where namespace = $1 and pipeline = $2 and ($3::text[] is null or namespace = any($3))";
        return db.query("select id, namespace, pipeline, count(*) over () as total " + where
                        + " order by sort_at desc, id desc limit $4 offset $5", Tuple.of(namespace, job, (Object) readable, limit, offset))
                .compose(rows -> {
                    List<Run> runs = new ArrayList<>();
                    rows.forEach(r -> runs.add(run(r)));
                    return total(rows, offset, "select count(*) " + where, Tuple.of(namespace, job, (Object) readable)).map(total -> new Page<>(runs, total));
                });
    }

    /**
     * The run a runId names, in any namespace the caller may read: by the id its producer gave it (the OpenLineage
     * runId; the newest when several jobs gave the same), else by the catalog's own id. Null when there is none.
     */
    public Future<Run> run(String runId, UUID catalogId, String[] readable) {
        return db.query("""
                select id, namespace, pipeline from run
                where (external_id = $1 or id = $2) and ($3::text[] is null or namespace = any($3))
                order by external_id = $1 desc, sort_at desc, id desc limit 1
                """, Tuple.of(runId, catalogId, (Object) readable)).map(rows -> rows.size() == 0 ? null : run(rows.iterator().next()));
    }

    private static Run run(Row r) {
        return new Run(r.getUUID("id"), r.getString("namespace"), r.getString("pipeline"));
    }

    /**
     * Jobs and datasets whose name holds {@code pattern} (case-insensitive; {@code %} and {@code _} are wildcards, as
     * in Marquez), a dataset matched on its URI (its OpenLineage namespace and name both); by name or newest first.
     */
    public Future<Page<Found>> search(String pattern, boolean jobs, boolean datasets, boolean byName, String[] readable, int limit) {
        String like = "%" + pattern + "%";
        List<String> parts = new ArrayList<>();
        if (jobs) {
            parts.add("select false as dataset, namespace, job as name, null::text as uri, updated_at from (" + JOBS + ") as j");
        }
        if (datasets) {
            parts.add("""
                    select true, null::text, (array_agg(name order by created_at desc, id desc))[1], uri, max(created_at)
                    from artifact where uri ilike $3 and ($1::text is null or namespace = $1) and ($2::text[] is null or namespace = any($2)) group by uri""");
        }
        String order = byName ? "order by name, namespace, uri" : "order by updated_at desc, name, namespace, uri";
        return db.query("select *, count(*) over () as total from (" + String.join(" union all ", parts) + ") as found "
                + order + " limit $4", Tuple.of(null, (Object) readable, like, limit)).map(rows -> {
            List<Found> found = new ArrayList<>();
            long total = 0;
            for (Row r : rows) {
                found.add(new Found(r.getBoolean("dataset"), r.getString("namespace"), r.getString("name"), r.getString("uri"),
                        r.getOffsetDateTime("updated_at")));
                total = r.getLong("total");
            }
            return new Page<>(found, total);
        });
    }

    /** The total of a page's {@code count(*) over ()}; counted apart only when the page is empty past its start. */
    private Future<Long> total(RowSet<Row> rows, int offset, String count, Tuple args) {
        if (rows.size() > 0) {
            return Future.succeededFuture(rows.iterator().next().getLong("total"));
        }
        if (offset == 0) {
            return Future.succeededFuture(0L);
        }
        return db.query(count, args).map(r -> r.iterator().next().getLong(0));
    }
}
