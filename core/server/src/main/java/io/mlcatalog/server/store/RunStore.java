package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.RunStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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

/** All SQL about runs. */
public final class RunStore {
    static final String COLUMNS = """
            r.id, r.namespace, r.name, r.external_id, r.pipeline, r.status, r.status_at, r.started_at, r.ended_at, \
            r.run_user, r.params, r.metrics, r.code_version_id, r.parent_id, r.created_at, r.updated_at""";

    private final Db db;

    public RunStore(Db db) {
        this.db = db;
    }

    private static final String INSERT = """
            insert into run (id, namespace, name, external_id, pipeline, status, status_at, started_at, ended_at,
                             run_user, params, metrics, code_version_id, parent_id, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            on conflict do nothing""";

    private static final String UPDATE = """
            update run set pipeline = $2, status = $3, status_at = $4, started_at = $5, ended_at = $6, run_user = $7,
                           params = $8, metrics = $9, code_version_id = $10, parent_id = $11, updated_at = $12
            where id = $1""";

    public Future<Boolean> insertIfAbsent(SqlClient tx, Run r) {
        return db.query(tx, INSERT + " returning id", insertTuple(r)).map(rows -> rows.size() == 1);
    }

    private static Tuple insertTuple(Run r) {
        return Tuple.of(r.id(), r.namespace(), r.name(), r.externalId(), r.pipeline(), r.status().name(), r.statusAt(),
                r.startedAt(), r.endedAt(), r.user(), new JsonObject(r.params()), new JsonObject(r.metrics()), r.codeVersionId(),
                r.parentId(), r.createdAt(), r.updatedAt());
    }

    private static Tuple updateTuple(Run r) {
        return Tuple.of(r.id(), r.pipeline(), r.status().name(), r.statusAt(), r.startedAt(), r.endedAt(), r.user(),
                new JsonObject(r.params()), new JsonObject(r.metrics()), r.codeVersionId(), r.parentId(), r.updatedAt());
    }

    /** The run, locked until the transaction ends, or null. */
    public Future<Run> lock(SqlClient tx, UUID id) {
        return db.query(tx, "select " + COLUMNS + " from run r where r.id = $1 for update", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    public Future<Void> update(SqlClient tx, Run r) {
        return db.query(tx, UPDATE, updateTuple(r)).mapEmpty();
    }

    // batched forms, for writes of many runs at once: one round trip each, whatever the number of runs

    /** The runs that exist among {@code ids}, as committed, without locking them. */
    public Future<Map<UUID, Run>> readAll(SqlClient tx, Collection<UUID> ids) {
        return db.query(tx, "select " + COLUMNS + " from run r where r.id = any($1)", Tuple.of(Rows.uuids(ids))).map(RunStore::byId);
    }

    /** The runs that exist among {@code ids}, locked in id order (concurrent writers lock in the same order). */
    public Future<Map<UUID, Run>> lockAll(SqlClient tx, Collection<UUID> ids) {
        return db.query(tx, "select " + COLUMNS + " from run r where r.id = any($1) order by r.id for update", Tuple.of(Rows.uuids(ids)))
                .map(RunStore::byId);
    }

    /** Inserts the runs that do not exist; returns the ids inserted (the others were created concurrently). */
    public Future<java.util.Set<UUID>> insertAll(SqlClient tx, List<Run> rows) {
        if (rows.isEmpty()) {
            return Future.succeededFuture(java.util.Set.of());
        }
        Columns c = new Columns(rows);
        // one statement for all; a parent inserted along with its child satisfies the reference (checked at the statement's end)
        return db.query(tx, """
                insert into run (id, namespace, name, external_id, pipeline, status, status_at, started_at, ended_at,
                                 run_user, params, metrics, code_version_id, parent_id, created_at, updated_at)
                select id, namespace, name, external_id, pipeline, status, status_at, started_at, ended_at,
                       run_user, params::jsonb, metrics::jsonb, code_version_id, parent_id, created_at, updated_at
                from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[],
                            $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::uuid[], $14::uuid[], $15::timestamptz[],
                            $16::timestamptz[])
                  as r(id, namespace, name, external_id, pipeline, status, status_at, started_at, ended_at, run_user, params, metrics,
                       code_version_id, parent_id, created_at, updated_at)
                order by id
                on conflict do nothing
                returning id
                """, Tuple.from(new Object[]{c.ids, c.namespaces, c.names, c.externalIds, c.pipelines, c.statuses, c.statusAts,
                c.startedAts, c.endedAts, c.users, c.params, c.metrics, c.codeVersions, c.parents, c.createdAts, c.updatedAts}))
                .map(result -> {
                    java.util.Set<UUID> inserted = new java.util.HashSet<>();
                    result.forEach(r -> inserted.add(r.getUUID(0)));
                    return inserted;
                });
    }

    public Future<Void> updateAll(SqlClient tx, List<Run> rows) {
        if (rows.isEmpty()) {
            return Future.succeededFuture();
        }
        Columns c = new Columns(rows);
        return db.query(tx, """
                update run set pipeline = u.pipeline, status = u.status, status_at = u.status_at, started_at = u.started_at,
                               ended_at = u.ended_at, run_user = u.run_user, params = u.params::jsonb, metrics = u.metrics::jsonb,
                               code_version_id = u.code_version_id, parent_id = u.parent_id, updated_at = u.updated_at
                from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::text[],
                            $8::text[], $9::text[], $10::uuid[], $11::uuid[], $12::timestamptz[])
                  as u(id, pipeline, status, status_at, started_at, ended_at, run_user, params, metrics, code_version_id, parent_id,
                       updated_at)
                where run.id = u.id
                """, Tuple.from(new Object[]{c.ids, c.pipelines, c.statuses, c.statusAts, c.startedAts, c.endedAts, c.users, c.params,
                c.metrics, c.codeVersions, c.parents, c.updatedAts})).mapEmpty();
    }

    /** Runs as columns, to send as arrays (one row each: the callers pass each run once). */
    private static final class Columns {
        final UUID[] ids;
        final String[] namespaces;
        final String[] names;
        final String[] externalIds;
        final String[] pipelines;
        final String[] statuses;
        final java.time.OffsetDateTime[] statusAts;
        final java.time.OffsetDateTime[] startedAts;
        final java.time.OffsetDateTime[] endedAts;
        final String[] users;
        final String[] params;
        final String[] metrics;
        final UUID[] codeVersions;
        final UUID[] parents;
        final java.time.OffsetDateTime[] createdAts;
        final java.time.OffsetDateTime[] updatedAts;

        Columns(List<Run> rows) {
            int n = rows.size();
            ids = new UUID[n];
            namespaces = new String[n];
            names = new String[n];
            externalIds = new String[n];
            pipelines = new String[n];
            statuses = new String[n];
            statusAts = new java.time.OffsetDateTime[n];
            startedAts = new java.time.OffsetDateTime[n];
            endedAts = new java.time.OffsetDateTime[n];
            users = new String[n];
            params = new String[n];
            metrics = new String[n];
            codeVersions = new UUID[n];
            parents = new UUID[n];
            createdAts = new java.time.OffsetDateTime[n];
            updatedAts = new java.time.OffsetDateTime[n];
            for (int i = 0; i < n; i++) {
                Run r = rows.get(i);
                ids[i] = r.id();
                namespaces[i] = r.namespace();
                names[i] = r.name();
                externalIds[i] = r.externalId();
                pipelines[i] = r.pipeline();
                statuses[i] = r.status().name();
                statusAts[i] = r.statusAt();
                startedAts[i] = r.startedAt();
                endedAts[i] = r.endedAt();
                users[i] = r.user();
                params[i] = new JsonObject(r.params()).encode();
                metrics[i] = new JsonObject(r.metrics()).encode();
                codeVersions[i] = r.codeVersionId();
                parents[i] = r.parentId();
                createdAts[i] = r.createdAt();
                updatedAts[i] = r.updatedAt();
            }
        }
    }

    /** The ids among {@code ids} that name recorded runs. */
    public Future<java.util.Set<UUID>> existing(SqlClient tx, Collection<UUID> ids) {
        return db.query(tx, "select id from run where id = any($1)", Tuple.of(Rows.uuids(ids))).map(rows -> {
            java.util.Set<UUID> found = new java.util.HashSet<>();
            rows.forEach(r -> found.add(r.getUUID(0)));
            return found;
        });
    }

    /** The namespace of the run, or null when there is no such run. */
    public Future<String> namespaceOf(SqlClient tx, UUID id) {
        return db.query(tx, "select namespace from run where id = $1", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    public Future<Boolean> exists(SqlClient tx, UUID id) {
        return db.query(tx, "select 1 from run where id = $1", Tuple.of(id)).map(rows -> rows.size() == 1);
    }

    public Future<Map<UUID, Run>> byIds(Collection<UUID> ids) {
        return db.query("select " + COLUMNS + " from run r where r.id = any($1)", Tuple.of(Rows.uuids(ids)))
                .map(RunStore::byId);
    }

    /** The newest run with that external id (or name) in the namespace, or null. */
    public Future<Run> find(String namespace, String externalId, String name) {
        Where where = new Where().and("r.namespace = ?", namespace);
        if (externalId != null) {
            where.and("r.external_id = ?", externalId);
        }
        if (name != null) {
            where.and("r.name = ?", name);
        }
        return db.query("select " + COLUMNS + " from run r " + where.sql() + " order by r.sort_at desc, r.id desc limit 1",
                where.tuple()).map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    public Future<Page<Run>> page(RunFilter filter, PageArgs page) {
        Where where = where(filter).after("r.sort_at", "r.id", page.after());
        String sql = "select " + COLUMNS + " from run r " + where.sql()
                + " order by r.sort_at desc, r.id desc limit " + where.next(page.first() + 1);
        return db.query(sql, where.tuple()).map(rows -> Page.of(list(rows), page.first(), RunStore::cursor));
    }

    public Future<Integer> count(RunFilter filter) {
        Where where = where(filter);
        return db.query("select count(*) from run r " + where.sql(), where.tuple())
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /**
     * Runs that executed each code version, a page per code version; with {@code namespaces} (null: all) only the
     * runs of those namespaces (a code version belongs to none: the runs of any namespace may share it).
     */
    public Future<Map<UUID, Page<Run>>> byCodeVersions(Collection<UUID> codeVersionIds, PageArgs page, String[] namespaces) {
        return pages("""
                select p.parent, r.* from unnest($1::uuid[]) as p(parent)
                cross join lateral (
                    select %s from run r
                    where r.code_version_id = p.parent and ($2::timestamptz is null or (r.sort_at, r.id) < ($2, $3))
                      and ($5::text[] is null or r.namespace = any($5))
                    order by r.sort_at desc, r.id desc limit $4) r
                """.formatted(COLUMNS), codeVersionIds, page, namespaces);
    }

    public Future<Map<UUID, Integer>> countByCodeVersions(Collection<UUID> codeVersionIds, String[] namespaces) {
        return counts("""
                select p.parent, (select count(*) from run r where r.code_version_id = p.parent
                                  and ($2::text[] is null or r.namespace = any($2)))
                from unnest($1::uuid[]) as p(parent)
                """, codeVersionIds, namespaces);
    }

    /** Runs that consumed each artifact, a page per artifact; with {@code namespaces} (null: all) only the runs of those. */
    public Future<Map<UUID, Page<Run>>> consumersOf(Collection<UUID> artifactIds, PageArgs page, String[] namespaces) {
        return pages("""
                select p.parent, r.* from unnest($1::uuid[]) as p(parent)
                cross join lateral (
                    select %s from lineage_edge e join run r on r.id = e.to_id
                    where e.from_id = p.parent and e.kind = 'CONSUMED'
                      and ($2::timestamptz is null or (r.sort_at, r.id) < ($2, $3))
                      and ($5::text[] is null or r.namespace = any($5))
                    order by r.sort_at desc, r.id desc limit $4) r
                """.formatted(COLUMNS), artifactIds, page, namespaces);
    }

    public Future<Map<UUID, Integer>> countConsumersOf(Collection<UUID> artifactIds, String[] namespaces) {
        if (namespaces == null) {
            return counts("""
                    select p.parent, (select count(*) from lineage_edge e where e.from_id = p.parent and e.kind = 'CONSUMED')
                    from unnest($1::uuid[]) as p(parent) where $2::text[] is null
                    """, artifactIds, null);
        }
        return counts("""
                select p.parent, (select count(*) from lineage_edge e join run r on r.id = e.to_id
                                  where e.from_id = p.parent and e.kind = 'CONSUMED' and r.namespace = any($2))
                from unnest($1::uuid[]) as p(parent)
                """, artifactIds, namespaces);
    }

    /** Runs that produced each artifact. */
    public Future<Map<UUID, List<Run>>> producersOf(Collection<UUID> artifactIds) {
        return db.query("""
                select e.to_id as parent, %s from lineage_edge e join run r on r.id = e.from_id
                where e.to_id = any($1) and e.kind = 'PRODUCED'
                order by r.sort_at desc, r.id desc
                """.formatted(COLUMNS), Tuple.of(Rows.uuids(artifactIds))).map(RunStore::grouped);
    }

    private Future<Map<UUID, Page<Run>>> pages(String sql, Collection<UUID> parents, PageArgs page, String[] namespaces) {
        return db.query(sql, Tuple.of(Rows.uuids(parents), page.afterAt(), page.afterId(), page.first() + 1, namespaces)).map(rows -> {
            Map<UUID, List<Run>> grouped = grouped(rows);
            Map<UUID, Page<Run>> result = new HashMap<>();
            for (UUID parent : parents) {
                result.put(parent, Page.of(grouped.getOrDefault(parent, List.of()), page.first(), RunStore::cursor));
            }
            return result;
        });
    }

    private Future<Map<UUID, Integer>> counts(String sql, Collection<UUID> parents, String[] namespaces) {
        // (Object): a null array would be taken for the varargs array itself
        return db.query(sql, Tuple.of(Rows.uuids(parents), (Object) namespaces)).map(rows -> {
            Map<UUID, Integer> result = new HashMap<>();
            for (Row row : rows) {
                result.put(row.getUUID(0), row.getLong(1).intValue());
            }
            return result;
        });
    }

    private static Where where(RunFilter f) {
        Where where = new Where();
        if (f.namespace() != null) {
            where.and("r.namespace = ?", f.namespace());
        }
        if (f.readable() != null) {
            where.and("r.namespace = any(?)", (Object) f.readable());
        }
        if (f.pipeline() != null) {
            where.and("r.pipeline = ?", f.pipeline());
        }
        if (f.statuses() != null && !f.statuses().isEmpty()) {
            where.and("r.status = any(?)", (Object) f.statuses().stream().map(RunStatus::name).toArray(String[]::new));
        }
        if (f.tagKey() != null) {
            if (f.tagValue() != null) {
                where.and("exists (select 1 from tag t where t.entity_id = r.id and t.key = ? and t.value = ?)", f.tagKey(), f.tagValue());
            } else {
                where.and("exists (select 1 from tag t where t.entity_id = r.id and t.key = ?)", f.tagKey());
            }
        }
        if (f.startedAfter() != null) {
            where.and("r.started_at >= ?", f.startedAfter());
        }
        if (f.startedBefore() != null) {
            where.and("r.started_at < ?", f.startedBefore());
        }
        if (f.nameContains() != null) {
            where.and("r.name ilike ?", "%" + Where.likeLiteral(f.nameContains()) + "%");
        }
        if (f.commitPrefix() != null) {
            where.and("r.code_version_id in (select c.id from code_version c where c.commit_sha like ?)",
                    Where.likeLiteral(f.commitPrefix()) + "%");
        }
        return where;
    }

    static Cursor cursor(Run r) {
        return new Cursor(r.sortAt(), r.id());
    }

    private static Map<UUID, Run> byId(RowSet<Row> rows) {
        Map<UUID, Run> result = new HashMap<>();
        for (Row row : rows) {
            Run r = map(row);
            result.put(r.id(), r);
        }
        return result;
    }

    private static Map<UUID, List<Run>> grouped(RowSet<Row> rows) {
        Map<UUID, List<Run>> result = new HashMap<>();
        for (Row row : rows) {
            result.computeIfAbsent(row.getUUID("parent"), k -> new ArrayList<>()).add(map(row));
        }
        return result;
    }

    private static List<Run> list(RowSet<Row> rows) {
        List<Run> result = new ArrayList<>(rows.size());
        rows.forEach(row -> result.add(map(row)));
        return result;
    }

    static Run map(Row row) {
        return new Run(row.getUUID("id"), row.getString("namespace"), row.getString("name"), row.getString("external_id"),
                row.getString("pipeline"), RunStatus.valueOf(row.getString("status")), row.getOffsetDateTime("status_at"),
                row.getOffsetDateTime("started_at"), row.getOffsetDateTime("ended_at"), row.getString("run_user"),
                Rows.jsonObject(row, "params"), Rows.jsonObject(row, "metrics"), row.getUUID("code_version_id"),
                row.getUUID("parent_id"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }
}
