package io.mlcatalog.server.store;

import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.db.Migrations;
import io.mlcatalog.server.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's "deployments active at an instant" statement, prepared once on a connection and run again and
 * again with other instants, as the server's client runs it: after its first five executions PostgreSQL runs it
 * with its generic plan instead of planning it anew each time. Read from {@code pg_prepared_statements} of the
 * very connection that ran it (a pool of one).
 */
class DeploymentPlanIT {
    @Test
    void deploymentsAtAnInstantRunWithTheGenericPlan() throws Exception {
        DatabaseUrl url = TestPostgres.newDatabase();
        Migrations.migrate(url);
        // a year of releases shaped like the benchmark's catalog (1,000 models, 20,000 versions, 5,000 deployments, most
        // of them ended after days or weeks): on a table of a few hundred rows the planner's estimates of the two plans
        // are near enough that it keeps the generic one anyway
        TestPostgres.execute(url, """
                insert into namespace (name) values ('plans');
                insert into model (id, namespace, name, created_at)
                  select md5('m' || i)::uuid, 'plans', 'model-' || i, timestamptz '2026-01-01Z' from generate_series(1, 1000) i;
                insert into model_version (id, model_id, version, version_number, created_at)
                  select md5('v' || i)::uuid, md5('m' || (i % 1000 + 1))::uuid, (i / 1000 + 1)::text, i / 1000 + 1,
                         timestamptz '2026-01-01Z' + i * interval '26 minutes'
                  from generate_series(0, 19999) i;
                insert into deployment (id, namespace, environment, target, model_version_id, status, started_at, ended_at)
                  select md5('d' || i)::uuid, 'plans', 'prod', 'svc-' || (i % 300), md5('v' || (i * 4))::uuid,
                         case when i % 10 = 0 then 'ACTIVE' else 'ENDED' end,
                         timestamptz '2026-01-01Z' + i * interval '105 minutes',
                         case when i % 10 = 0 then null
                              else timestamptz '2026-01-01Z' + i * interval '105 minutes' + (i * 7919 % 60) * interval '1 day' end
                  from generate_series(0, 4999) i;
                analyze namespace, model, model_version, deployment;
                """);
        Vertx vertx = Vertx.vertx();
        try (Db db = Db.connect(vertx, url, 1, Duration.ofSeconds(30))) {
            DeploymentStore deployments = new DeploymentStore(db);
            int found = 0;
            for (int i = 0; i < 10; i++) {
                // instants through the year, a different one each time, as a dashboard asks
                OffsetDateTime at = OffsetDateTime.of(2026, 2 + i, 10 + i, 12, 0, 0, 0, ZoneOffset.UTC);
                Page<?> page = Db.await(deployments.pageWithVersions(new DeploymentFilter(null, null, null, null, at, null),
                        new PageArgs(50, null))).page();
                assertThat(page.rows()).hasSize(50);
                found += page.rows().size();
            }
            assertThat(found).isEqualTo(500);
            List<Row> plans = new ArrayList<>();
            Db.await(db.query("""
                    select generic_plans, custom_plans, statement from pg_prepared_statements
                    where statement like '%from deployment d where%join model_version v%'
                      and statement not like '%pg_prepared_statements%'""", Tuple.tuple())).forEach(plans::add);
            assertThat(plans).as("the statement, prepared on the pool's one connection").hasSize(1);
            Row plan = plans.get(0);
            assertThat(plan.getLong("custom_plans") + plan.getLong("generic_plans")).isEqualTo(10);
            // the first five executions are planned for their values; from then on, the generic plan is kept
            assertThat(plan.getLong("generic_plans")).as("executions with the generic plan: " + plan.getString("statement"))
                    .isEqualTo(5);
        } finally {
            Db.await(vertx.close());
        }
    }
}
