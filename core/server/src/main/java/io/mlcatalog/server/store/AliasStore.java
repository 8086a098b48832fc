package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Alias;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Aliases: the events (assignments and removals, in event time) and the intervals derived from them.
 * Intervals are rebuilt from all of an alias's events on every write, so the result does not depend on
 * the order in which events arrived.
 */
public final class AliasStore {
    private static final String COLUMNS = "a.model_id, a.name, a.model_version_id, a.since, a.until, a.set_by";

    private final Db db;

    public AliasStore(Db db) {
        this.db = db;
    }

    /**
     * Records that at {@code at} the alias was set to {@code versionId} (null: removed).
     *
     * @return true when this changed the recorded events
     */
    public Future<Boolean> recordEvent(SqlClient tx, UUID modelId, String name, OffsetDateTime at, UUID versionId, String setBy) {
        return db.query(tx, """
                insert into alias_event (model_id, name, at, model_version_id, set_by) values ($1, $2, $3, $4, $5)
                on conflict (model_id, name, at) do update set model_version_id = excluded.model_version_id, set_by = excluded.set_by
                where alias_event.model_version_id is distinct from excluded.model_version_id
                returning 1
                """, Tuple.of(modelId, name, at, versionId, setBy)).map(rows -> rows.size() == 1);
    }

    /** True when only a promote grant may move or remove the alias. */
    public Future<Boolean> isProtected(SqlClient tx, UUID modelId, String name) {
        return db.query(tx, "select 1 from protected_alias where model_id = $1 and name = $2", Tuple.of(modelId, name))
                .map(rows -> rows.size() == 1);
    }

    /** Marks the alias protected (it need not point anywhere yet); false when it was already. */
    public Future<Boolean> protect(SqlClient tx, UUID modelId, String name, String by) {
        return db.query(tx, """
                insert into protected_alias (model_id, name, protected_at, protected_by) values ($1, $2, now(), $3)
                on conflict do nothing returning 1
                """, Tuple.of(modelId, name, by)).map(rows -> rows.size() == 1);
    }

    /** Lifts the protection; false when the alias was not protected. */
    public Future<Boolean> unprotect(SqlClient tx, UUID modelId, String name) {
        return db.query(tx, "delete from protected_alias where model_id = $1 and name = $2 returning 1", Tuple.of(modelId, name))
                .map(rows -> rows.size() == 1);
    }

    /** The protected alias names of each model, sorted. */
    public Future<Map<UUID, List<String>>> protectedOf(Collection<UUID> modelIds) {
        return db.query("select model_id, name from protected_alias where model_id = any($1) order by name",
                Tuple.of(modelIds.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, List<String>> result = new HashMap<>();
            rows.forEach(r -> result.computeIfAbsent(r.getUUID(0), k -> new ArrayList<>()).add(r.getString(1)));
            return result;
        });
    }

    /** Rebuilds the alias's intervals from its events: consecutive events naming the same version make one interval. */
    public Future<Void> rebuildIntervals(SqlClient tx, UUID modelId, String name) {
        return db.query(tx, "delete from alias where model_id = $1 and name = $2", Tuple.of(modelId, name))
                .compose(x -> db.query(tx, """
                        with events as (
                            select at, model_version_id, set_by,
                                   lead(at) over (order by at) as next_at,
                                   case when lag(model_version_id) over (order by at) is not distinct from model_version_id
                                             and lag(at) over (order by at) is not null
                                        then 0 else 1 end as starts_island
                            from alias_event where model_id = $1 and name = $2
                        ), islands as (
                            select *, sum(starts_island) over (order by at) as island from events
                        )
                        insert into alias (model_id, name, model_version_id, since, until, set_by)
                        select $1, $2, model_version_id, min(at), (array_agg(next_at order by at desc))[1],
                               (array_agg(set_by order by at))[1]
                        from islands where model_version_id is not null
                        group by island, model_version_id
                        """, Tuple.of(modelId, name)))
                .mapEmpty();
    }

    /** The interval of the alias that contains {@code at}, or null. */
    public Future<Alias> at(SqlClient client, UUID modelId, String name, OffsetDateTime at) {
        return db.query(client, """
                select %s from alias a
                where a.model_id = $1 and a.name = $2 and a.since <= $3 and (a.until is null or a.until > $3)
                """.formatted(COLUMNS), Tuple.of(modelId, name, at))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    /** Aliases with the versions they name and those versions' models (whose namespace tells who may see them). */
    public record WithVersions(Map<UUID, List<Alias>> aliases, Map<UUID, ModelVersion> versions, Map<UUID, Model> models) {
    }

    /** SQL of {@link #ofModelsWithVersions}, formatted once. */
    private static final String OF_MODELS_WITH_VERSIONS = """
            select %s, %s, m.namespace, m.name, m.description, m.created_at from alias a
            join model_version v on v.id = a.model_version_id
            join model m on m.id = v.model_id
            where a.model_id = any($1) and a.since <= $2 and (a.until is null or a.until > $2)
            order by a.name
            """.formatted(COLUMNS, ModelStore.VERSION_COLUMNS);

    /**
     * Each model's aliases as they were at {@code at}, with each alias's version and its model read by the same
     * statement: a client that lists a model's aliases asks for the version each names, and this saves that round trip.
     */
    public Future<WithVersions> ofModelsWithVersions(Collection<UUID> modelIds, OffsetDateTime at) {
        // positional columns: the alias's 6, the version's 9 (from 6), the version's model's 4 (from 15)
        return db.query(OF_MODELS_WITH_VERSIONS, Tuple.of(Rows.uuids(modelIds), at)).map(rows -> {
            Map<UUID, List<Alias>> result = new HashMap<>();
            Map<UUID, ModelVersion> versions = new HashMap<>();
            Map<UUID, Model> models = new HashMap<>();
            for (Row row : rows) {
                Alias a = new Alias(row.getUUID(0), row.getString(1), row.getUUID(2), row.getOffsetDateTime(3), row.getOffsetDateTime(4),
                        row.getString(5));
                result.computeIfAbsent(a.modelId(), k -> new ArrayList<>()).add(a);
                ModelVersion v = ModelStore.mapVersionAt(row, 6);
                versions.putIfAbsent(v.id(), v);
                models.computeIfAbsent(v.modelId(), id -> ModelStore.mapModelAt(row, id, 15));
            }
            return new WithVersions(result, versions, models);
        });
    }

    /** Every interval of each model's aliases, by alias name, then time. */
    public Future<Map<UUID, List<Alias>>> historyOfModels(Collection<UUID> modelIds) {
        return db.query("""
                select %s from alias a where a.model_id = any($1) order by a.name, a.since
                """.formatted(COLUMNS), Tuple.of(Rows.uuids(modelIds))).map(rows -> {
            Map<UUID, List<Alias>> result = new HashMap<>();
            for (Row row : rows) {
                Alias a = map(row);
                result.computeIfAbsent(a.modelId(), k -> new ArrayList<>()).add(a);
            }
            return result;
        });
    }

    /** The alias names each version held at {@code at}. */
    public Future<Map<UUID, List<String>>> namesOfVersions(Collection<UUID> versionIds, OffsetDateTime at) {
        return db.query("""
                select a.model_version_id, a.name from alias a
                where a.model_version_id = any($1) and a.since <= $2 and (a.until is null or a.until > $2)
                order by a.name
                """, Tuple.of(Rows.uuids(versionIds), at)).map(rows -> {
            Map<UUID, List<String>> result = new HashMap<>();
            for (Row row : rows) {
                result.computeIfAbsent(row.getUUID(0), k -> new ArrayList<>()).add(row.getString(1));
            }
            return result;
        });
    }

    static Alias map(Row row) {
        return new Alias(row.getUUID("model_id"), row.getString("name"), row.getUUID("model_version_id"),
                row.getOffsetDateTime("since"), row.getOffsetDateTime("until"), row.getString("set_by"));
    }
}
