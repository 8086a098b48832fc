package io.mlcatalog.server.store;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.Ids;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Jobs: a pipeline name in a namespace, known from its runs, its facets or the datasets it declares (an
 * OpenLineage job event's inputs and outputs, kept in {@code job_io}: static lineage, apart from any run).
 */
public final class JobStore {
    private final Db db;

    public JobStore(Db db) {
        this.db = db;
    }

    /**
     * Records that a job reads ({@link EdgeKind#CONSUMED}) or writes ({@link EdgeKind#PRODUCED}) these artifacts; a
     * declaration that exists keeps its earliest {@code since}, so sending it again changes nothing.
     */
    public Future<Void> declare(SqlClient tx, String namespace, String job, EdgeKind direction, List<UUID> artifactIds,
                                OffsetDateTime since) {
        if (direction != EdgeKind.CONSUMED && direction != EdgeKind.PRODUCED) {
            throw new IllegalArgumentException("a job consumes or produces a dataset, not " + direction);
        }
        if (artifactIds.isEmpty()) {
            return Future.succeededFuture();
        }
        UUID[] ids = artifactIds.stream().distinct().sorted().toArray(UUID[]::new);
        return db.query(tx, """
                insert into job_io (job_id, namespace, job, direction, artifact_id, since)
                select $1, $2, $3, $4, a, $6 from unnest($5::uuid[]) as a
                on conflict (job_id, direction, artifact_id) do update set since = excluded.since
                where excluded.since < job_io.since
                """, Tuple.of(Ids.job(namespace, job), namespace, job, direction.name(), ids, since)).mapEmpty();
    }

    /** Whether anything is recorded of the job: a run of it, a facet, a declared dataset. */
    public Future<Boolean> exists(String namespace, String job) {
        return db.query("""
                select exists (select 1 from run where pipeline = $2 and namespace = $1)
                    or exists (select 1 from job_facet where namespace = $1 and job = $2)
                    or exists (select 1 from job_io where job_id = $3) as found
                """, Tuple.of(namespace, job, Ids.job(namespace, job))).map(rows -> rows.iterator().next().getBoolean("found"));
    }
}
