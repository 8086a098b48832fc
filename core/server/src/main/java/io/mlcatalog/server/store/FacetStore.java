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
     * latest assertion of each facet is picked (in Java by event time; the rare ties of one instant in the statement,
     * by the document's text, the rule the upsert applies to the stored row), and the rows are written in key order,
     * so that two concurrent writers take their row locks in the same order and cannot deadlock.
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
        return db.query(tx, c.statement("run_facet", "run_id", "uuid"),
                Tuple.of(c.keys(UUID[]::new, 0), c.names(), c.times(), c.values())).mapEmpty();
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
        return db.query(tx, c.statement("job_facet", "namespace, job", "text", "text"),
                Tuple.of(c.keys(String[]::new, 0), c.keys(String[]::new, 1), c.names(), c.times(), c.values())).mapEmpty();
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
        return db.query(tx, c.statement("artifact_facet", "artifact_id", "uuid"),
                Tuple.of(c.keys(UUID[]::new, 0), c.names(), c.times(), c.values())).mapEmpty();
    }

    /**
     * Facet rows as columns, to send as arrays. Of the rows for one facet (same key, same name) only the latest
     * is kept: a batch that holds a run's START, RUNNING and COMPLETE sends its facets once. Rows of one facet at
     * the same latest instant are all kept, for the statement to pick one by the document's text, as the stored row
     * is picked (jsonb's text, which Java does not reproduce).
     */
    private static final class Columns {
        private record Facet(List<Object> key, String name) {
        }

        private record Value(Object[] key, String name, OffsetDateTime at, String value) {
        }

        private final Map<Facet, List<Value>> latest = new LinkedHashMap<>();
        private boolean ties;

        void add(String name, OffsetDateTime at, Object value, Object... key) {
            Facet facet = new Facet(List.of(key), name);
            List<Value> kept = latest.get(facet);
            if (kept != null) {
                int order = at.toInstant().compareTo(kept.get(0).at().toInstant());
                if (order < 0) {
                    return;
                }
                if (order == 0) {
                    kept.add(new Value(key, name, at, document(value).encode()));
                    ties = true;
                    return;
                }
            }
            List<Value> one = new ArrayList<>(1);
            one.add(new Value(key, name, at, document(value).encode()));
            latest.put(facet, one);
        }

        boolean isEmpty() {
            return latest.isEmpty();
        }

        /**
         * The upsert into {@code table}: a row replaces the stored one only when of a later event, or of the same
         * instant with the larger document text. With ties in the batch it picks among them with the same rule.
         */
        String statement(String table, String keyColumns, String... keyArrayTypes) {
            StringBuilder params = new StringBuilder();
            int n = 1;
            for (String t : keyArrayTypes) {
                params.append('$').append(n++).append("::").append(t).append("[], ");
            }
            params.append('$').append(n++).append("::text[], $").append(n++).append("::timestamptz[], $").append(n).append("::text[]");
            String columns = keyColumns + ", name, event_time, value";
            String source = ties
                    ? "select distinct on (" + keyColumns + ", name) " + keyColumns + ", name, event_time, value::jsonb from unnest("
                    + params + ") as f(" + columns + ") order by " + keyColumns + ", name, event_time desc, value::jsonb::text desc"
                    // in key order all the same: concurrent writers lock rows in one order, and cannot deadlock
                    : "select " + keyColumns + ", name, event_time, value::jsonb from unnest(" + params + ") as f(" + columns + ")"
                    + " order by " + keyColumns + ", name";
            return "insert into " + table + " (" + columns + ") " + source
                    + " on conflict (" + keyColumns + ", name) do update set event_time = excluded.event_time, value = excluded.value"
                    + " where excluded.event_time > " + table + ".event_time"
                    + " or (excluded.event_time = " + table + ".event_time and excluded.value::text > " + table + ".value::text)";
        }

        private List<Value> rows;

        /** The kept rows in order; read only once every row is added. */
        private List<Value> rows() {
            if (rows == null) {
                rows = new ArrayList<>();
                latest.values().forEach(rows::addAll);
            }
            return rows;
        }

        <T> T[] keys(java.util.function.IntFunction<T[]> array, int column) {
            List<Value> rows = rows();
            T[] result = array.apply(rows.size());
            for (int i = 0; i < result.length; i++) {
                @SuppressWarnings("unchecked")
                T k = (T) rows.get(i).key()[column];
                result[i] = k;
            }
            return result;
        }

        String[] names() {
            return rows().stream().map(Value::name).toArray(String[]::new);
        }

        OffsetDateTime[] times() {
            return rows().stream().map(Value::at).toArray(OffsetDateTime[]::new);
        }

        String[] values() {
            return rows().stream().map(Value::value).toArray(String[]::new);
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
