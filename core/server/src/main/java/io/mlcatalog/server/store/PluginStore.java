package io.mlcatalog.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.db.Db;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checkpoints and status of plugin instances. */
public final class PluginStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Db db;

    public PluginStore(Db db) {
        this.db = db;
    }

    /**
     * An instance's status as stored, with its backlog in the intake queue.
     *
     * @param queued         requests accepted and stored, whose records are not written yet
     * @param oldestQueuedAt when the oldest of them was received, or null
     */
    public record Status(String instance, String type, String status, OffsetDateTime lastSuccessAt, String lastError,
                         OffsetDateTime lastErrorAt, long recordsWritten, long recordsRejected, long queued, OffsetDateTime oldestQueuedAt,
                         String polledBy) {
    }

    /** Every committed offset of an instance, by partition. */
    public Future<Map<Map<String, String>, Map<String, String>>> checkpoints(String instance) {
        return db.query("select partition, \"offset\" from plugin_checkpoint where instance = $1 order by partition_key",
                Tuple.of(instance)).map(rows -> {
            Map<Map<String, String>, Map<String, String>> result = new LinkedHashMap<>();
            for (Row row : rows) {
                result.put(strings(row.getJsonObject("partition")), strings(row.getJsonObject("offset")));
            }
            return result;
        });
    }

    /** Commits offsets, in the transaction of the records they cover. */
    public Future<Void> saveCheckpoints(SqlClient tx, String instance, Map<Map<String, String>, Map<String, String>> offsets) {
        if (offsets.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>();
        offsets.forEach((partition, offset) -> batch.add(Tuple.of(instance, key(partition), new JsonObject(new TreeMap<>(partition)),
                new JsonObject(new TreeMap<>(offset)))));
        return db.batch(tx, """
                insert into plugin_checkpoint (instance, partition_key, partition, "offset", updated_at)
                values ($1, $2, $3, $4, now())
                on conflict (instance, partition_key) do update set "offset" = excluded."offset", updated_at = excluded.updated_at
                where plugin_checkpoint."offset" is distinct from excluded."offset"
                """, batch).mapEmpty();
    }

    /** Forgets an instance's offsets: its next poll starts from the beginning. */
    public Future<Void> resetCheckpoints(String instance) {
        return db.query("delete from plugin_checkpoint where instance = $1", Tuple.of(instance)).mapEmpty();
    }

    /**
     * Records an instance as starting on node {@code node}, unless another node polls it now (it holds the source's
     * lease): then its status is that node's, and a node joining does not make it read as never polled.
     */
    public Future<Void> starting(String instance, String type, String node) {
        return db.query("""
                insert into plugin_status (instance, type, status, updated_at) values ($1, $2, 'STARTING', now())
                on conflict (instance) do update set type = excluded.type, status = 'STARTING', updated_at = now()
                where not exists (select 1 from source_lease l where l.instance = $1 and l.holder <> $3 and l.expires_at > now())
                """, Tuple.of(instance, type, node)).mapEmpty();
    }

    /**
     * Records a successful poll or request, in its transaction: its counts go to this connection's slot
     * (V23__plugin_counters.sql), so concurrent writers of one instance update different rows and do not wait on each other
     * until their commits; the status row is written only when it changes (a status other than OK, or a rejection to
     * show).
     */
    public Future<Void> succeeded(SqlClient tx, String instance, long written, long rejected, String rejection) {
        return db.query(tx, """
                with status as (
                    update plugin_status set status = 'OK', last_error = coalesce($4, last_error),
                           last_error_at = case when $4::text is null then last_error_at else now() end, updated_at = now()
                    where instance = $1 and (status <> 'OK' or $4::text is not null)
                )
                insert into plugin_counter as c (instance, slot, records_written, records_rejected, last_success_at)
                select $1::text, (pg_backend_pid() % 64)::smallint, $2::bigint, $3::bigint, now()
                where exists (select 1 from plugin_status s where s.instance = $1)
                on conflict (instance, slot) do update set records_written = c.records_written + excluded.records_written,
                       records_rejected = c.records_rejected + excluded.records_rejected,
                       last_success_at = greatest(c.last_success_at, excluded.last_success_at)
                """, Tuple.of(instance, written, rejected, rejection)).mapEmpty();
    }

    /** Records what a successful poll could not read, as the instance's last error; its status stays as it is. */
    public Future<Void> noted(String instance, String problem) {
        return db.query("""
                update plugin_status set last_error = $2, last_error_at = now(), updated_at = now()
                where instance = $1
                """, Tuple.of(instance, problem)).mapEmpty();
    }

    /** Records a failure (outside any transaction: the failed one was rolled back). */
    public Future<Void> failed(String instance, String error, long rejected) {
        return db.query("""
                with status as (
                    update plugin_status set status = 'FAILING', last_error = $2, last_error_at = now(), updated_at = now()
                    where instance = $1
                    returning instance
                )
                insert into plugin_counter as c (instance, slot, records_rejected)
                select instance, (pg_backend_pid() % 64)::smallint, $3::bigint from status where $3::bigint > 0
                on conflict (instance, slot) do update set records_rejected = c.records_rejected + excluded.records_rejected
                """, Tuple.of(instance, error, rejected)).mapEmpty();
    }

    public Future<Void> disabled(String instance, String type) {
        return db.query("""
                insert into plugin_status (instance, type, status, updated_at) values ($1, $2, 'DISABLED', now())
                on conflict (instance) do update set type = excluded.type, status = 'DISABLED', updated_at = now()
                """, Tuple.of(instance, type)).mapEmpty();
    }

    /** A committed offset, for status displays. */
    public record Checkpoint(Map<String, String> partition, Map<String, String> offset) {
    }

    public Future<Map<String, List<Checkpoint>>> checkpointsOf(java.util.Collection<String> instances) {
        return db.query("""
                select instance, partition, "offset" from plugin_checkpoint where instance = any($1) order by instance, partition_key
                """, Tuple.of((Object) instances.toArray(String[]::new))).map(rows -> {
            Map<String, List<Checkpoint>> result = new LinkedHashMap<>();
            for (Row row : rows) {
                result.computeIfAbsent(row.getString("instance"), k -> new ArrayList<>())
                        .add(new Checkpoint(strings(row.getJsonObject("partition")), strings(row.getJsonObject("offset"))));
            }
            return result;
        });
    }

    public Future<List<Status>> statuses() {
        return db.query("""
                select s.instance, s.type, s.status, c.last_success_at, s.last_error, s.last_error_at,
                       coalesce(c.records_written, 0) as records_written, coalesce(c.records_rejected, 0) as records_rejected,
                       coalesce(q.queued, 0) as queued, q.oldest as oldest_queued_at, l.holder as polled_by
                from plugin_status s
                left join (select instance, sum(records_written)::bigint as records_written, sum(records_rejected)::bigint as records_rejected,
                                  max(last_success_at) as last_success_at
                           from plugin_counter group by instance) c on c.instance = s.instance
                left join source_lease l on l.instance = s.instance and l.expires_at > now()
                left join (select instance, count(*) as queued, min(received_at) as oldest from intake_queue where refused is null
                           group by instance) q on q.instance = s.instance
                order by s.instance
                """, Tuple.tuple()).map(rows -> {
            List<Status> result = new ArrayList<>();
            for (Row r : rows) {
                result.add(new Status(r.getString("instance"), r.getString("type"), r.getString("status"),
                        r.getOffsetDateTime("last_success_at"), r.getString("last_error"), r.getOffsetDateTime("last_error_at"),
                        r.getLong("records_written"), r.getLong("records_rejected"), r.getLong("queued"), r.getOffsetDateTime("oldest_queued_at"),
                        r.getString("polled_by")));
            }
            return result;
        });
    }

    /** Forgets instances that are no longer configured, so status shows only what runs. */
    public Future<Void> retainOnly(List<String> instances) {
        return db.query("""
                with counters as (delete from plugin_counter where not (instance = any($1)))
                delete from plugin_status where not (instance = any($1))
                """, Tuple.of((Object) instances.toArray(String[]::new))).mapEmpty();
    }

    /** A partition as canonical JSON (sorted keys), the text key of its row. */
    static String key(Map<String, String> partition) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(partition));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Map<String, String> strings(JsonObject o) {
        Map<String, String> m = new LinkedHashMap<>();
        o.forEach(e -> m.put(e.getKey(), e.getValue() == null ? null : e.getValue().toString()));
        return m;
    }
}
