package io.mlcatalog.server.intake;

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

/** The {@code intake_queue} table: stored requests, claimed by a server while it writes them, deleted once written. */
public final class IntakeQueue {
    /** Headers never stored: credentials. */
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, List<String>>> MULTI_MAP = new TypeReference<>() {
    };

    private final Db db;

    public IntakeQueue(Db db) {
        this.db = db;
    }

    /** A request accepted by a receiver instance at an instant. */
    public record Stored(String instance, Instant receivedAt, ReceivedRequest request) {
    }

    /** A stored request, claimed. */
    record Claimed(long id, String instance, Instant receivedAt, ReceivedRequest request) {
    }

    /** What waits to be written for an instance. */
    public record Backlog(long requests, OffsetDateTime oldestReceivedAt) {
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
        for (int i = 0; i < n; i++) {
            Stored s = rows.get(i);
            instances[i] = s.instance();
            times[i] = s.receivedAt().atOffset(ZoneOffset.UTC);
            methods[i] = s.request().method();
            paths[i] = s.request().path();
            queries[i] = json(s.request().query());
            Map<String, List<String>> kept = new LinkedHashMap<>();
            s.request().headers().forEach((k, v) -> {
                if (!SECRET_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                    kept.put(k, v);
                }
            });
            headers[i] = json(kept);
            bodies[i] = Buffer.buffer(s.request().body());
        }
        return db.query("""
                insert into intake_queue (instance, received_at, method, path, query, headers, body)
                select instance, received_at, method, path, query::jsonb, headers::jsonb, body
                from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])
                  as r(instance, received_at, method, path, query, headers, body)
                """, Tuple.of(instances, times, methods, paths, queries, headers, bodies)).mapEmpty();
    }

    /**
     * Claims the oldest unclaimed requests of these instances, at least one and at most {@code maxRows} or about
     * {@code maxBytes} of bodies, for {@code lease}: until then no other server takes them.
     */
    Future<List<Claimed>> claim(List<String> instances, int maxRows, long maxBytes, Duration lease) {
        return db.query("""
                select id, octet_length(body) as bytes from intake_queue
                where instance = any($1) and refused is null and (claimed_until is null or claimed_until < now())
                order by id limit $2
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
            // the conditions again: a row another server claimed meanwhile is not taken twice (the update waits for its
            // lock and then sees the claim)
            return db.query("""
                    update intake_queue set claimed_until = now() + make_interval(secs => $2)
                    where id = any($1) and refused is null and (claimed_until is null or claimed_until < now())
                    returning id, instance, received_at, method, path, query::text as query, headers::text as headers, body
                    """, Tuple.of(ids.toArray(Long[]::new), (double) lease.toSeconds())).map(claimed -> {
                List<Claimed> result = new ArrayList<>();
                for (Row r : claimed) {
                    result.add(new Claimed(r.getLong("id"), r.getString("instance"), r.getOffsetDateTime("received_at").toInstant(),
                            new ReceivedRequest(r.getString("method"), r.getString("path"), multiMap(r.getString("query")),
                                    multiMap(r.getString("headers")), r.getBuffer("body").getBytes())));
                }
                result.sort(Comparator.comparingLong(Claimed::id));
                return result;
            });
        });
    }

    /** The requests are written: gone from the queue. */
    Future<Void> done(List<Long> ids) {
        return ids.isEmpty() ? Future.succeededFuture()
                : db.query("delete from intake_queue where id = any($1)", Tuple.of((Object) ids.toArray(Long[]::new))).mapEmpty();
    }

    /** The requests could not be written now (the database failed): free for the next claim. */
    Future<Void> release(List<Long> ids) {
        return ids.isEmpty() ? Future.succeededFuture()
                : db.query("update intake_queue set claimed_until = null where id = any($1)", Tuple.of((Object) ids.toArray(Long[]::new)))
                .mapEmpty();
    }

    /** The catalog refused (some of) the request's records: kept, with why, and not taken again. */
    Future<Void> refuse(long id, String reason) {
        return db.query("update intake_queue set refused = $2, claimed_until = null where id = $1", Tuple.of(id, reason)).mapEmpty();
    }

    /** Each instance's requests waiting to be written (refused ones not counted). */
    public Future<Map<String, Backlog>> backlog() {
        return db.query("""
                select instance, count(*) as requests, min(received_at) as oldest from intake_queue where refused is null group by instance
                """, Tuple.tuple()).map(rows -> {
            Map<String, Backlog> result = new LinkedHashMap<>();
            for (Row r : rows) {
                result.put(r.getString("instance"), new Backlog(r.getLong("requests"), r.getOffsetDateTime("oldest")));
            }
            return result;
        });
    }

    private static String json(Map<String, List<String>> map) {
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
