package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Assertion;
import io.mlcatalog.server.model.Source;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Which source asserted each row and edge. */
public final class AssertionStore {
    private final Db db;

    public AssertionStore(Db db) {
        this.db = db;
    }

    /** One subject asserted by a source under an optional external id. */
    public record Subject(UUID id, String externalId) {
    }

    /**
     * Records that {@code source} asserts each subject. The first observation time is kept, so
     * asserting the same thing again changes nothing.
     */
    public Future<Void> assertAll(SqlClient tx, Source source, Collection<Subject> subjects) {
        if (subjects.isEmpty()) {
            return Future.succeededFuture();
        }
        // one row per subject (a statement may not update a row twice): the last external id given, as asserting them one by
        // one would leave
        Map<UUID, String> bySubject = new java.util.TreeMap<>();
        for (Subject s : subjects) {
            String before = bySubject.get(s.id());
            bySubject.put(s.id(), s.externalId() != null ? s.externalId() : before);
        }
        UUID[] ids = bySubject.keySet().toArray(UUID[]::new);
        String[] externalIds = bySubject.values().toArray(String[]::new);
        // an assertion already recorded as given is left out by a plain read before the upsert: the upsert would lock its
        // row even to leave it as it is, and every event of a pipeline asserts the same datasets and parent run again, so
        // every transaction would lock those rows. One left out is as if this transaction had come before the other
        // writers of the row: the first observation time stays, and an external id written meanwhile is the last one given.
        return db.query(tx, """
                insert into assertion (subject_id, source, external_id, observed_at)
                select subject_id, $3, external_id, $4 from unnest($1::uuid[], $2::text[]) as s(subject_id, external_id)
                where not exists (select 1 from assertion a where a.subject_id = s.subject_id and a.source = $3
                                  and (s.external_id is null or a.external_id = s.external_id))
                order by subject_id
                on conflict (subject_id, source) do update set external_id = excluded.external_id
                where excluded.external_id is not null and assertion.external_id is distinct from excluded.external_id
                """, Tuple.of(ids, externalIds, source.name(), source.observedAt())).mapEmpty();
    }

    public Future<Map<UUID, List<Assertion>>> bySubjects(Collection<UUID> ids) {
        return db.query("""
                select subject_id, source, external_id, observed_at from assertion
                where subject_id = any($1) order by observed_at, source
                """, Tuple.of(Rows.uuids(ids))).map(rows -> {
            Map<UUID, List<Assertion>> result = new HashMap<>();
            for (Row row : rows) {
                result.computeIfAbsent(row.getUUID("subject_id"), k -> new ArrayList<>())
                        .add(new Assertion(row.getString("source"), row.getString("external_id"), row.getOffsetDateTime("observed_at")));
            }
            return result;
        });
    }
}
