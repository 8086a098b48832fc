package io.mlcatalog.server.store;

import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.db.Migrations;
import io.mlcatalog.server.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plugin instance's counters (V23__plugin_counters.sql): kept in the slot of each writer's connection, so that
 * concurrent writers of one instance do not wait on one row, and read as the sums of the slots: exact under concurrent
 * writers, nothing lost and nothing counted twice, and nothing of a transaction rolled back.
 */
class PluginCountersIT {
    private static Vertx vertx;
    private static Db db;
    private static DatabaseUrl url;
    private static PluginStore store;

    @BeforeAll
    static void start() {
        url = TestPostgres.newDatabase();
        Migrations.migrate(url);
        vertx = Vertx.vertx();
        db = Db.connect(vertx, url, 8, Duration.ofSeconds(30));
        store = new PluginStore(db);
    }

    @AfterAll
    static void stop() {
        db.close();
        vertx.close();
    }

    @Test
    void concurrentWritersCountEveryRecordOnceAndNothingOfWhatWasRolledBack() throws Exception {
        Db.await(store.starting("busy", "test", "node-a"));
        long written = 0;
        long rejected = 0;
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int n = i % 7 + 1;
            int refused = i % 5 == 0 ? 1 : 0;
            boolean rolledBack = i % 11 == 0;
            // each transaction holds its counts uncommitted a moment, so that many are under way at once on the pool's 8
            // connections, some of them in the same slot
            Future<Void> tx = db.inTransaction(c -> store.succeeded(c, "busy", n, refused, null)
                    .compose(x -> db.query(c, "select pg_sleep(0.002)", Tuple.tuple()))
                    .compose(x -> rolledBack ? Future.failedFuture(new IllegalStateException("rolled back")) : Future.succeededFuture()));
            all.add(rolledBack ? tx.otherwiseEmpty() : tx);
            if (!rolledBack) {
                written += n;
                rejected += refused;
            }
            if (i % 50 == 0) {
                // a request refused whole, outside any transaction, among them
                all.add(store.failed("busy", "request refused, nothing written", 2));
                rejected += 2;
            }
        }
        Db.await(Future.all(all));
        assertThat(TestPostgres.count(url, "select count(*) from plugin_counter where instance = 'busy'"))
                .as("the writers used several slots").isGreaterThan(1);

        PluginStore.Status status = status("busy");
        assertThat(status.recordsWritten()).isEqualTo(written);
        assertThat(status.recordsRejected()).isEqualTo(rejected);
        assertThat(status.lastSuccessAt()).isNotNull();
        assertThat(status.lastErrorAt()).isNotNull();
    }

    @Test
    void theStatusRowChangesOnlyWhenItsStatusOrErrorDoes() throws Exception {
        Db.await(store.starting("moody", "test", "node-a"));
        assertThat(status("moody").status()).isEqualTo("STARTING");
        assertThat(status("moody").lastSuccessAt()).isNull();
        assertThat(status("moody").recordsWritten()).isZero();

        succeed("moody", 3, 0, null);
        assertThat(status("moody").status()).isEqualTo("OK");
        assertThat(status("moody").recordsWritten()).isEqualTo(3);
        OffsetDateTime first = status("moody").lastSuccessAt();
        assertThat(first).isNotNull();

        Db.await(store.failed("moody", "request refused, nothing written: record 0", 1));
        assertThat(status("moody").status()).isEqualTo("FAILING");
        assertThat(status("moody").lastError()).isEqualTo("request refused, nothing written: record 0");
        assertThat(status("moody").recordsRejected()).isEqualTo(1);

        succeed("moody", 2, 1, "1 record(s) rejected, the first: bad");
        PluginStore.Status s = status("moody");
        assertThat(s.status()).isEqualTo("OK");
        assertThat(s.lastError()).isEqualTo("1 record(s) rejected, the first: bad");
        assertThat(s.recordsWritten()).isEqualTo(5);
        assertThat(s.recordsRejected()).isEqualTo(2);
        assertThat(s.lastSuccessAt()).isAfterOrEqualTo(first);

        // a success without a rejection keeps the last error as it was
        succeed("moody", 1, 0, null);
        assertThat(status("moody").lastError()).isEqualTo("1 record(s) rejected, the first: bad");
        assertThat(status("moody").recordsWritten()).isEqualTo(6);

        // an instance no longer configured is forgotten with its counts; configured again, it starts from nothing
        Db.await(store.retainOnly(List.of("busy")));
        assertThat(TestPostgres.count(url, "select count(*) from plugin_counter where instance = 'moody'")).isZero();
        Db.await(store.starting("moody", "test", "node-a"));
        assertThat(status("moody").recordsWritten()).isZero();
        assertThat(status("moody").lastSuccessAt()).isNull();

        // a write for an instance that has no status row counts nothing, as before
        succeed("unknown", 4, 0, null);
        assertThat(TestPostgres.count(url, "select count(*) from plugin_counter where instance = 'unknown'")).isZero();
    }

    @Test
    void theCountsOfBeforeTheUpgradeAreKept() {
        DatabaseUrl old = TestPostgres.newDatabase();
        Flyway.configure().dataSource(old.jdbcUrl(), old.user(), old.password()).locations("classpath:db/migration").target("22").load()
                .migrate();
        TestPostgres.execute(old, """
                insert into plugin_status (instance, type, status, last_success_at, records_written, records_rejected, updated_at)
                values ('files', 'filesystem', 'OK', '2026-01-10T00:00:00Z', 1234, 5, now())""");
        Migrations.migrate(old);
        assertThat(TestPostgres.strings(old, """
                select slot || ' ' || records_written || ' ' || records_rejected || ' ' || last_success_at from plugin_counter"""))
                .containsExactly("0 1234 5 2026-01-10 00:00:00+00");
    }

    private static void succeed(String instance, long written, long rejected, String rejection) throws Exception {
        Db.await(db.inTransaction(tx -> store.succeeded(tx, instance, written, rejected, rejection)));
    }

    private static PluginStore.Status status(String instance) throws Exception {
        return Db.await(store.statuses()).stream().filter(s -> s.instance().equals(instance)).findFirst().orElseThrow();
    }
}
