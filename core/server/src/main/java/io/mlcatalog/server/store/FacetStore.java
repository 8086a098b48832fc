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
import java.util.TreeMap;
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

    public Future<Void> putRunFacets(SqlClient tx, UUID runId, OffsetDateTime at, Map<String, Object> facets) {
        if (facets.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>();
        new TreeMap<>(facets).forEach((name, value) -> batch.add(Tuple.of(runId, name, at, document(value))));
        return db.batch(tx, """
                insert into run_facet (run_id, name, event_time, value) values ($1, $2, $3, $4)
                on conflict (run_id, name) do update set event_time = excluded.event_time, value = excluded.value
                where excluded.event_time > run_facet.event_time
                   or (excluded.event_time = run_facet.event_time and excluded.value::text > run_facet.value::text)
                """, batch).mapEmpty();
    }

    public Future<Void> putJobFacets(SqlClient tx, Job job, OffsetDateTime at, Map<String, Object> facets) {
        if (facets.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>();
        new TreeMap<>(facets).forEach((name, value) -> batch.add(Tuple.of(job.namespace(), job.name(), name, at, document(value))));
        return db.batch(tx, """
                insert into job_facet (namespace, job, name, event_time, value) values ($1, $2, $3, $4, $5)
                on conflict (namespace, job, name) do update set event_time = excluded.event_time, value = excluded.value
                where excluded.event_time > job_facet.event_time
                   or (excluded.event_time = job_facet.event_time and excluded.value::text > job_facet.value::text)
                """, batch).mapEmpty();
    }

    public Future<Void> putArtifactFacets(SqlClient tx, UUID artifactId, OffsetDateTime at, Map<String, Object> facets) {
        return putArtifactFacets(tx, List.of(new ArtifactFacets(artifactId, at, facets)));
    }

    /** Facets asserted about an artifact at an instant. */
    public record ArtifactFacets(UUID artifactId, OffsetDateTime at, Map<String, Object> facets) {
    }

    /** Many artifacts' facets, in one round trip. */
    public Future<Void> putArtifactFacets(SqlClient tx, List<ArtifactFacets> all) {
        List<Tuple> batch = new ArrayList<>();
        for (ArtifactFacets a : all) {
            new TreeMap<>(a.facets()).forEach((name, value) -> batch.add(Tuple.of(a.artifactId(), name, a.at(), document(value))));
        }
        if (batch.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.batch(tx, """
                insert into artifact_facet (artifact_id, name, event_time, value) values ($1, $2, $3, $4)
                on conflict (artifact_id, name) do update set event_time = excluded.event_time, value = excluded.value
                where excluded.event_time > artifact_facet.event_time
                   or (excluded.event_time = artifact_facet.event_time and excluded.value::text > artifact_facet.value::text)
                """, batch).mapEmpty();
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
