package io.mlcatalog.server.db;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A catalog written before facets were stored once per distinct document (V15__facet_documents.sql) reads the same
 * after the upgrade: every run, job and artifact facet, and a document several rows held is stored once.
 */
class FacetDocumentsMigrationIT {
    private static final UUID RUN = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID ARTIFACT = UUID.fromString("00000000-0000-0000-0000-000000000002");

    @Test
    void facetsWrittenBeforeTheUpgradeReadTheSame() {
        DatabaseUrl db = TestPostgres.newDatabase();
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("classpath:db/migration").target("13").load()
                .migrate();
        String shared = "{\"name\": \"daily\", \"nested\": {\"b\": [1, 2.5, null], \"a\": true}}";
        TestPostgres.execute(db, """
                insert into namespace (name) values ('ns');
                insert into run (id, namespace, name, pipeline, status, status_at, created_at, updated_at)
                values ('%1$s', 'ns', 'r', 'daily', 'RUNNING', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                insert into artifact (id, namespace, name, uri, kind, created_at)
                values ('%2$s', 'ns', 'table', 'postgres://db/table', 'DATASET', '2026-01-01T00:00:00Z');
                insert into run_facet (run_id, name, event_time, value) values
                  ('%1$s', 'shared', '2026-01-01T00:00:00Z', '%3$s'),
                  ('%1$s', 'own', '2026-01-01T00:00:00Z', '{"x": "é \\" ü"}');
                insert into job_facet (namespace, job, name, event_time, value) values
                  ('ns', 'daily', 'shared', '2026-01-01T00:00:00Z', '%3$s'),
                  ('ns', 'daily', 'sql', '2026-01-01T00:00:00Z', '{"query": "select 1"}');
                insert into artifact_facet (artifact_id, name, event_time, value) values
                  ('%2$s', 'shared', '2026-01-01T00:00:00Z', '%3$s'),
                  ('%2$s', 'schema', '2026-01-01T00:00:00Z', '{"fields": []}');
                """.formatted(RUN, ARTIFACT, shared));
        String before = facetRows(db, "value");

        try (TestCatalog catalog = TestCatalog.start(Limits.DEFAULT, db)) {
            assertThat(facetRows(db, "(select d.value from facet_document d where d.hash = f.document)")).isEqualTo(before);
            assertThat(TestPostgres.count(db, "select count(*) from facet_document")).isEqualTo(4); // the shared one once

            JsonNode run = catalog.graphql("query($id: ID) { run(id: $id) { facets jobFacets } }",
                    Map.of("id", GlobalId.of(NodeType.RUN, RUN))).ok().path("run");
            assertThat(run.path("facets").path("shared").path("nested").path("b").toString()).isEqualTo("[1,2.5,null]");
            assertThat(run.path("facets").path("own").path("x").asText()).isEqualTo("é \" ü");
            assertThat(run.path("jobFacets").path("sql").path("query").asText()).isEqualTo("select 1");
            JsonNode artifact = catalog.graphql("query($id: ID) { artifact(id: $id) { facets } }",
                    Map.of("id", GlobalId.of(NodeType.ARTIFACT, ARTIFACT))).ok().path("artifact");
            assertThat(artifact.path("facets").path("shared").path("name").asText()).isEqualTo("daily");
            assertThat(artifact.path("facets").path("schema").path("fields").isArray()).isTrue();
        }
    }

    /** Every facet row as text, its document given by {@code value}, in a stable order. */
    private static String facetRows(DatabaseUrl db, String value) {
        return String.join("\n", TestPostgres.strings(db, """
                select * from (
                  select 'run ' || run_id || ' ' || name || ' ' || event_time || ' ' || %1$s::text from run_facet f
                  union all select 'job ' || namespace || '/' || job || ' ' || name || ' ' || event_time || ' ' || %1$s::text from job_facet f
                  union all select 'artifact ' || artifact_id || ' ' || name || ' ' || event_time || ' ' || %1$s::text from artifact_facet f
                ) as r(t) order by t""".formatted(value)));
    }
}
