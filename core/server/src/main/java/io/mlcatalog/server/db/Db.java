package io.mlcatalog.server.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The catalog's connection pool. Every statement goes through {@link #query}, so that the number of
 * statements a request makes can be counted (the DataLoader tests rely on it) and every value is a
 * bind parameter: there is no method here that takes SQL and values together as one string.
 */
public final class Db implements AutoCloseable {
    private final Pool pool;
    private final PgConnectOptions connect;
    private final AtomicLong statements = new AtomicLong();
    /** Where statement times go; shared with the {@link #background()} view. */
    private final java.util.concurrent.atomic.AtomicReference<java.util.function.LongConsumer> statementTime;
    /** Whether {@link #close()} closes the pool: the view for background work shares it. */
    private final boolean ownsPool;

    private Db(Pool pool, PgConnectOptions connect, java.util.concurrent.atomic.AtomicReference<java.util.function.LongConsumer> statementTime,
               boolean ownsPool) {
        this.pool = pool;
        this.connect = connect;
        this.statementTime = statementTime;
        this.ownsPool = ownsPool;
    }

    /**
     * The same pool for work no request asks for (timers: the change feed's sequencer, webhook deliveries, token
     * reloads, gauges), counted apart, so that {@link #statementCount()} counts what requests send.
     */
    public Db background() {
        return new Db(pool, connect, statementTime, false);
    }

    /** How this pool's connections are made: for a connection of its own (LISTEN), outside the pool. */
    public PgConnectOptions connectOptions() {
        return new PgConnectOptions(connect);
    }

    public static Db connect(Vertx vertx, DatabaseUrl url, int poolSize, Duration statementTimeout) {
        requireNonNull(url, "url is null");
        PgConnectOptions connect = new PgConnectOptions()
                .setHost(url.host())
                .setPort(url.port())
                .setDatabase(url.database())
                .setUser(url.user())
                .setCachePreparedStatements(true)
                .setPreparedStatementCacheMaxSize(512)
                // sent in the startup message: every statement of every connection is bounded
                .addProperty("statement_timeout", Long.toString(statementTimeout.toMillis()))
                .addProperty("application_name", "mlcatalog");
        if (url.password() != null) {
            connect.setPassword(url.password());
        }
        String sslMode = url.options().get("sslmode");
        if (sslMode != null) {
            connect.setSslMode(io.vertx.pgclient.SslMode.of(sslMode));
        }
        Pool pool = PgBuilder.pool()
                .connectingTo(connect)
                .with(new PoolOptions().setMaxSize(poolSize).setName("mlcatalog").setShared(false))
                .using(vertx)
                .build();
        return new Db(pool, connect, new java.util.concurrent.atomic.AtomicReference<>(nanos -> {
        }), true);
    }

    /** Runs one parameterized statement on {@code client} (the pool, or a connection in a transaction). */
    public Future<RowSet<Row>> query(SqlClient client, String sql, Tuple args) {
        statements.incrementAndGet();
        long start = System.nanoTime();
        return client.preparedQuery(sql).execute(args).onComplete(r -> statementTime.get().accept(System.nanoTime() - start));
    }

    /** Tells {@code timer} how long each statement took, from now on (the metrics). */
    public void timeStatements(java.util.function.LongConsumer timer) {
        this.statementTime.set(timer);
    }

    /**
     * Runs one parameterized statement on any pooled connection. A connection PostgreSQL has ended
     * (a restart, a failover, an administrator) is only found out when used: such a statement is sent
     * once more, on another connection, since outside a transaction nothing of it was applied.
     */
    public Future<RowSet<Row>> query(String sql, Tuple args) {
        return query(pool, sql, args).recover(e -> lostConnection(e) ? query(pool, sql, args) : Future.failedFuture(e));
    }

    static boolean lostConnection(Throwable e) {
        if (e instanceof ClosedConnectionException) {
            return true;
        }
        // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now: the session is gone
        return e instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("57P0");
    }

    /** Runs one parameterized statement once per tuple, in one round trip. */
    public Future<RowSet<Row>> batch(SqlClient client, String sql, List<Tuple> args) {
        statements.incrementAndGet();
        return client.preparedQuery(sql).executeBatch(args);
    }

    /**
     * Sends {@code next}'s first statement without waiting for the answer to {@code sent}, a statement whose answer
     * nothing needs (a lock, a write): on one connection PostgreSQL runs them in the order they were sent, so the
     * outcome is the one of waiting, with one round trip fewer (the client pipelines them). Fails as the first of
     * them that fails: the transaction is aborted then, and the statements after it fail too.
     */
    public static <T> Future<T> sendAhead(Future<?> sent, java.util.function.Supplier<Future<T>> next) {
        Future<T> then = next.get();
        return Future.all(sent, then).map(x -> then.result());
    }

    /** Runs {@code work} in one transaction: committed when its future succeeds, rolled back otherwise. */
    public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
        return pool.withTransaction(work);
    }

    /** How many statements have been sent since the pool was created. */
    public long statementCount() {
        return statements.get();
    }

    /**
     * Waits (at most 60 s) for a future of this pool's work, from a worker thread (never the event loop); throws
     * what it failed with.
     */
    public static <T> T await(Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    public Future<Boolean> ping() {
        return query("select 1", Tuple.tuple()).map(rows -> rows.size() == 1);
    }

    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}
