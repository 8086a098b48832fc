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
    static final String COLUMNS = "a.id, a.namespace, a.name, a.uri, a.digest, a.size_bytes, a.media_type, a.kind, a.created_at, a.gone_at, a.seen_at";

    private final Db db;

    public ArtifactStore(Db db) {
        this.db = db;
    }

    private static final String INSERT = """
            insert into artifact (id, namespace, name, uri, digest, size_bytes, media_type, kind, created_at, gone_at, seen_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            on conflict do nothing returning id""";
    private static final String UPDATE = """
            update artifact set namespace = $2, name = $3, size_bytes = $4, media_type = $5, kind = $6, created_at = $7,
                                gone_at = $8, seen_at = $9
            where id = $1""";

    public Future<Boolean> insertIfAbsent(SqlClient tx, Artifact a) {
        return db.query(tx, INSERT, insertTuple(a)).map(rows -> rows.size() == 1);
    }

    /** The artifacts that exist among {@code ids}, locked in id order. */
    public Future<Map<UUID, Artifact>> lockAll(SqlClient tx, Collection<UUID> ids) {
        return db.query(tx, "select " + COLUMNS + " from artifact a where a.id = any($1) order by a.id for update",
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
                a.goneAt(), a.seenAt());
    }

    private static Tuple updateTuple(Artifact a) {
        return Tuple.of(a.id(), a.namespace(), a.name(), a.sizeBytes(), a.mediaType(), a.kind().name(), a.createdAt(), a.goneAt(),
                a.seenAt());
    }

    public Future<Artifact> lock(SqlClient tx, UUID id) {
        return db.query(tx, "select " + COLUMNS + " from artifact a where a.id = $1 for update", Tuple.of(id))
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

    /** The artifacts each run consumed (its inputs). */
    public Future<Map<UUID, List<Artifact>>> inputsOf(Collection<UUID> runIds) {
        return db.query("""
                select e.to_id as parent, %s from lineage_edge e join artifact a on a.id = e.from_id
                where e.to_id = any($1) and e.kind = 'CONSUMED'
                order by a.uri, a.created_at
                """.formatted(COLUMNS), Tuple.of(Rows.uuids(runIds))).map(ArtifactStore::grouped);
    }

    /** The artifacts each run produced (its outputs). */
    public Future<Map<UUID, List<Artifact>>> outputsOf(Collection<UUID> runIds) {
        return db.query("""
                select e.from_id as parent, %s from lineage_edge e join artifact a on a.id = e.to_id
                where e.from_id = any($1) and e.kind = 'PRODUCED'
                order by a.uri, a.created_at
                """.formatted(COLUMNS), Tuple.of(Rows.uuids(runIds))).map(ArtifactStore::grouped);
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
