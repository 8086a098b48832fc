package io.mlcatalog.server.intake;

import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.plugin.Origin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.spi.ReceivedRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The {@code intake_queue} table: stored requests, claimed by a server while it writes them, deleted once written. */
public final class IntakeQueue {
    /**
     * The only headers stored: what a replay needs to read the body. Everything else, credentials first, is dropped
     * (a replayable receiver reads nothing of a request but its method, path, query, Content-Type and body).
     */
    private static final Set<String> KEPT_HEADERS = Set.of("content-type");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, List<String>>> MULTI_MAP = new TypeReference<>() {
    };

    private final Db db;

    public IntakeQueue(Db db) {
        this.db = db;
    }

    /** A request accepted by a receiver instance at an instant. */
    public record Stored(Origin origin, Instant receivedAt, ReceivedRequest request) {
        public String instance() {
            return origin.instance();
        }
    }

    /**
     * A stored request, claimed: the request, or why the stored row cannot be read as one.
     *
     * @param attempts the claims of it so far, this one included
     */
    record Claimed(long id, Origin origin, Instant receivedAt, ReceivedRequest request, String unreadable, int attempts) {
        String instance() {
            return origin.instance();
        }
    }

    /** The claimed rows are no longer this claim's (its lease ran out and another worker took them): nothing was written. */
    static final class ClaimLost extends RuntimeException {
        ClaimLost(String message) {
            super(message, null, false, false);
        }
    }

    /** Stores the requests, in one statement. */
    Future<Void> append(List<Stored> rows) {
        int n = rows.size();
        String[] instances = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] methods = new String[n];
        String[] paths = new String[n];
        String[] queries = new String[n];
        String[] headers = new String[n];
        Buffer[] bodies = new Buffer[n];
        String[] encodings = new String[n];
        Integer[] lengths = new Integer[n];
        String[] actors = new String[n];
        String[] writes = new String[n];
        String[] promotes = new String[n];
        for (int i = 0; i < n; i++) {
            Stored s = rows.get(i);
            instances[i] = s.instance();
            actors[i] = s.origin().actor();
            // every namespace (the instance itself, an admin token): null; else the lists, as JSON arrays (unnest takes no
            // array of arrays of different lengths)
            if (s.origin().access() != Access.ALL && !s.origin().access().admin()) {
                writes[i] = json(s.origin().access().namespacesWith(Access.Privilege.WRITE));
                promotes[i] = json(s.origin().access().namespacesWith(Access.Privilege.PROMOTE));
            }
            times[i] = s.receivedAt().atOffset(ZoneOffset.UTC);
            methods[i] = s.request().method();
            paths[i] = s.request().path();
            queries[i] = json(s.request().query());
            Map<String, List<String>> kept = new LinkedHashMap<>();
            s.request().headers().forEach((k, v) -> {
                if (KEPT_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                    kept.put(k, v);
                }
            });
            headers[i] = json(kept);
            BodyCodec.Encoded body = BodyCodec.encode(s.request().body());
            bodies[i] = Buffer.buffer(body.bytes());
            encodings[i] = body.encoding();
            lengths[i] = s.request().body().length;
        }
        return db.query("""
                insert into intake_queue (instance, received_at, method, path, query, headers, body, body_encoding, body_bytes, actor,
                                          write_namespaces, promote_namespaces)
                select instance, received_at, method, path, query::jsonb, headers::jsonb, body, body_encoding, body_bytes, actor,
                       (select array_agg(x) from jsonb_array_elements_text(writes::jsonb) x),
                       (select array_agg(x) from jsonb_array_elements_text(promotes::jsonb) x)
                from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::text[],
                            $9::integer[], $10::text[], $11::text[], $12::text[])
                  as r(instance, received_at, method, path, query, headers, body, body_encoding, body_bytes, actor, writes, promotes)
                """, Tuple.from(new Object[] {instances, times, methods, paths, queries, headers, bodies, encodings, lengths, actors, writes,
                promotes})).mapEmpty();
    }

    /**
     * Claims the oldest unclaimed requests of these instances for {@code lease}, under the token {@code claim}: at least
     * one, at most {@code maxRows} or about {@code maxBytes} of bodies. Rows another worker is claiming are skipped.
     */
    Future<List<Claimed>> claim(List<String> instances, int maxRows, long maxBytes, Duration lease, UUID claim) {
        return db.inTransaction(tx -> db.query(tx, """
                select id, coalesce(body_bytes, octet_length(body)) as bytes from intake_queue
                where instance = any($1) and refused is null and (claimed_until is null or claimed_until < now())
                order by id limit $2
                for update skip locked
                """, Tuple.of(instances.toArray(String[]::new), maxRows)).compose(rows -> {
            List<Long> ids = new ArrayList<>();
            long bytes = 0;
            for (Row r : rows) {
                bytes += r.getLong("bytes");
                if (!ids.isEmpty() && bytes > maxBytes) {
                    break;
                }
                ids.add(r.getLong("id"));
            }
            if (ids.isEmpty()) {
                return Future.succeededFuture(List.of());
            }
            return db.query(tx, """
                    update intake_queue set claimed_by = $2, claimed_until = now() + make_interval(secs => $3), attempts = attempts + 1
                    where id = any($1)
                    returning id, instance, received_at, method, path, query::text as query, headers::text as headers, body, body_encoding,
                      body_bytes, attempts, actor, write_namespaces, promote_namespaces
                    """, Tuple.of(ids.toArray(Long[]::new), claim, (double) lease.toSeconds())).map(claimed -> {
                List<Claimed> result = new ArrayList<>();
                for (Row r : claimed) {
                    result.add(read(r));
                }
                result.sort(Comparator.comparingLong(Claimed::id));
                return result;
            });
        }));
    }

    /** A claimed row as a request; a row that cannot be one (written by hand, say) says why, and does not stop the others. */
    private static Claimed read(Row r) {
        long id = r.getLong("id");
        Instant receivedAt = r.getOffsetDateTime("received_at").toInstant();
        String[] writes = r.getArrayOfStrings("write_namespaces");
        String[] promotes = r.getArrayOfStrings("promote_namespaces");
        // a request stored with a token's limits is written within them, as it would have been at once
        Access access = writes == null && promotes == null ? Access.ALL
                : Access.namespaces(writes == null ? List.of() : List.of(writes), promotes == null ? List.of() : List.of(promotes));
        Origin origin = new Origin(r.getString("instance"), r.getString("actor"), access);
        try {
            return new Claimed(id, origin, receivedAt, new ReceivedRequest(r.getString("method"), r.getString("path"),
                    multiMap(r.getString("query")), multiMap(r.getString("headers")),
                    BodyCodec.decode(r.getString("body_encoding"), r.getBuffer("body").getBytes(), r.getInteger("body_bytes"))), null,
                    r.getInteger("attempts"));
        } catch (RuntimeException e) {
            return new Claimed(id, origin, receivedAt, null, "the stored row is not a request: " + e.getMessage(),
                    r.getInteger("attempts"));
        }
    }

    /**
     * Deletes written requests in the transaction that wrote them, if still this claim's; otherwise fails it with
     * {@link ClaimLost}, rolling the writes back (the worker that holds them now writes them).
     */
    Future<Void> deleteWritten(io.vertx.sqlclient.SqlConnection tx, List<Long> ids, UUID claim) {
        return db.query(tx, "delete from intake_queue where id = any($1) and claimed_by = $2 returning id",
                Tuple.of(ids.toArray(Long[]::new), claim)).compose(rows -> rows.size() == ids.size() ? Future.succeededFuture()
                : Future.failedFuture(new ClaimLost((ids.size() - rows.size()) + " of " + ids.size()
                + " stored request(s) were claimed by another worker meanwhile")));
    }

    /** As {@link #deleteWritten}, in a transaction of its own: for requests whose records were written call by call. */
    Future<Void> deleteWritten(List<Long> ids, UUID claim) {
        return db.inTransaction(tx -> deleteWritten(tx, ids, claim));
    }

    /** The requests could not be written now (the database failed): free for the next claim, if still this claim's. */
    Future<Void> release(List<Long> ids, UUID claim) {
        return ids.isEmpty() ? Future.succeededFuture()
                : db.query("update intake_queue set claimed_by = null, claimed_until = null where id = any($1) and claimed_by = $2",
                Tuple.of(ids.toArray(Long[]::new), claim)).mapEmpty();
    }

    /** The request is refused: kept, with why, and not taken again. */
    Future<Void> refuse(long id, String reason, UUID claim) {
        return db.query("update intake_queue set refused = $2, claimed_by = null, claimed_until = null where id = $1 and claimed_by = $3",
                Tuple.of(id, reason, claim)).mapEmpty();
    }

    /** What waits to be written: how many requests, and when the oldest was received (null: none). */
    public record Waiting(long requests, java.time.OffsetDateTime oldest) {
    }

    /** The requests stored and not written yet (a refused one is kept for the operator, but waits for nothing). */
    public Future<Waiting> waiting() {
        return db.query("select count(*), min(received_at) from intake_queue where refused is null", Tuple.tuple())
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Waiting(r.getLong(0), r.getOffsetDateTime(1));
                });
    }

    /**
     * The requests waiting for instances other than these, by instance: stored by an instance that is no longer
     * configured. (What waits for each configured instance is in its status, {@code PluginStore.statuses}.)
     */
    Future<Map<String, Long>> waitingFor(List<String> otherThan) {
        return db.query("""
                select instance, count(*) as requests from intake_queue
                where refused is null and not (instance = any($1)) group by instance
                """, Tuple.of((Object) otherThan.toArray(String[]::new))).map(rows -> {
            Map<String, Long> result = new LinkedHashMap<>();
            for (Row r : rows) {
                result.put(r.getString("instance"), r.getLong("requests"));
            }
            return result;
        });
    }

    private static String json(Object map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Map<String, List<String>> multiMap(String json) {
        try {
            return JSON.readValue(json, MULTI_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored request's map is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
