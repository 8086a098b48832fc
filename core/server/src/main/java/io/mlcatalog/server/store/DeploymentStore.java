package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** All SQL about deployments. */
public final class DeploymentStore {
    static final String COLUMNS = """
            d.id, d.namespace, d.environment, d.target, d.model_version_id, d.status, d.traffic_percent, d.replicas, \
            d.config, d.deployed_by, d.started_at, d.ended_at""";

    private final Db db;

    public DeploymentStore(Db db) {
        this.db = db;
    }

    public Future<Boolean> insertIfAbsent(SqlClient tx, Deployment d) {
        return db.query(tx, """
                insert into deployment (id, namespace, environment, target, model_version_id, status, traffic_percent, replicas,
                                        config, deployed_by, started_at, ended_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                on conflict do nothing returning id
                """, Tuple.of(d.id(), d.namespace(), d.environment(), d.target(), d.modelVersionId(), d.status().name(),
                d.trafficPercent(), d.replicas(), d.config() == null ? null : new JsonObject(d.config()), d.deployedBy(),
                d.startedAt(), d.endedAt())).map(rows -> rows.size() == 1);
    }

    public Future<Deployment> lock(SqlClient tx, UUID id) {
        return db.query(tx, "select " + COLUMNS + " from deployment d where d.id = $1 for update", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    public Future<Void> update(SqlClient tx, Deployment d) {
        return db.query(tx, """
                update deployment set status = $2, traffic_percent = $3, replicas = $4, config = $5, deployed_by = $6, ended_at = $7
                where id = $1
                """, Tuple.of(d.id(), d.status().name(), d.trafficPercent(), d.replicas(),
                d.config() == null ? null : new JsonObject(d.config()), d.deployedBy(), d.endedAt())).mapEmpty();
    }

    /**
     * The deployments on the target that a deployment starting at {@code at} can concern, oldest first,
     * locked: those still serving then or later, and those starting at or after it (the history before is
     * left alone, so a busy target's start does not grow with its past).
     */
    public Future<List<Deployment>> lockTarget(SqlClient tx, String namespace, String environment, String target, OffsetDateTime at) {
        return db.query(tx, """
                select %s from deployment d where d.namespace = $1 and d.environment = $2 and d.target = $3
                  and (d.ended_at is null or d.ended_at > $4 or d.started_at >= $4)
                order by d.started_at, d.id for update
                """.formatted(COLUMNS), Tuple.of(namespace, environment, target, at)).map(DeploymentStore::list);
    }

    public Future<Map<UUID, Deployment>> byIds(Collection<UUID> ids) {
        return db.query("select " + COLUMNS + " from deployment d where d.id = any($1)", Tuple.of(Rows.uuids(ids))).map(rows -> {
            Map<UUID, Deployment> result = new HashMap<>();
            for (Row row : rows) {
                Deployment d = map(row);
                result.put(d.id(), d);
            }
            return result;
        });
    }

    public Future<Page<Deployment>> page(DeploymentFilter filter, PageArgs page) {
        Where where = where(filter).after("d.started_at", "d.id", page.after());
        String sql = "select " + COLUMNS + " from deployment d " + where.sql()
                + " order by d.started_at desc, d.id desc limit " + where.next(page.first() + 1);
        return db.query(sql, where.tuple()).map(rows -> Page.of(list(rows), page.first(), DeploymentStore::cursor));
    }

    /** A page of deployments with the versions they deploy and those versions' models. */
    public record PageWithVersions(Page<Deployment> page, Map<UUID, ModelVersion> versions, Map<UUID, Model> models) {
    }

    /**
     * As {@link #page}, with each deployment's version and its model read by the same statement: for a client that
     * asks for them (a dashboard of what is deployed names the model and version), one round trip instead of two.
     * The page is chosen first, as {@link #page} chooses it; then its rows' versions and models, by primary key.
     */
    public Future<PageWithVersions> pageWithVersions(DeploymentFilter filter, PageArgs page) {
        Where where = where(filter, true).after("d.started_at", "d.id", page.after());
        // Deployments active at an instant, a dashboard's question asked again and again with another instant: its
        // instant and limit are read through scalar subqueries, which the planner cannot see into, so that a plan made
        // for the values at hand (a custom plan) is estimated as the plan made once for any values (a generic plan),
        // and PostgreSQL keeps the generic one after its first five executions on a connection instead of planning
        // the statement again each time (0.3 to 0.6 ms, more than it takes to run; the plan is the same index scan
        // of deployment_by_time either way). The session's plan_cache_mode is left alone: other statements need
        // their custom plans. DeploymentPlanIT checks that the generic plan is used.
        String limit = filter.activeAt() != null ? "(select " + where.next(page.first() + 1) + "::int)" : where.next(page.first() + 1);
        // positional columns: the deployment's 12, the version's 9 (from 12), the version's model's 4 (from 21)
        String sql = "select d.*, " + ModelStore.VERSION_COLUMNS + ", m.namespace, m.name, m.description, m.created_at from (select "
                + COLUMNS + " from deployment d " + where.sql() + " order by d.started_at desc, d.id desc limit "
                + limit + ") d join model_version v on v.id = d.model_version_id join model m on m.id = v.model_id"
                + " order by d.started_at desc, d.id desc";
        return db.query(sql, where.tuple()).map(rows -> {
            List<Deployment> list = new ArrayList<>(rows.size());
            Map<UUID, ModelVersion> versions = new HashMap<>();
            Map<UUID, Model> models = new HashMap<>();
            for (Row row : rows) {
                list.add(mapAt(row));
                ModelVersion v = ModelStore.mapVersionAt(row, 12);
                versions.putIfAbsent(v.id(), v);
                models.computeIfAbsent(v.modelId(), id -> ModelStore.mapModelAt(row, id, 21));
            }
            return new PageWithVersions(Page.of(list, page.first(), DeploymentStore::cursor), versions, models);
        });
    }

    public Future<Integer> count(DeploymentFilter filter) {
        Where where = where(filter);
        return db.query("select count(*) from deployment d " + where.sql(), where.tuple())
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** Deployments of each model version, a page per version; with {@code page.at()} only those active then. */
    public Future<Map<UUID, Page<Deployment>>> ofVersions(Collection<UUID> versionIds, PageArgs page) {
        return db.query("""
                select p.parent, d.* from unnest($1::uuid[]) as p(parent)
                cross join lateral (
                    select %s from deployment d
                    where d.model_version_id = p.parent
                      and ($2::timestamptz is null or (d.started_at, d.id) < ($2, $3))
                      and ($5::timestamptz is null or (d.started_at <= $5 and (d.ended_at is null or d.ended_at > $5)))
                    order by d.started_at desc, d.id desc limit $4) d
                """.formatted(COLUMNS), Tuple.of(Rows.uuids(versionIds), page.afterAt(), page.afterId(), page.first() + 1, page.at()))
                .map(rows -> {
                    Map<UUID, List<Deployment>> grouped = new HashMap<>();
                    for (Row row : rows) {
                        grouped.computeIfAbsent(row.getUUID("parent"), k -> new ArrayList<>()).add(map(row));
                    }
                    Map<UUID, Page<Deployment>> result = new HashMap<>();
                    for (UUID id : versionIds) {
                        result.put(id, Page.of(grouped.getOrDefault(id, List.of()), page.first(), DeploymentStore::cursor));
                    }
                    return result;
                });
    }

    public Future<Map<UUID, Integer>> countOfVersions(Collection<UUID> versionIds, OffsetDateTime activeAt) {
        return db.query("""
                select p.parent, (select count(*) from deployment d where d.model_version_id = p.parent
                    and ($2::timestamptz is null or (d.started_at <= $2 and (d.ended_at is null or d.ended_at > $2))))
                from unnest($1::uuid[]) as p(parent)
                """, Tuple.of(Rows.uuids(versionIds), activeAt)).map(rows -> {
            Map<UUID, Integer> result = new HashMap<>();
            rows.forEach(r -> result.put(r.getUUID(0), r.getLong(1).intValue()));
            return result;
        });
    }

    /**
     * The deployments serving a target at an instant, the main one first: one taking all the traffic
     * (no share, or 100%), else the largest share; the latest started among equals.
     */
    public Future<List<Deployment>> activeOn(String namespace, String environment, String target, OffsetDateTime at) {
        return db.query("""
                select %s from deployment d
                where d.environment = $1 and d.target = $2 and ($3::text is null or d.namespace = $3)
                  and d.started_at <= $4 and (d.ended_at is null or d.ended_at > $4)
                order by (d.traffic_percent is null or d.traffic_percent >= 100) desc, d.traffic_percent desc nulls first,
                         d.started_at desc, d.id
                """.formatted(COLUMNS), Tuple.of(environment, target, namespace, at)).map(DeploymentStore::list);
    }

    /** The deployments of these versions active at an instant. */
    public Future<List<Deployment>> activeOfVersions(java.util.Collection<UUID> versionIds, OffsetDateTime at) {
        return db.query("""
                select %s from deployment d
                where d.model_version_id = any($1) and d.started_at <= $2 and (d.ended_at is null or d.ended_at > $2)
                order by d.environment, d.target, d.started_at desc
                """.formatted(COLUMNS), Tuple.of(Rows.uuids(versionIds), at)).map(DeploymentStore::list);
    }

    private static Where where(DeploymentFilter f) {
        return where(f, false);
    }

    /** With {@code opaqueInstant}, the instant of {@code activeAt} is read through scalar subqueries (see {@link #pageWithVersions}). */
    private static Where where(DeploymentFilter f, boolean opaqueInstant) {
        Where where = new Where();
        if (f.namespace() != null) {
            where.and("d.namespace = ?", f.namespace());
        }
        if (f.readable() != null) {
            where.and("d.namespace = any(?)", (Object) f.readable());
        }
        if (f.environment() != null) {
            where.and("d.environment = ?", f.environment());
        }
        if (f.target() != null) {
            where.and("d.target = ?", f.target());
        }
        if (f.model() != null) {
            where.and("d.model_version_id in (select v.id from model_version v join model m on m.id = v.model_id where m.name = ?)",
                    f.model());
        }
        if (f.activeAt() != null && opaqueInstant) {
            where.and("d.started_at <= (select ?::timestamptz) and (d.ended_at is null or d.ended_at > (select ?::timestamptz))",
                    f.activeAt(), f.activeAt());
        } else if (f.activeAt() != null) {
            where.and("d.started_at <= ? and (d.ended_at is null or d.ended_at > ?)", f.activeAt(), f.activeAt());
        }
        if (f.statuses() != null && !f.statuses().isEmpty()) {
            where.and("d.status = any(?)", (Object) f.statuses().stream().map(DeploymentStatus::name).toArray(String[]::new));
        }
        return where;
    }

    static Cursor cursor(Deployment d) {
        return new Cursor(d.startedAt(), d.id());
    }

    private static List<Deployment> list(RowSet<Row> rows) {
        List<Deployment> result = new ArrayList<>(rows.size());
        rows.forEach(row -> result.add(map(row)));
        return result;
    }

    /** A deployment from the columns of {@link #COLUMNS} at their places, for a join whose names repeat. */
    private static Deployment mapAt(Row row) {
        Object config = row.getValue(8);
        @SuppressWarnings("unchecked")
        Map<String, Object> plainConfig = config == null ? null : (Map<String, Object>) Rows.plain(config);
        return new Deployment(row.getUUID(0), row.getString(1), row.getString(2), row.getString(3), row.getUUID(4),
                DeploymentStatus.valueOf(row.getString(5)), row.getDouble(6), row.getInteger(7), plainConfig, row.getString(9),
                row.getOffsetDateTime(10), row.getOffsetDateTime(11));
    }

    static Deployment map(Row row) {
        return new Deployment(row.getUUID("id"), row.getString("namespace"), row.getString("environment"), row.getString("target"),
                row.getUUID("model_version_id"), DeploymentStatus.valueOf(row.getString("status")), row.getDouble("traffic_percent"),
                row.getInteger("replicas"), Rows.jsonObject(row, "config"), row.getString("deployed_by"),
                row.getOffsetDateTime("started_at"), row.getOffsetDateTime("ended_at"));
    }
}
