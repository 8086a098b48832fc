package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.EdgeKind;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** All SQL about links that wait for their run (V6_1__pending_run_link.sql). */
public final class PendingLinkStore {
    private final Db db;

    public PendingLinkStore(Db db) {
        this.db = db;
    }

    /**
     * A link waiting for its run: by id ({@code runId}) or by external id ({@code runExternalId}, in {@code runNamespace}
     * when not null).
     */
    public record Pending(UUID runId, String runNamespace, String runName, String runExternalId, UUID subjectId, EdgeKind kind,
                          String source, String externalId, OffsetDateTime observedAt) {

        /** One row per subject, kind and run reference: the same link asserted again waits once. */
        public UUID id() {
            String key = "pending\0" + subjectId + "\0" + kind + "\0" + (runId != null ? runId : "ext\0" + runNamespace + "\0" + runExternalId);
            return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    public Future<Void> add(SqlClient tx, Pending p) {
        return db.query(tx, """
                insert into pending_run_link (id, run_id, run_namespace, run_name, run_external_id, subject_id, kind, source,
                                              external_id, observed_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                on conflict (id) do nothing""", Tuple.of(p.id(), p.runId(), p.runNamespace(), p.runName(), p.runExternalId(),
                p.subjectId(), p.kind().name(), p.source(), p.externalId(), p.observedAt())).mapEmpty();
    }

    /** The links waiting for any of these runs (by id) or external ids, locked. */
    public Future<List<Pending>> lockFor(SqlClient tx, Collection<UUID> runIds, Collection<String> externalIds) {
        return db.query(tx, """
                select run_id, run_namespace, run_name, run_external_id, subject_id, kind, source, external_id, observed_at
                from pending_run_link
                where run_id = any($1) or (run_id is null and run_external_id = any($2))
                order by id for update""", Tuple.tuple().addValue(Rows.uuids(runIds)).addValue(externalIds.toArray(String[]::new))).map(rows -> {
            List<Pending> result = new ArrayList<>();
            for (Row r : rows) {
                result.add(new Pending(r.getUUID("run_id"), r.getString("run_namespace"), r.getString("run_name"),
                        r.getString("run_external_id"), r.getUUID("subject_id"), EdgeKind.valueOf(r.getString("kind")),
                        r.getString("source"), r.getString("external_id"), r.getOffsetDateTime("observed_at")));
            }
            return result;
        });
    }

    public Future<Void> remove(SqlClient tx, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture();
        }
        return db.query(tx, "delete from pending_run_link where id = any($1)", Tuple.of(Rows.uuids(ids))).mapEmpty();
    }

    /**
     * Takes the transaction-scoped advisory locks that order recording a run against linking to it (ascending, so
     * that two transactions never wait on each other in a cycle).
     */
    public Future<Void> lockRuns(SqlClient tx, Collection<Long> keys) {
        if (keys.isEmpty()) {
            return Future.succeededFuture();
        }
        Long[] sorted = keys.stream().distinct().sorted().toArray(Long[]::new);
        return db.query(tx, "select pg_advisory_xact_lock(k) from unnest($1::bigint[]) as k order by k",
                Tuple.tuple().addValue(sorted)).mapEmpty();
    }

    /** The ids of the runs recorded with this external id (in the namespace when not null). */
    public Future<List<UUID>> runsByExternalId(SqlClient tx, String namespace, String externalId) {
        return db.query(tx, """
                select id from run where external_id = $1 and ($2::text is null or namespace = $2) order by id limit 2""",
                Tuple.of(externalId, namespace)).map(rows -> {
            List<UUID> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getUUID("id")));
            return ids;
        });
    }
}
