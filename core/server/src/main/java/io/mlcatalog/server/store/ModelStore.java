package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Alias;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.ModelVersionStatus;
import io.vertx.core.Future;
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

/** All SQL about models and model versions. */
public final class ModelStore {
    static final String MODEL_COLUMNS = "m.id, m.namespace, m.name, m.description, m.created_at";
    static final String VERSION_COLUMNS = """
            v.id, v.model_id, v.version, v.version_number, v.status, v.description, v.artifact_id, v.run_id, v.created_at""";

    private final Db db;

    public ModelStore(Db db) {
        this.db = db;
    }

    // ------------------------------------------------------------------ models

    public Future<Boolean> insertIfAbsent(SqlClient tx, Model m) {
        return db.query(tx, """
                insert into model (id, namespace, name, description, created_at) values ($1, $2, $3, $4, $5)
                on conflict do nothing returning id
                """, Tuple.of(m.id(), m.namespace(), m.name(), m.description(), m.createdAt())).map(rows -> rows.size() == 1);
    }

    /** The model, locked until the transaction ends (this also serializes numbering its versions), or null. */
    public Future<Model> lock(SqlClient tx, UUID id) {
        return db.query(tx, "select " + MODEL_COLUMNS + " from model m where m.id = $1 for update", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : mapModel(rows.iterator().next()));
    }

    public Future<Void> update(SqlClient tx, Model m) {
        return db.query(tx, "update model set description = $2, created_at = $3 where id = $1",
                Tuple.of(m.id(), m.description(), m.createdAt())).mapEmpty();
    }

    public Future<Map<UUID, Model>> byIds(Collection<UUID> ids) {
        return db.query("select " + MODEL_COLUMNS + " from model m where m.id = any($1)", Tuple.of(Rows.uuids(ids))).map(rows -> {
            Map<UUID, Model> result = new HashMap<>();
            for (Row row : rows) {
                Model m = mapModel(row);
                result.put(m.id(), m);
            }
            return result;
        });
    }

    /** Models of that name, in the namespace when one is given (several when the name is ambiguous). */
    public Future<List<Model>> findByName(String namespace, String name) {
        return findByName(null, namespace, name);
    }

    /**
     * Models of that name, as {@link #findByName(String, String)} finds them, each with the page of its versions (when
     * {@code versions} is not null, as {@link #versionsOfModels} reads it) and its aliases at {@code aliasesAt} (when not
     * null, as {@link AliasStore#ofModelsWithVersions} reads them, with the versions they name and those versions'
     * models): for a client that asks for a model with its versions and aliases, one round trip instead of three.
     */
    public record WithChildren(List<Model> models, Map<UUID, Page<ModelVersion>> versions, Map<UUID, List<Alias>> aliases,
                               Map<UUID, ModelVersion> aliasVersions, Map<UUID, Model> aliasModels) {
    }

    /** See {@link WithChildren}; at least one of {@code versions} and {@code aliasesAt} is given. */
    public Future<WithChildren> findByNameWithChildren(String namespace, String name, PageArgs versions, OffsetDateTime aliasesAt) {
        Where where = new Where().and("m.name = ?", name);
        if (namespace != null) {
            where.and("m.namespace = ?", namespace);
        }
        // positional columns: the model's 5; the kind of row (1 a version of the page, 2 an alias; null when the model
        // has neither) at 5; a version's 9 from 6 (the page's, or the one an alias names); an alias's 6 from 15; the
        // model of the alias's version, 4 from 21. The two kinds of rows come from one UNION ALL, each row's other
        // columns null, so that the model's row is not repeated for every pair of a version and an alias.
        StringBuilder sql = new StringBuilder("select m.*, x.* from (select ").append(MODEL_COLUMNS).append(" from model m ")
                .append(where.sql()).append(" order by m.namespace limit 10) m left join lateral (");
        if (versions != null) {
            sql.append("(select 1 as kind, ").append(VERSION_COLUMNS).append(", null::uuid, null::text as alias_name, null::uuid,")
                    .append(" null::timestamptz, null::timestamptz, null::text, null::text, null::text, null::text, null::timestamptz")
                    .append(" from model_version v where v.model_id = m.id");
            if (versions.after() != null) {
                sql.append(" and (v.created_at, v.id) < (").append(where.next(versions.afterAt())).append(", ")
                        .append(where.next(versions.afterId())).append(")");
            }
            sql.append(" order by v.created_at desc, v.id desc limit ").append(where.next(versions.first() + 1)).append(")");
        }
        if (aliasesAt != null) {
            if (versions != null) {
                sql.append(" union all ");
            }
            String at = where.next(aliasesAt);
            sql.append("(select 2 as kind, ").append(VERSION_COLUMNS).append(", a.model_id, a.name as alias_name, a.model_version_id,")
                    .append(" a.since, a.until, a.set_by, vm.namespace as vm_namespace, vm.name as vm_name, vm.description as vm_description,")
                    .append(" vm.created_at as vm_created_at from alias a")
                    .append(" join model_version v on v.id = a.model_version_id join model vm on vm.id = v.model_id")
                    .append(" where a.model_id = m.id and a.since <= ").append(at).append(" and (a.until is null or a.until > ")
                    .append(at).append("))");
        }
        // a model's versions newest first, then its aliases by name, as the two statements this replaces order them
        sql.append(") x on true order by m.namespace, m.id, x.kind, x.alias_name, x.created_at desc, x.id desc");
        return db.query(sql.toString(), where.tuple()).map(rows -> {
            Map<UUID, Model> models = new java.util.LinkedHashMap<>();
            Map<UUID, List<ModelVersion>> pages = new HashMap<>();
            Map<UUID, List<Alias>> aliases = new HashMap<>();
            Map<UUID, ModelVersion> aliasVersions = new HashMap<>();
            Map<UUID, Model> aliasModels = new HashMap<>();
            for (Row row : rows) {
                Model m = models.computeIfAbsent(row.getUUID(0), id -> mapModelAt(row, id, 1));
                Integer kind = row.getInteger(5);
                if (kind == null) {
                    continue;
                }
                ModelVersion v = mapVersionAt(row, 6);
                if (kind == 1) {
                    pages.computeIfAbsent(m.id(), k -> new ArrayList<>()).add(v);
                } else {
                    aliases.computeIfAbsent(m.id(), k -> new ArrayList<>()).add(new Alias(row.getUUID(15), row.getString(16),
                            row.getUUID(17), row.getOffsetDateTime(18), row.getOffsetDateTime(19), row.getString(20)));
                    aliasVersions.putIfAbsent(v.id(), v);
                    aliasModels.computeIfAbsent(v.modelId(), id -> mapModelAt(row, id, 21));
                }
            }
            Map<UUID, Page<ModelVersion>> versionPages = new HashMap<>();
            if (versions != null) {
                models.keySet().forEach(id -> versionPages.put(id,
                        Page.of(pages.getOrDefault(id, List.of()), versions.first(), ModelStore::cursor)));
            }
            if (aliasesAt != null) {
                models.keySet().forEach(id -> aliases.putIfAbsent(id, List.of()));
            }
            return new WithChildren(List.copyOf(models.values()), versionPages, aliases, aliasVersions, aliasModels);
        });
    }

    /** As {@link #findByName(String, String)}, in a transaction when {@code client} is one (null: any connection). */
    public Future<List<Model>> findByName(SqlClient client, String namespace, String name) {
        Where where = new Where().and("m.name = ?", name);
        if (namespace != null) {
            where.and("m.namespace = ?", namespace);
        }
        String sql = "select " + MODEL_COLUMNS + " from model m " + where.sql() + " order by m.namespace limit 10";
        return (client == null ? db.query(sql, where.tuple()) : db.query(client, sql, where.tuple())).map(rows -> {
            List<Model> result = new ArrayList<>();
            rows.forEach(r -> result.add(mapModel(r)));
            return result;
        });
    }

    public Future<Page<Model>> page(ModelFilter filter, PageArgs page) {
        Where where = where(filter).after("m.created_at", "m.id", page.after());
        String sql = "select " + MODEL_COLUMNS + " from model m " + where.sql()
                + " order by m.created_at desc, m.id desc limit " + where.next(page.first() + 1);
        return db.query(sql, where.tuple()).map(rows -> {
            List<Model> list = new ArrayList<>();
            rows.forEach(r -> list.add(mapModel(r)));
            return Page.of(list, page.first(), m -> new Cursor(m.createdAt(), m.id()));
        });
    }

    public Future<Integer> count(ModelFilter filter) {
        Where where = where(filter);
        return db.query("select count(*) from model m " + where.sql(), where.tuple())
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    private static Where where(ModelFilter f) {
        Where where = new Where();
        if (f.namespace() != null) {
            where.and("m.namespace = ?", f.namespace());
        }
        if (f.readable() != null) {
            where.and("m.namespace = any(?)", (Object) f.readable());
        }
        if (f.nameContains() != null) {
            where.and("m.name ilike ?", "%" + Where.likeLiteral(f.nameContains()) + "%");
        }
        if (f.tagKey() != null) {
            if (f.tagValue() != null) {
                where.and("exists (select 1 from tag t where t.entity_id = m.id and t.key = ? and t.value = ?)", f.tagKey(), f.tagValue());
            } else {
                where.and("exists (select 1 from tag t where t.entity_id = m.id and t.key = ?)", f.tagKey());
            }
        }
        return where;
    }

    // ------------------------------------------------------------------ versions

    public Future<Boolean> insertVersionIfAbsent(SqlClient tx, ModelVersion v) {
        return db.query(tx, """
                insert into model_version (id, model_id, version, version_number, status, description, artifact_id, run_id, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                on conflict do nothing returning id
                """, Tuple.of(v.id(), v.modelId(), v.version(), v.versionNumber(), v.status().name(), v.description(),
                v.artifactId(), v.runId(), v.createdAt())).map(rows -> rows.size() == 1);
    }

    public Future<ModelVersion> lockVersion(SqlClient tx, UUID id) {
        return db.query(tx, "select " + VERSION_COLUMNS + " from model_version v where v.id = $1 for update", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : mapVersion(rows.iterator().next()));
    }

    public Future<Void> updateVersion(SqlClient tx, ModelVersion v) {
        return db.query(tx, """
                update model_version set status = $2, description = $3, artifact_id = $4, run_id = $5, created_at = $6
                where id = $1
                """, Tuple.of(v.id(), v.status().name(), v.description(), v.artifactId(), v.runId(), v.createdAt())).mapEmpty();
    }

    /** The highest plain-number version of the model plus one (1 for the first). Call with the model locked. */
    public Future<Integer> nextVersionNumber(SqlClient tx, UUID modelId) {
        return db.query(tx, "select coalesce(max(version_number), 0) + 1 from model_version where model_id = $1", Tuple.of(modelId))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** An existing version of the model registered from exactly this artifact and run, or null. */
    public Future<ModelVersion> findVersionBySource(SqlClient tx, UUID modelId, UUID artifactId, UUID runId) {
        return db.query(tx, """
                select %s from model_version v
                where v.model_id = $1 and v.artifact_id is not distinct from $2 and v.run_id is not distinct from $3
                order by v.created_at limit 1
                """.formatted(VERSION_COLUMNS), Tuple.of(modelId, artifactId, runId))
                .map(rows -> rows.size() == 0 ? null : mapVersion(rows.iterator().next()));
    }

    /**
     * The version of a model of the namespace ({@code modelName}'s, when given) registered from an artifact with
     * this URI and/or digest (at least one given): the newest registered by {@code at}, else the first registered
     * after it; null when there is none.
     */
    public Future<ModelVersion> versionByArtifact(SqlClient tx, String namespace, String modelName, String uri, String digest,
                                                  java.time.OffsetDateTime at) {
        return db.query(tx, """
                select %s from model_version v
                join model m on m.id = v.model_id
                join artifact a on a.id = v.artifact_id
                where m.namespace = $1 and ($2::text is null or m.name = $2)
                  and ($3::text is null or a.uri = $3) and ($4::text is null or a.digest = $4)
                order by v.created_at <= $5 desc,
                         case when v.created_at <= $5 then v.created_at end desc,
                         v.created_at, v.id
                limit 1
                """.formatted(VERSION_COLUMNS), Tuple.of(namespace, modelName, uri, digest, at))
                .map(rows -> rows.size() == 0 ? null : mapVersion(rows.iterator().next()));
    }

    public Future<Map<UUID, ModelVersion>> versionsByIds(Collection<UUID> ids) {
        return db.query("select " + VERSION_COLUMNS + " from model_version v where v.id = any($1)", Tuple.of(Rows.uuids(ids)))
                .map(rows -> {
                    Map<UUID, ModelVersion> result = new HashMap<>();
                    for (Row row : rows) {
                        ModelVersion v = mapVersion(row);
                        result.put(v.id(), v);
                    }
                    return result;
                });
    }

    /**
     * Versions with the model each belongs to, read in one statement: whoever loads a version usually asks for its model
     * next (a deployment's version and its model's name), and access control needs the model's namespace to tell
     * whether the version may be seen.
     */
    public record WithModels<T>(T versions, Map<UUID, Model> models) {
    }

    /** The joined model's columns, after {@link #VERSION_COLUMNS} (see {@link #mapJoinedModel}). */
    private static final String JOINED_MODEL_COLUMNS = "m.namespace as m_namespace, m.name as m_name, m.description as m_description, "
            + "m.created_at as m_created_at";

    /** As {@link #versionsByIds}, with their models. */
    public Future<WithModels<Map<UUID, ModelVersion>>> versionsWithModelsByIds(Collection<UUID> ids) {
        return db.query("select " + VERSION_COLUMNS + ", " + JOINED_MODEL_COLUMNS
                        + " from model_version v join model m on m.id = v.model_id where v.id = any($1)", Tuple.of(Rows.uuids(ids)))
                .map(rows -> {
                    Map<UUID, ModelVersion> result = new HashMap<>();
                    Map<UUID, Model> models = new HashMap<>();
                    for (Row row : rows) {
                        ModelVersion v = mapVersion(row);
                        result.put(v.id(), v);
                        models.computeIfAbsent(v.modelId(), id -> mapJoinedModel(row, id));
                    }
                    return new WithModels<>(result, models);
                });
    }

    /** SQL of {@link #versionsWithModelsOfRuns}, formatted once. */
    private static final String VERSIONS_WITH_MODELS_OF_RUNS = """
            select v.run_id as parent, %s, %s from model_version v join model m on m.id = v.model_id
            where v.run_id = any($1) order by v.created_at desc, v.id desc
            """.formatted(VERSION_COLUMNS, JOINED_MODEL_COLUMNS);

    /** The versions registered from each run, newest first, with their models. */
    public Future<WithModels<Map<UUID, List<ModelVersion>>>> versionsWithModelsOfRuns(Collection<UUID> runIds) {
        return db.query(VERSIONS_WITH_MODELS_OF_RUNS, Tuple.of(Rows.uuids(runIds))).map(ModelStore::groupedWithModels);
    }

    /** SQL of {@link #versionsWithModelsOfArtifacts}, formatted once. */
    private static final String VERSIONS_WITH_MODELS_OF_ARTIFACTS = """
            select v.artifact_id as parent, %s, %s from model_version v join model m on m.id = v.model_id
            where v.artifact_id = any($1) order by v.created_at desc, v.id desc
            """.formatted(VERSION_COLUMNS, JOINED_MODEL_COLUMNS);

    /** The versions registered from each artifact, newest first, with their models. */
    public Future<WithModels<Map<UUID, List<ModelVersion>>>> versionsWithModelsOfArtifacts(Collection<UUID> artifactIds) {
        return db.query(VERSIONS_WITH_MODELS_OF_ARTIFACTS, Tuple.of(Rows.uuids(artifactIds))).map(ModelStore::groupedWithModels);
    }

    private static WithModels<Map<UUID, List<ModelVersion>>> groupedWithModels(RowSet<Row> rows) {
        Map<UUID, List<ModelVersion>> result = new HashMap<>();
        Map<UUID, Model> models = new HashMap<>();
        for (Row row : rows) {
            ModelVersion v = mapVersion(row);
            result.computeIfAbsent(row.getUUID("parent"), k -> new ArrayList<>()).add(v);
            models.computeIfAbsent(v.modelId(), id -> mapJoinedModel(row, id));
        }
        return new WithModels<>(result, models);
    }

    /** A version from the nine columns of {@link #VERSION_COLUMNS} starting at {@code first}, for a join whose names repeat. */
    static ModelVersion mapVersionAt(Row row, int first) {
        return new ModelVersion(row.getUUID(first), row.getUUID(first + 1), row.getString(first + 2), row.getInteger(first + 3),
                ModelVersionStatus.valueOf(row.getString(first + 4)), row.getString(first + 5), row.getUUID(first + 6),
                row.getUUID(first + 7), row.getOffsetDateTime(first + 8));
    }

    /** A model from the four columns of its namespace, name, description and creation time starting at {@code first}. */
    static Model mapModelAt(Row row, UUID id, int first) {
        return new Model(id, row.getString(first), row.getString(first + 1), row.getString(first + 2), row.getOffsetDateTime(first + 3));
    }

    static Model mapJoinedModel(Row row, UUID modelId) {
        return new Model(modelId, row.getString("m_namespace"), row.getString("m_name"), row.getString("m_description"),
                row.getOffsetDateTime("m_created_at"));
    }

    /** SQL of {@link #versionsOfModels}, formatted once. */
    private static final String VERSIONS_OF_MODELS = """
            select p.parent, v.* from unnest($1::uuid[]) as p(parent)
            cross join lateral (
                select %s from model_version v
                where v.model_id = p.parent and ($2::timestamptz is null or (v.created_at, v.id) < ($2, $3))
                order by v.created_at desc, v.id desc limit $4) v
            """.formatted(VERSION_COLUMNS);

    public Future<Map<UUID, Page<ModelVersion>>> versionsOfModels(Collection<UUID> modelIds, PageArgs page) {
        return db.query(VERSIONS_OF_MODELS, Tuple.of(Rows.uuids(modelIds), page.afterAt(), page.afterId(), page.first() + 1))
                .map(rows -> {
                    Map<UUID, List<ModelVersion>> grouped = grouped(rows);
                    Map<UUID, Page<ModelVersion>> result = new HashMap<>();
                    for (UUID id : modelIds) {
                        result.put(id, Page.of(grouped.getOrDefault(id, List.of()), page.first(), ModelStore::cursor));
                    }
                    return result;
                });
    }

    public Future<Map<UUID, Integer>> countVersionsOfModels(Collection<UUID> modelIds) {
        return db.query("""
                select p.parent, (select count(*) from model_version v where v.model_id = p.parent)
                from unnest($1::uuid[]) as p(parent)
                """, Tuple.of(Rows.uuids(modelIds))).map(rows -> {
            Map<UUID, Integer> result = new HashMap<>();
            rows.forEach(r -> result.put(r.getUUID(0), r.getLong(1).intValue()));
            return result;
        });
    }

    /** A version of the model by its version text, or null. */
    public Future<ModelVersion> version(SqlClient client, UUID modelId, String version) {
        return db.query(client, "select " + VERSION_COLUMNS + " from model_version v where v.model_id = $1 and v.version = $2",
                Tuple.of(modelId, version)).map(rows -> rows.size() == 0 ? null : mapVersion(rows.iterator().next()));
    }

    /** A model's version by its text. */
    public record VersionKey(UUID modelId, String version) {
    }

    public Future<Map<VersionKey, ModelVersion>> versionsByKeys(Collection<VersionKey> keys) {
        UUID[] modelIds = keys.stream().map(VersionKey::modelId).toArray(UUID[]::new);
        String[] versions = keys.stream().map(VersionKey::version).toArray(String[]::new);
        return db.query("""
                select %s from unnest($1::uuid[], $2::text[]) as k(model_id, version)
                join model_version v on v.model_id = k.model_id and v.version = k.version
                """.formatted(VERSION_COLUMNS), Tuple.of(modelIds, (Object) versions)).map(rows -> {
            Map<VersionKey, ModelVersion> result = new HashMap<>();
            for (Row row : rows) {
                ModelVersion v = mapVersion(row);
                result.put(new VersionKey(v.modelId(), v.version()), v);
            }
            return result;
        });
    }

    static Cursor cursor(ModelVersion v) {
        return new Cursor(v.createdAt(), v.id());
    }

    private static Map<UUID, List<ModelVersion>> grouped(RowSet<Row> rows) {
        Map<UUID, List<ModelVersion>> result = new HashMap<>();
        for (Row row : rows) {
            result.computeIfAbsent(row.getUUID("parent"), k -> new ArrayList<>()).add(mapVersion(row));
        }
        return result;
    }

    static Model mapModel(Row row) {
        return new Model(row.getUUID("id"), row.getString("namespace"), row.getString("name"), row.getString("description"),
                row.getOffsetDateTime("created_at"));
    }

    static ModelVersion mapVersion(Row row) {
        return new ModelVersion(row.getUUID("id"), row.getUUID("model_id"), row.getString("version"),
                row.getInteger("version_number"), ModelVersionStatus.valueOf(row.getString("status")), row.getString("description"),
                row.getUUID("artifact_id"), row.getUUID("run_id"), row.getOffsetDateTime("created_at"));
    }
}
