package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.ArtifactKind;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** All SQL about artifacts. */
public final class ArtifactStore {
    /**
     * The columns reads select. The last-seen time is the writers' bookkeeping (whether a "gone since" assertion stands),
     * which no reader shows: reads leave it null rather than look it up ({@link #readAll} and the locks give it).
     */
    static final String COLUMNS = "a.id, a.namespace, a.name, a.uri, a.digest, a.size_bytes, a.media_type, a.kind, a.created_at, a.gone_at, "
            + "null::timestamptz as seen_at";
    /** As {@link #COLUMNS}, with the last-seen time: the latest of the artifact's slots (V16__artifact_seen.sql). */
    private static final String WRITE_COLUMNS = "a.id, a.namespace, a.name, a.uri, a.digest, a.size_bytes, a.media_type, a.kind, a.created_at, "
            + "a.gone_at, (select max(s.seen_at) from artifact_seen s where s.artifact_id = a.id) as seen_at";
    /** The first key of the artifacts' advisory locks: the two-key form, a key space apart from the runs' (PendingLinkStore). */
    private static final int LOCK_CLASS = 0x61727466; // "artf"
    private static final int LOCK_BUCKETS = 256;

    private final Db db;

    public ArtifactStore(Db db) {
        this.db = db;
    }

    private static final String INSERT = """
            insert into artifact (id, namespace, name, uri, digest, size_bytes, media_type, kind, created_at, gone_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            on conflict do nothing returning id""";
    private static final String UPDATE = """
            update artifact set namespace = $2, name = $3, size_bytes = $4, media_type = $5, kind = $6, created_at = $7,
                                gone_at = $8
            where id = $1""";

    /**
     * The advisory locks a write of these artifacts takes before it reads them (V16__artifact_seen.sql): exclusive on
     * those it may record as gone, shared on the others, in one order for all writers, so that they cannot wait on each
     * other in a cycle. Writers that only see artifacts present do not wait on each other; a writer of an absence waits
     * for them, and they for it.
     */
    public Future<Void> lockForWrite(SqlClient tx, Collection<UUID> ids, Collection<UUID> mayBeGone) {
        if (ids.isEmpty()) {
            return Future.succeededFuture();
        }
        java.util.TreeMap<Integer, Boolean> keys = new java.util.TreeMap<>();
        ids.forEach(id -> keys.merge(lockKey(id), false, Boolean::logicalOr));
        mayBeGone.forEach(id -> keys.put(lockKey(id), true)); // two artifacts of one key: the stronger lock, once
        Integer[] k = keys.keySet().toArray(Integer[]::new);
        Boolean[] exclusive = keys.values().toArray(Boolean[]::new);
        return db.query(tx, """
                select case when x then pg_advisory_xact_lock($1, k)::text else pg_advisory_xact_lock_shared($1, k)::text end
                from unnest($2::int[], $3::boolean[]) with ordinality as l(k, x, n) order by n""",
                Tuple.of(LOCK_CLASS, k, exclusive)).mapEmpty();
    }

    /**
     * The artifact's lock: one of {@link #LOCK_BUCKETS}. Advisory locks take room in PostgreSQL's shared lock table (about
     * 6,400 entries for all transactions, by default), and a poll may write 100,000 artifacts in one transaction; a
     * bucket shared by several artifacts only makes a writer of an absence wait for more presences than it must.
     */
    private static int lockKey(UUID id) {
        long h = id.getMostSignificantBits() ^ id.getLeastSignificantBits();
        return Math.floorMod((int) (h ^ (h >>> 32)), LOCK_BUCKETS);
    }

    /** The artifacts that exist among {@code ids}, as committed, with their last-seen time, without row locks. */
    public Future<Map<UUID, Artifact>> readAll(SqlClient tx, Collection<UUID> ids) {
        return db.query(tx, "select " + WRITE_COLUMNS + " from artifact a where a.id = any($1)", Tuple.of(Rows.uuids(ids)))
                .map(rows -> {
                    Map<UUID, Artifact> result = new HashMap<>();
                    rows.forEach(r -> result.put(r.getUUID("id"), map(r)));
                    return result;
                });
    }

    /**
     * Records that these artifacts were seen at their URI at these times: each time goes to this connection's slot
     * (V16__artifact_seen.sql) when later than what the slot holds. Concurrent writers are on other connections, so they
     * write other rows and do not wait on each other.
     */
    public Future<Void> see(SqlClient tx, Map<UUID, java.time.OffsetDateTime> seenAt) {
        if (seenAt.isEmpty()) {
            return Future.succeededFuture();
        }
        java.util.TreeMap<UUID, java.time.OffsetDateTime> sorted = new java.util.TreeMap<>(seenAt);
        return db.query(tx, """
                insert into artifact_seen (artifact_id, slot, seen_at)
                select artifact_id, (pg_backend_pid() % 64)::smallint, seen_at
                from unnest($1::uuid[], $2::timestamptz[]) as s(artifact_id, seen_at)
                order by artifact_id
                on conflict (artifact_id, slot) do update set seen_at = excluded.seen_at where artifact_seen.seen_at < excluded.seen_at""",
                Tuple.tuple().addValue(sorted.keySet().toArray(UUID[]::new))
                        .addValue(sorted.values().toArray(java.time.OffsetDateTime[]::new))).mapEmpty();
    }

    public Future<Boolean> insertIfAbsent(SqlClient tx, Artifact a) {
        return db.query(tx, INSERT, insertTuple(a)).map(rows -> rows.size() == 1);
    }

    /** The artifacts that exist among {@code ids}, with their last-seen time, their rows locked in id order. */
    public Future<Map<UUID, Artifact>> lockAll(SqlClient tx, Collection<UUID> ids) {
        return db.query(tx, "select " + WRITE_COLUMNS + " from artifact a where a.id = any($1) order by a.id for update of a",
                Tuple.of(Rows.uuids(ids))).map(rows -> {
            Map<UUID, Artifact> result = new HashMap<>();
            rows.forEach(r -> result.put(r.getUUID("id"), map(r)));
            return result;
        });
    }

    /** Inserts the artifacts that do not exist; returns the ids inserted. */
    public Future<java.util.Set<UUID>> insertAll(SqlClient tx, List<Artifact> rows) {
        if (rows.isEmpty()) {
            return Future.succeededFuture(java.util.Set.of());
        }
        return db.batch(tx, INSERT, rows.stream().map(ArtifactStore::insertTuple).toList()).map(Rows::returnedIds);
    }

    public Future<Void> updateAll(SqlClient tx, List<Artifact> rows) {
        if (rows.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.batch(tx, UPDATE, rows.stream().map(ArtifactStore::updateTuple).toList()).mapEmpty();
    }

    private static Tuple insertTuple(Artifact a) {
        return Tuple.of(a.id(), a.namespace(), a.name(), a.uri(), a.digest(), a.sizeBytes(), a.mediaType(), a.kind().name(), a.createdAt(),
                a.goneAt());
    }

    private static Tuple updateTuple(Artifact a) {
        return Tuple.of(a.id(), a.namespace(), a.name(), a.sizeBytes(), a.mediaType(), a.kind().name(), a.createdAt(), a.goneAt());
    }

    public Future<Artifact> lock(SqlClient tx, UUID id) {
        return db.query(tx, "select " + WRITE_COLUMNS + " from artifact a where a.id = $1 for update of a", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    public Future<Void> update(SqlClient tx, Artifact a) {
        return db.query(tx, UPDATE, updateTuple(a)).mapEmpty();
    }

    public Future<Map<UUID, Artifact>> byIds(Collection<UUID> ids) {
        return db.query("select " + COLUMNS + " from artifact a where a.id = any($1)", Tuple.of(Rows.uuids(ids))).map(rows -> {
            Map<UUID, Artifact> result = new HashMap<>();
            for (Row row : rows) {
                Artifact a = map(row);
                result.put(a.id(), a);
            }
            return result;
        });
    }

    /** The newest artifact stored under the URI and/or with the digest, or null. */
    public Future<Artifact> find(String uri, String digest) {
        Where where = new Where();
        if (uri != null) {
            where.and("a.uri = ?", uri);
        }
        if (digest != null) {
            where.and("a.digest = ?", digest);
        }
        return db.query("select " + COLUMNS + " from artifact a " + where.sql() + " order by a.created_at desc, a.id desc limit 1",
                where.tuple()).map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    public Future<Page<Artifact>> page(ArtifactFilter filter, PageArgs page) {
        Where where = where(filter).after("a.created_at", "a.id", page.after());
        String sql = "select " + COLUMNS + " from artifact a " + where.sql()
                + " order by a.created_at desc, a.id desc limit " + where.next(page.first() + 1);
        return db.query(sql, where.tuple()).map(rows -> Page.of(list(rows), page.first(), ArtifactStore::cursor));
    }

    public Future<Integer> count(ArtifactFilter filter) {
        Where where = where(filter);
        return db.query("select count(*) from artifact a " + where.sql(), where.tuple())
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** SQL of {@link #inputsOf}, formatted once. */
    private static final String INPUTS_OF = """
            select e.to_id as parent, %s from lineage_edge e join artifact a on a.id = e.from_id
            where e.to_id = any($1) and e.kind = 'CONSUMED'
            order by a.uri, a.created_at
            """.formatted(COLUMNS);

    /** The artifacts each run consumed (its inputs). */
    public Future<Map<UUID, List<Artifact>>> inputsOf(Collection<UUID> runIds) {
        return db.query(INPUTS_OF, Tuple.of(Rows.uuids(runIds))).map(ArtifactStore::grouped);
    }

    /** SQL of {@link #outputsOf}, formatted once. */
    private static final String OUTPUTS_OF = """
            select e.from_id as parent, %s from lineage_edge e join artifact a on a.id = e.to_id
            where e.from_id = any($1) and e.kind = 'PRODUCED'
            order by a.uri, a.created_at
            """.formatted(COLUMNS);

    /** The artifacts each run produced (its outputs). */
    public Future<Map<UUID, List<Artifact>>> outputsOf(Collection<UUID> runIds) {
        return db.query(OUTPUTS_OF, Tuple.of(Rows.uuids(runIds))).map(ArtifactStore::grouped);
    }

    /** The artifacts each job declares it reads ({@link EdgeKind#CONSUMED}) or writes ({@link EdgeKind#PRODUCED}), by job id. */
    public Future<Map<UUID, List<Artifact>>> declaredBy(Collection<UUID> jobIds, io.mlcatalog.server.model.EdgeKind direction) {
        return db.query("""
                select j.job_id as parent, %s from job_io j join artifact a on a.id = j.artifact_id
                where j.job_id = any($1) and j.direction = $2
                order by a.uri, a.created_at
                """.formatted(COLUMNS), Tuple.of(Rows.uuids(jobIds), direction.name())).map(ArtifactStore::grouped);
    }

    /** The jobs that declare they read ({@link EdgeKind#CONSUMED}) or write ({@link EdgeKind#PRODUCED}) each artifact, by artifact id. */
    public Future<Map<UUID, List<FacetStore.Job>>> declaringJobsOf(Collection<UUID> artifactIds, io.mlcatalog.server.model.EdgeKind direction) {
        return db.query("""
                select artifact_id, namespace, job from job_io
                where artifact_id = any($1) and direction = $2
                order by namespace, job
                """, Tuple.of(Rows.uuids(artifactIds), direction.name())).map(rows -> {
            Map<UUID, List<FacetStore.Job>> result = new HashMap<>();
            for (Row row : rows) {
                result.computeIfAbsent(row.getUUID("artifact_id"), k -> new ArrayList<>())
                        .add(new FacetStore.Job(row.getString("namespace"), row.getString("job")));
            }
            return result;
        });
    }

    private static Where where(ArtifactFilter f) {
        Where where = new Where();
        if (f.namespace() != null) {
            where.and("a.namespace = ?", f.namespace());
        }
        if (f.readable() != null) {
            where.and("a.namespace = any(?)", (Object) f.readable());
        }
        if (f.kind() != null) {
            where.and("a.kind = ?", f.kind().name());
        }
        if (f.uriPrefix() != null) {
            where.and("a.uri like ?", Where.likeLiteral(f.uriPrefix()) + "%");
        }
        if (f.digest() != null) {
            where.and("a.digest = ?", f.digest());
        }
        if (f.present() != null) {
            where.and(f.present() ? "a.gone_at is null" : "a.gone_at is not null");
        }
        if (f.nameContains() != null) {
            where.and("a.name ilike ?", "%" + Where.likeLiteral(f.nameContains()) + "%");
        }
        return where;
    }

    static Cursor cursor(Artifact a) {
        return new Cursor(a.createdAt(), a.id());
    }

    private static Map<UUID, List<Artifact>> grouped(RowSet<Row> rows) {
        Map<UUID, List<Artifact>> result = new HashMap<>();
        for (Row row : rows) {
            result.computeIfAbsent(row.getUUID("parent"), k -> new ArrayList<>()).add(map(row));
        }
        return result;
    }

    private static List<Artifact> list(RowSet<Row> rows) {
        List<Artifact> result = new ArrayList<>(rows.size());
        rows.forEach(row -> result.add(map(row)));
        return result;
    }

    static Artifact map(Row row) {
        return new Artifact(row.getUUID("id"), row.getString("namespace"), row.getString("name"), row.getString("uri"),
                row.getString("digest"), row.getLong("size_bytes"), row.getString("media_type"),
                ArtifactKind.valueOf(row.getString("kind")), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("gone_at"),
                row.getOffsetDateTime("seen_at"));
    }
}
