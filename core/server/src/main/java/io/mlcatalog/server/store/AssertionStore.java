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
        List<Tuple> batch = new ArrayList<>(subjects.size());
        for (Subject s : subjects) {
            batch.add(Tuple.of(s.id(), source.name(), s.externalId(), source.observedAt()));
        }
        return db.batch(tx, """
                insert into assertion (subject_id, source, external_id, observed_at)
                values ($1, $2, $3, $4)
                on conflict (subject_id, source) do update set external_id = excluded.external_id
                where excluded.external_id is not null and assertion.external_id is distinct from excluded.external_id
                """, batch).mapEmpty();
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
