package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Run, job and artifact facets. A facet is replaced only by the same facet from a later event (ties broken by
 * the document's text, so that the outcome never depends on arrival order).
 */
public final class FacetStore {
    private final Db db;

    public FacetStore(Db db) {
        this.db = db;
    }

    /** A job: a pipeline of a namespace. */
    public record Job(String namespace, String name) {
    }

    /** Facets asserted about a run at an instant. */
    public record RunFacets(UUID runId, OffsetDateTime at, Map<String, Object> facets) {
    }

    /** Facets asserted about a job at an instant. */
    public record JobFacets(Job job, OffsetDateTime at, Map<String, Object> facets) {
    }

    /** Facets asserted about an artifact at an instant. */
    public record ArtifactFacets(UUID artifactId, OffsetDateTime at, Map<String, Object> facets) {
    }

    /*
     * Each put below is one statement for all the facets it is given, however many: the rows arrive as arrays, the
     * latest assertion of each facet is picked in the statement with the same rule the upsert applies to the stored
     * row (later event time, then the larger document text), and the rows are written in key order, so that two
     * concurrent writers take their row locks in the same order and cannot deadlock.
     */

    public Future<Void> putRunFacets(SqlClient tx, UUID runId, OffsetDateTime at, Map<String, Object> facets) {
        return putRunFacets(tx, List.of(new RunFacets(runId, at, facets)));
    }

    public Future<Void> putRunFacets(SqlClient tx, List<RunFacets> all) {
        Columns c = new Columns();
        all.forEach(r -> r.facets().forEach((name, value) -> c.add(name, r.at(), value, r.runId())));
        if (c.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.query(tx, """
                insert into run_facet (run_id, name, event_time, value)
                select distinct on (run_id, name) run_id, name, event_time, value::jsonb
                from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) as f(run_id, name, event_time, value)
                order by run_id, name, event_time desc, value::jsonb::text desc
                on conflict (run_id, name) do update set event_time = excluded.event_time, value = excluded.value
                where excluded.event_time > run_facet.event_time
                   or (excluded.event_time = run_facet.event_time and excluded.value::text > run_facet.value::text)
                """, Tuple.of(c.keys(UUID[]::new, 0), c.names(), c.times(), c.values())).mapEmpty();
    }

    public Future<Void> putJobFacets(SqlClient tx, Job job, OffsetDateTime at, Map<String, Object> facets) {
        return putJobFacets(tx, List.of(new JobFacets(job, at, facets)));
    }

    public Future<Void> putJobFacets(SqlClient tx, List<JobFacets> all) {
        Columns c = new Columns();
        all.forEach(j -> j.facets().forEach((name, value) -> c.add(name, j.at(), value, j.job().namespace(), j.job().name())));
        if (c.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.query(tx, """
                insert into job_facet (namespace, job, name, event_time, value)
                select distinct on (namespace, job, name) namespace, job, name, event_time, value::jsonb
                from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) as f(namespace, job, name, event_time, value)
                order by namespace, job, name, event_time desc, value::jsonb::text desc
                on conflict (namespace, job, name) do update set event_time = excluded.event_time, value = excluded.value
                where excluded.event_time > job_facet.event_time
                   or (excluded.event_time = job_facet.event_time and excluded.value::text > job_facet.value::text)
                """, Tuple.of(c.keys(String[]::new, 0), c.keys(String[]::new, 1), c.names(), c.times(), c.values())).mapEmpty();
    }

    public Future<Void> putArtifactFacets(SqlClient tx, UUID artifactId, OffsetDateTime at, Map<String, Object> facets) {
        return putArtifactFacets(tx, List.of(new ArtifactFacets(artifactId, at, facets)));
    }

    public Future<Void> putArtifactFacets(SqlClient tx, List<ArtifactFacets> all) {
        Columns c = new Columns();
        all.forEach(a -> a.facets().forEach((name, value) -> c.add(name, a.at(), value, a.artifactId())));
        if (c.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.query(tx, """
                insert into artifact_facet (artifact_id, name, event_time, value)
                select distinct on (artifact_id, name) artifact_id, name, event_time, value::jsonb
                from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) as f(artifact_id, name, event_time, value)
                order by artifact_id, name, event_time desc, value::jsonb::text desc
                on conflict (artifact_id, name) do update set event_time = excluded.event_time, value = excluded.value
                where excluded.event_time > artifact_facet.event_time
                   or (excluded.event_time = artifact_facet.event_time and excluded.value::text > artifact_facet.value::text)
                """, Tuple.of(c.keys(UUID[]::new, 0), c.names(), c.times(), c.values())).mapEmpty();
    }

    /** Facet rows as columns, to send as arrays. */
    private static final class Columns {
        private final List<Object[]> keys = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private final List<OffsetDateTime> times = new ArrayList<>();
        private final List<String> values = new ArrayList<>();

        void add(String name, OffsetDateTime at, Object value, Object... key) {
            keys.add(key);
            names.add(name);
            times.add(at);
            values.add(document(value).encode());
        }

        boolean isEmpty() {
            return names.isEmpty();
        }

        <T> T[] keys(java.util.function.IntFunction<T[]> array, int column) {
            T[] result = array.apply(keys.size());
            for (int i = 0; i < result.length; i++) {
                @SuppressWarnings("unchecked")
                T k = (T) keys.get(i)[column];
                result[i] = k;
            }
            return result;
        }

        String[] names() {
            return names.toArray(String[]::new);
        }

        OffsetDateTime[] times() {
            return times.toArray(OffsetDateTime[]::new);
        }

        String[] values() {
            return values.toArray(String[]::new);
        }
    }

    /** Each artifact's facets, by facet name. */
    public Future<Map<UUID, Map<String, Object>>> ofArtifacts(Collection<UUID> artifactIds) {
        return db.query("select artifact_id, name, value from artifact_facet where artifact_id = any($1) order by name",
                Tuple.of(Rows.uuids(artifactIds))).map(rows -> {
                    Map<UUID, Map<String, Object>> result = new HashMap<>();
                    for (Row r : rows) {
                        result.computeIfAbsent(r.getUUID("artifact_id"), k -> new LinkedHashMap<>()).put(r.getString("name"),
                                Rows.json(r, "value"));
                    }
                    return result;
                });
    }

    /** Each run's facets, by facet name. */
    public Future<Map<UUID, Map<String, Object>>> ofRuns(Collection<UUID> runIds) {
        return db.query("select run_id, name, value from run_facet where run_id = any($1) order by name", Tuple.of(Rows.uuids(runIds)))
                .map(rows -> {
                    Map<UUID, Map<String, Object>> result = new HashMap<>();
                    for (Row r : rows) {
                        result.computeIfAbsent(r.getUUID("run_id"), k -> new LinkedHashMap<>()).put(r.getString("name"), Rows.json(r, "value"));
                    }
                    return result;
                });
    }

    /** Each job's facets, by facet name. */
    public Future<Map<Job, Map<String, Object>>> ofJobs(Collection<Job> jobs) {
        String[] namespaces = jobs.stream().map(Job::namespace).toArray(String[]::new);
        String[] names = jobs.stream().map(Job::name).toArray(String[]::new);
        return db.query("""
                select f.namespace, f.job, f.name, f.value from unnest($1::text[], $2::text[]) as j(namespace, job)
                join job_facet f on f.namespace = j.namespace and f.job = j.job
                order by f.name
                """, Tuple.of(namespaces, (Object) names)).map(rows -> {
            Map<Job, Map<String, Object>> result = new HashMap<>();
            for (Row r : rows) {
                result.computeIfAbsent(new Job(r.getString("namespace"), r.getString("job")), k -> new LinkedHashMap<>())
                        .put(r.getString("name"), Rows.json(r, "value"));
            }
            return result;
        });
    }

    /** A facet is a JSON object; anything else is kept under "value". */
    @SuppressWarnings("unchecked")
    private static JsonObject document(Object value) {
        return value instanceof Map<?, ?> m ? new JsonObject((Map<String, Object>) m) : new JsonObject().put("value", value);
    }
}
