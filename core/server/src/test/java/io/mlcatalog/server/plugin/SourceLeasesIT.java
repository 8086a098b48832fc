package io.mlcatalog.server.plugin;

import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.db.Migrations;
import io.mlcatalog.server.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two nodes' leases on one database, as {@link SourceRunner} uses them: one node polls an instance; a node whose lease
 * ran out and was taken over has its batch rolled back; a node that stops cleanly leaves the instance to the other at once.
 */
class SourceLeasesIT {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static Db db;
    private static DatabaseUrl url;

    @BeforeAll
    static void start() {
        url = TestPostgres.newDatabase();
        Migrations.migrate(url);
        vertx = Vertx.vertx();
        db = Db.connect(vertx, url, 4, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        db.close();
        vertx.close();
    }

    @Test
    void oneNodeHoldsAnInstanceUntilItsLeaseRunsOutAndABatchOfTheNodeThatLostItIsRolledBack() throws Exception {
        try (SourceLeases x = new SourceLeases(db, "node-x", TTL); SourceLeases y = new SourceLeases(db, "node-y", TTL)) {
            assertThat(x.acquire("files")).isEqualTo("node-x");
            assertThat(y.acquire("files")).isEqualTo("node-x");
            assertThat(x.acquire("files")).as("renewed by its holder").isEqualTo("node-x");
            assertThat(y.holds("files")).isFalse();
            // the holder's batch goes through, with everything else of its transaction
            Db.await(db.inTransaction(tx -> db.query(tx, "insert into namespace (name) values ('written-by-x')", Tuple.tuple())
                    .compose(r -> x.fence("files").apply(tx))));
            assertThat(TestPostgres.count(url, "select count(*) from namespace where name = 'written-by-x'")).isEqualTo(1);

            // x's renewals come late (a busy machine) and the lease runs out, but no other node took it: x's batch still goes
            Db.await(db.query("update source_lease set expires_at = now() - interval '1 second' where instance = 'files'", Tuple.tuple()));
            Db.await(db.inTransaction(tx -> db.query(tx, "insert into namespace (name) values ('late-but-alone')", Tuple.tuple())
                    .compose(r -> x.fence("files").apply(tx))));
            assertThat(TestPostgres.count(url, "select count(*) from namespace where name = 'late-but-alone'")).isEqualTo(1);
            assertThat(y.acquire("files")).as("renewed by that batch").isEqualTo("node-x");

            // x stops renewing (its database connection is gone, say) and the lease runs out: y takes the instance
            Db.await(db.query("update source_lease set expires_at = now() - interval '1 second' where instance = 'files'", Tuple.tuple()));
            assertThat(y.acquire("files")).isEqualTo("node-y");
            assertThat(TestPostgres.strings(url, "select holder from source_lease where instance = 'files'")).containsExactly("node-y");
            // x's poll, still running, ends: its batch is refused and rolled back whole
            Future<Void> lateBatch = db.inTransaction(tx -> db.query(tx, "insert into namespace (name) values ('late-by-x')", Tuple.tuple())
                    .compose(r -> x.fence("files").apply(tx)));
            assertThatThrownBy(() -> Db.await(lateBatch)).isInstanceOf(SourceLeases.LeaseLost.class)
                    .hasMessageContaining("node node-x no longer holds the lease of plugin instance 'files'");
            assertThat(TestPostgres.count(url, "select count(*) from namespace where name = 'late-by-x'")).isZero();
            assertThat(x.holds("files")).isFalse();
            assertThat(x.acquire("files")).as("x does not take it back while y renews it").isEqualTo("node-y");
        }
    }

    @Test
    void aNodeThatStopsCleanlyLeavesItsInstancesToTheOtherAtOnce() throws Exception {
        try (SourceLeases y = new SourceLeases(db, "node-y", TTL)) {
            SourceLeases x = new SourceLeases(db, "node-x", TTL);
            assertThat(x.acquire("git")).isEqualTo("node-x");
            assertThat(y.acquire("git")).isEqualTo("node-x");
            x.close();
            assertThat(y.acquire("git")).as("without waiting for the lease to run out").isEqualTo("node-y");
        }
    }

    @Test
    void leasesAreRenewedInTheBackgroundWhileTheirNodeRuns() throws Exception {
        try (SourceLeases x = new SourceLeases(db, "node-x", Duration.ofSeconds(3)); SourceLeases y = new SourceLeases(db, "node-y", TTL)) {
            assertThat(x.acquire("s3")).isEqualTo("node-x");
            String first = TestPostgres.strings(url, "select expires_at::text from source_lease where instance = 's3'").get(0);
            // renewed every second (a third of 3 s): the expiry moves on, and y never gets the instance
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (TestPostgres.strings(url, "select expires_at::text from source_lease where instance = 's3'").get(0).equals(first)) {
                assertThat(System.nanoTime()).as("renewed within 30 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(y.acquire("s3")).isEqualTo("node-x");
        }
    }
}
