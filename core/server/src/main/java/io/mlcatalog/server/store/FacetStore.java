package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.ThreadDigests;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

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
     * A facet document is stored once (facet_document, V15__facet_documents.sql), under the SHA-256 of its text as encoded
     * here, and a facet row refers to it by that hash. A put is a statement that stores the documents not stored yet, and
     * one per kind (run, job, artifact) that upserts the facet rows, for all the facets it is given, however many. The
     * rows arrive as arrays, the latest assertion of each facet is picked (in Java by event time; the rare ties of one
     * instant in the statement, by the document's text, the rule the upsert applies to the stored row), and the rows are
     * written in key order, so that two concurrent writers take their row locks in the same order and cannot deadlock.
     *
     * A facet row that already holds this assertion or a later one is left out before the upsert, by a plain read: an
     * upsert locks every row it conflicts with, even one it leaves as it is, and the same job and dataset facets come
     * with every event of a pipeline, so every transaction would lock them. Leaving such a row out needs no lock: the
     * stored facet only ever moves to a later (or, at one instant, larger) document, so one that holds this assertion
     * holds it for good.
     */

    public Future<Void> putRunFacets(SqlClient tx, UUID runId, OffsetDateTime at, Map<String, Object> facets) {
        return putRunFacets(tx, List.of(new RunFacets(runId, at, facets)));
    }

    public Future<Void> putRunFacets(SqlClient tx, List<RunFacets> all) {
        return putAll(tx, all, List.of(), List.of());
    }

    public Future<Void> putJobFacets(SqlClient tx, Job job, OffsetDateTime at, Map<String, Object> facets) {
        return putJobFacets(tx, List.of(new JobFacets(job, at, facets)));
    }

    public Future<Void> putJobFacets(SqlClient tx, List<JobFacets> all) {
        return putAll(tx, List.of(), all, List.of());
    }

    public Future<Void> putArtifactFacets(SqlClient tx, UUID artifactId, OffsetDateTime at, Map<String, Object> facets) {
        return putArtifactFacets(tx, List.of(new ArtifactFacets(artifactId, at, facets)));
    }

    public Future<Void> putArtifactFacets(SqlClient tx, List<ArtifactFacets> all) {
        return putAll(tx, List.of(), List.of(), all);
    }

    /**
     * Run, job and artifact facets of one transaction. Their documents are stored in one statement, in hash order: a
     * document another transaction is storing at the same moment makes this one wait for it, and in one order two
     * writers cannot wait on each other in a cycle.
     */
    public Future<Void> putAll(SqlClient tx, List<RunFacets> runFacets, List<JobFacets> jobFacets, List<ArtifactFacets> artifactFacets) {
        return putAll(tx, runFacets, jobFacets, artifactFacets, Set.of());
    }

    /**
     * As above, where {@code createdRuns} are runs this transaction inserted (their rows did not exist before it): their
     * facet rows are inserted plainly. No facet row of such a run can exist, as a facet row needs its run's row (a foreign
     * key), and no other transaction can write one while the run's row is this transaction's own uncommitted insert. A plain
     * insert skips what an upsert does for every row: the read of the stored facet, the check for a conflict before the
     * insert, and the confirmation of the speculative insert (a WAL record). In a profile of batched OpenLineage events,
     * the run facets' upsert was PostgreSQL's most expensive statement (2.4 rows per event, mostly of runs just created).
     */
    public Future<Void> putAll(SqlClient tx, List<RunFacets> runFacets, List<JobFacets> jobFacets, List<ArtifactFacets> artifactFacets,
                               Set<UUID> createdRuns) {
        Documents documents = new Documents();
        Columns runs = new Columns(documents);
        Columns newRuns = new Columns(documents);
        runFacets.forEach(r -> {
            Columns into = createdRuns.contains(r.runId()) ? newRuns : runs;
            r.facets().forEach((name, value) -> into.add(name, r.at(), value, r.runId()));
        });
        Columns jobs = new Columns(documents);
        jobFacets.forEach(j -> j.facets().forEach((name, value) -> jobs.add(name, j.at(), value, j.job().namespace(), j.job().name())));
        Columns artifacts = new Columns(documents);
        artifactFacets.forEach(a -> a.facets().forEach((name, value) -> artifacts.add(name, a.at(), value, a.artifactId())));
        if (runs.isEmpty() && newRuns.isEmpty() && jobs.isEmpty() && artifacts.isEmpty()) {
            return Future.succeededFuture();
        }
        // only the kept rows' documents are encoded and hashed (a facet a later one of the same put replaces needs neither)
        runs.encode();
        newRuns.encode();
        jobs.encode();
        artifacts.encode();
        // all sent at once, the documents first: none needs another's answer, and PostgreSQL runs them in this order (one
        // round trip instead of up to four, see Db#sendAhead)
        List<Future<?>> sent = new ArrayList<>(5);
        sent.add(documents.store(tx));
        if (!newRuns.isEmpty()) {
            sent.add(db.query(tx, newRuns.insertStatement("run_facet", "run_id", "uuid"),
                    Tuple.of(newRuns.keys(UUID[]::new, 0), newRuns.names(), newRuns.times(), newRuns.hashes(), newRuns.values())));
        }
        if (!runs.isEmpty()) {
            sent.add(db.query(tx, runs.statement("run_facet", "run_id", "uuid"),
                    Tuple.of(runs.keys(UUID[]::new, 0), runs.names(), runs.times(), runs.hashes(), runs.values())));
        }
        if (!jobs.isEmpty()) {
            sent.add(db.query(tx, jobs.statement("job_facet", "namespace, job", "text", "text"),
                    Tuple.from(new Object[]{jobs.keys(String[]::new, 0), jobs.keys(String[]::new, 1), jobs.names(), jobs.times(),
                            jobs.hashes(), jobs.values()})));
        }
        if (!artifacts.isEmpty()) {
            sent.add(db.query(tx, artifacts.statement("artifact_facet", "artifact_id", "uuid"),
                    Tuple.of(artifacts.keys(UUID[]::new, 0), artifacts.names(), artifacts.times(), artifacts.hashes(),
                            artifacts.values())));
        }
        return Future.all(sent).mapEmpty();
    }

    /** A document's text as stored and its hash, the key it is stored under. */
    private record Document(String text, Buffer hash) {
    }

    /** The documents of one put, by text: each is hashed once, and stored once. */
    private final class Documents {
        private final Map<String, Document> byText = new HashMap<>();

        Document of(Object value) {
            String text = FacetJson.encode(document(value));
            return byText.computeIfAbsent(text, t -> new Document(t, Buffer.buffer(sha256(t))));
        }

        /** Stores the documents not stored yet, in hash order (see {@link #putAll}). */
        Future<Void> store(SqlClient tx) {
            if (byText.isEmpty()) {
                return Future.succeededFuture();
            }
            // the read before the insert keeps a stored document from being parsed as jsonb again, and from being locked
            return db.query(tx, """
                    insert into facet_document (hash, value)
                    select hash, value::jsonb from unnest($1::bytea[], $2::text[]) as d(hash, value)
                    where not exists (select 1 from facet_document f where f.hash = d.hash)
                    order by hash
                    on conflict do nothing""", Tuple.tuple().addValue(byText.values().stream().map(Document::hash).toArray(Buffer[]::new))
                    .addValue(byText.values().stream().map(Document::text).toArray(String[]::new))).mapEmpty();
        }
    }

    /** SHA-256 of each thread, reused (see {@link ThreadDigests}). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadDigests.of("SHA-256");

    private static byte[] sha256(String text) {
        return SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8)); // digest() also resets it for the next call
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

        /** A kept row; its document is made ({@link #encode}) once every row is added. */
        private static final class Value {
            final Object[] key;
            final String name;
            final OffsetDateTime at;
            final Object value;
            Document document;

            Value(Object[] key, String name, OffsetDateTime at, Object value) {
                this.key = key;
                this.name = name;
                this.at = at;
                this.value = value;
            }
        }

        private final Documents documents;
        private final Map<Facet, List<Value>> latest = new LinkedHashMap<>();
        private boolean ties;

        Columns(Documents documents) {
            this.documents = documents;
        }

        void add(String name, OffsetDateTime at, Object value, Object... key) {
            Facet facet = new Facet(List.of(key), name);
            List<Value> kept = latest.get(facet);
            if (kept != null) {
                int order = at.toInstant().compareTo(kept.get(0).at.toInstant());
                if (order < 0) {
                    return;
                }
                if (order == 0) {
                    kept.add(new Value(key, name, at, value));
                    ties = true;
                    return;
                }
            }
            List<Value> one = new ArrayList<>(1);
            one.add(new Value(key, name, at, value));
            latest.put(facet, one);
        }

        boolean isEmpty() {
            return latest.isEmpty();
        }

        /**
         * The upsert into {@code table}: a row replaces the stored one only when of a later event, or of the same
         * instant with the larger document text. With ties in the batch it picks among them with the same rule. The
         * documents' texts are sent along for those ties only (a document stored by this transaction is not visible to
         * the statement's own reads of facet_document).
         */
        String statement(String table, String keyColumns, String... keyArrayTypes) {
            return statement(true, table, keyColumns, keyArrayTypes);
        }

        /**
         * The plain insert into {@code table} of rows none of which is stored (see {@link FacetStore#putAll(SqlClient, List,
         * List, List, Set)}): of ties in the batch, the same one as {@link #statement(String, String, String...)} picks.
         */
        String insertStatement(String table, String keyColumns, String... keyArrayTypes) {
            return statement(false, table, keyColumns, keyArrayTypes);
        }

        private String statement(boolean upsert, String table, String keyColumns, String... keyArrayTypes) {
            StringBuilder params = new StringBuilder();
            int n = 1;
            for (String t : keyArrayTypes) {
                params.append('$').append(n++).append("::").append(t).append("[], ");
            }
            params.append('$').append(n++).append("::text[], $").append(n++).append("::timestamptz[], $").append(n++)
                    .append("::bytea[], $").append(n).append("::text[]");
            String columns = keyColumns + ", name, event_time, document";
            String[] keys = keyColumns.split(", ");
            StringBuilder sameKey = new StringBuilder();
            for (String k : keys) {
                sameKey.append("s.").append(k).append(" = f.").append(k).append(" and ");
            }
            String absorbed = !upsert ? "" : " where not exists (select 1 from " + table + " s where " + sameKey + "s.name = f.name"
                    + " and (s.event_time > f.event_time or (s.event_time = f.event_time and s.document = f.document)))";
            String source = ties
                    ? "select distinct on (" + keyColumns + ", name) " + keyColumns + ", name, event_time, document from unnest("
                    + params + ") as f(" + columns + ", value)" + absorbed + " order by " + keyColumns
                    + ", name, event_time desc, value::jsonb::text desc"
                    // in key order all the same: concurrent writers lock rows in one order, and cannot deadlock
                    : "select " + keyColumns + ", name, event_time, document from unnest(" + params + ") as f(" + columns + ", value)"
                    + absorbed + " order by " + keyColumns + ", name";
            if (!upsert) {
                return "insert into " + table + " (" + columns + ") " + source;
            }
            return "insert into " + table + " (" + columns + ") " + source
                    + " on conflict (" + keyColumns + ", name) do update set event_time = excluded.event_time, document = excluded.document"
                    + " where excluded.event_time > " + table + ".event_time"
                    + " or (excluded.event_time = " + table + ".event_time and excluded.document <> " + table + ".document"
                    + " and (select d.value::text from facet_document d where d.hash = excluded.document)"
                    + " > (select d.value::text from facet_document d where d.hash = " + table + ".document))";
        }

        private List<Value> rows;

        /** Makes the kept rows' documents (their text and hash): once every row is added, before the documents are stored. */
        void encode() {
            for (Value v : rows()) {
                v.document = documents.of(v.value);
            }
        }

        /** The kept rows in order; read only once every row is added. */
        private List<Value> rows() {
            if (rows == null) {
                rows = new ArrayList<>();
                latest.values().forEach(rows::addAll);
            }
            return rows;
        }

        <T> T[] keys(IntFunction<T[]> array, int column) {
            List<Value> rows = rows();
            T[] result = array.apply(rows.size());
            for (int i = 0; i < result.length; i++) {
                @SuppressWarnings("unchecked")
                T k = (T) rows.get(i).key[column];
                result[i] = k;
            }
            return result;
        }

        String[] names() {
            return rows().stream().map(v -> v.name).toArray(String[]::new);
        }

        OffsetDateTime[] times() {
            return rows().stream().map(v -> v.at).toArray(OffsetDateTime[]::new);
        }

        Buffer[] hashes() {
            return rows().stream().map(v -> v.document.hash()).toArray(Buffer[]::new);
        }

        /** The documents' texts, for ties within the statement only (null otherwise: nothing reads them). */
        String[] values() {
            return rows().stream().map(v -> ties ? v.document.text() : null).toArray(String[]::new);
        }
    }

    /** Each artifact's facets, by facet name. */
    public Future<Map<UUID, Map<String, Object>>> ofArtifacts(Collection<UUID> artifactIds) {
        return db.query("select f.artifact_id, f.name, d.value from artifact_facet f join facet_document d on d.hash = f.document"
                + " where f.artifact_id = any($1) order by f.name",
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
        return db.query("select f.run_id, f.name, d.value from run_facet f join facet_document d on d.hash = f.document"
                + " where f.run_id = any($1) order by f.name", Tuple.of(Rows.uuids(runIds)))
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
                select f.namespace, f.job, f.name, d.value from unnest($1::text[], $2::text[]) as j(namespace, job)
                join job_facet f on f.namespace = j.namespace and f.job = j.job
                join facet_document d on d.hash = f.document
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
    private static Map<String, Object> document(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Collections.singletonMap("value", value);
    }
}
