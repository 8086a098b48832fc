package io.mlcatalog.server.db;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An artifact's last-seen time recorded before it was kept apart from the row (V16__artifact_seen.sql) still decides
 * whether a "gone since" assertion stands after the upgrade: an absence before it is refused, one after it stands, and a
 * later presence ends it.
 */
class ArtifactSeenMigrationIT {
    private static final String LOG = """
            mutation($goneAt: DateTime) {
              logArtifact(input: {namespace: "ns", uri: "s3://bucket/table", kind: DATASET, goneAt: $goneAt}) { goneAt }
            }""";

    @Test
    void theLastSeenTimeOfBeforeTheUpgradeStillDecidesAnAbsence() {
        DatabaseUrl db = TestPostgres.newDatabase();
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("classpath:db/migration").target("15").load()
                .migrate();
        TestPostgres.execute(db, """
                insert into namespace (name) values ('ns');
                insert into artifact (id, namespace, name, uri, kind, created_at, seen_at)
                values ('%s', 'ns', 'table', 's3://bucket/table', 'DATASET', '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z');
                """.formatted(io.mlcatalog.server.model.Ids.artifact("s3://bucket/table", null)));

        try (TestCatalog catalog = TestCatalog.start(Limits.DEFAULT, db)) {
            assertThat(TestPostgres.strings(db, "select slot || ' ' || seen_at from artifact_seen"))
                    .containsExactly("0 2026-01-10 00:00:00+00");
            assertThat(goneAt(catalog, "2026-01-09T00:00:00Z").isNull()).as("gone before it was last seen").isTrue();
            assertThat(goneAt(catalog, "2026-01-11T00:00:00Z").asText()).startsWith("2026-01-11T00:00:00");
            // seen now, later than it went: present again, and the slot of this connection holds the time
            assertThat(goneAt(catalog, null).isNull()).isTrue();
            assertThat(TestPostgres.count(db, "select count(*) from artifact_seen where seen_at > '2026-02-01'")).isEqualTo(1);
            assertThat(TestPostgres.count(db, "select count(*) from artifact where gone_at is null")).isEqualTo(1);
        }
    }

    private static JsonNode goneAt(TestCatalog catalog, String at) {
        java.util.HashMap<String, Object> vars = new java.util.HashMap<>();
        vars.put("goneAt", at);
        return catalog.graphql(LOG, (Map<String, ?>) vars).ok().path("logArtifact").path("goneAt");
    }
}
