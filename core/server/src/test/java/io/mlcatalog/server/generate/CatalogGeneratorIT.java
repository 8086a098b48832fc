package io.mlcatalog.server.generate;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.store.AliasStore;
import io.mlcatalog.server.testing.GeneratedCatalog;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code mlcatalog generate} against a real PostgreSQL: the same seed writes the same rows, the rows
 * are consistent with each other as the API's writes keep them, and the server serves them.
 */
class CatalogGeneratorIT {
    static final double SCALE = 0.01;
    static final Sizes SIZES = Sizes.of(SCALE);

    static DatabaseUrl database;
    static Path sampleFile;
    static String output;
    static TestCatalog catalog;

    @BeforeAll
    static void generate() {
        GeneratedCatalog generated = GeneratedCatalog.of(42, SCALE);
        database = generated.database();
        sampleFile = generated.sample();
        output = generated.output();
        catalog = TestCatalog.start(Limits.DEFAULT, database);
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    static String generate(DatabaseUrl url, long seed, double scale, boolean force, Path sample) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CatalogGenerator(url, new PrintStream(out, true, StandardCharsets.UTF_8))
                .generate(new CatalogGenerator.Options(seed, scale, force, sample, 20));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A digest of every row of every catalog table, in a stable order. */
    static Map<String, String> digests(DatabaseUrl url) {
        Map<String, String> digests = new LinkedHashMap<>();
        for (String table : TestCatalog.DATA_TABLES) {
            // every column but inserted_by and tx: which transaction wrote an edge or a change is bookkeeping, not the catalog's content
            digests.put(table, TestPostgres.strings(url, "select count(*) || ':' || md5(coalesce(string_agg(r, E'\\n' order by r), '')) "
                    + "from (select (to_jsonb(t) - 'inserted_by' - 'tx')::text as r from " + table + " t) as rows").get(0));
        }
        return digests;
    }

    @Test
    void theSameSeedWritesTheSameRowsAndForceReplacesWhatIsThere() throws Exception {
        double scale = 0.005; // smaller than the shared catalog: this test generates three times
        DatabaseUrl one = TestPostgres.newDatabase();
        DatabaseUrl other = TestPostgres.newDatabase();
        generate(one, 42, scale, false, null);
        generate(other, 42, scale, false, null);
        Map<String, String> first = digests(one);
        assertThat(digests(other)).isEqualTo(first);

        assertThatThrownBy(() -> generate(other, 7, scale, false, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already holds data").hasMessageContaining("--force");
        assertThat(digests(other)).as("a refused generate writes nothing").isEqualTo(first);

        generate(other, 7, scale, true, null);
        Map<String, String> seven = digests(other);
        for (String table : List.of("run", "artifact", "model_version", "deployment")) {
            assertThat(seven.get(table)).as(table).isNotEqualTo(first.get(table));
            // replaced, not added to: the same number of rows
            assertThat(seven.get(table).split(":")[0]).as(table).isEqualTo(first.get(table).split(":")[0]);
        }
    }

    @Test
    void rowCountsMatchTheScaleAndTheOutputSaysWhatWasWritten() {
        Map<String, Long> rows = catalog.rowCounts();
        assertThat(rows.get("run")).isEqualTo(SIZES.runs());
        assertThat(rows.get("artifact")).isEqualTo(SIZES.artifacts());
        assertThat(rows.get("model")).isEqualTo(SIZES.models());
        assertThat(rows.get("model_version")).isEqualTo(SIZES.versions());
        assertThat(rows.get("deployment")).isEqualTo(SIZES.deployments());
        assertThat(rows.get("lineage_edge")).isBetween((long) (SIZES.edgesTarget() * 0.8), (long) (SIZES.edgesTarget() * 1.2));
        assertThat(output).containsPattern("run +" + String.format("%,d", SIZES.runs()) + " rows")
                .containsPattern("lineage_edge +[0-9,]+ rows").contains("analyzed in").containsPattern("generated [0-9,]+ rows");
        assertThat(catalog.count("select count(*) from pg_stats where tablename = 'lineage_edge'")).as("analyzed").isPositive();
    }

    @Test
    void everyEdgeJoinsRowsOfItsKindsTypes() {
        String nodes = """
                (select id, 'run' as type from run union all select id, 'artifact' from artifact
                 union all select id, 'code_version' from code_version union all select id, 'model_version' from model_version
                 union all select id, 'deployment' from deployment)""";
        assertThat(catalog.count("select count(*) from lineage_edge e where not exists (select 1 from " + nodes
                + " n where n.id = e.from_id and n.type = e.from_type)")).isZero();
        assertThat(catalog.count("select count(*) from lineage_edge e where not exists (select 1 from " + nodes
                + " n where n.id = e.to_id and n.type = e.to_type)")).isZero();
        assertThat(catalog.strings("""
                select distinct kind || ':' || from_type || '->' || to_type from lineage_edge order by 1""")).containsExactly(
                "BUILT_FROM:code_version->run", "CONSUMED:artifact->run", "DEPLOYED_AS:model_version->deployment",
                "PRODUCED:run->artifact", "REGISTERED_FROM_ARTIFACT:artifact->model_version", "REGISTERED_FROM_RUN:run->model_version");
    }

    @Test
    void edgesMirrorTheRowsTheyStandFor() {
        // a run's code version, a version's run and model file, a deployment's version: each is exactly one edge
        assertThat(catalog.count("select count(*) from run where code_version_id is not null"))
                .isEqualTo(catalog.count("select count(*) from lineage_edge where kind = 'BUILT_FROM'"));
        assertThat(catalog.count("""
                select count(*) from run r where r.code_version_id is not null and not exists (select 1 from lineage_edge e
                  where e.kind = 'BUILT_FROM' and e.from_id = r.code_version_id and e.to_id = r.id and e.since = r.started_at)""")).isZero();
        assertThat(catalog.count("""
                select count(*) from model_version v where not exists (select 1 from lineage_edge e
                  where e.kind = 'REGISTERED_FROM_RUN' and e.from_id = v.run_id and e.to_id = v.id)
                  or not exists (select 1 from lineage_edge e
                  where e.kind = 'REGISTERED_FROM_ARTIFACT' and e.from_id = v.artifact_id and e.to_id = v.id)""")).isZero();
        assertThat(catalog.count("select count(*) from lineage_edge where kind like 'REGISTERED%'")).isEqualTo(2L * SIZES.versions());
        assertThat(catalog.count("""
                select count(*) from deployment d where not exists (select 1 from lineage_edge e where e.kind = 'DEPLOYED_AS'
                  and e.from_id = d.model_version_id and e.to_id = d.id and e.since = d.started_at
                  and e.until is not distinct from d.ended_at)""")).isZero();
        assertThat(catalog.count("select count(*) from lineage_edge where kind = 'DEPLOYED_AS'")).isEqualTo(SIZES.deployments());
        // run_io: a run reads what existed when it started, and writes when it ends; a version's model file is its run's output
        assertThat(catalog.count("""
                select count(*) from run_io io join run r on r.id = io.run_id join artifact a on a.id = io.artifact_id
                where (io.direction = 'CONSUMED' and (a.created_at > r.started_at or io.at <> r.started_at))
                   or (io.direction = 'PRODUCED' and (a.created_at <> r.ended_at or io.at <> r.ended_at))""")).isZero();
        assertThat(catalog.count("""
                select count(*) from model_version v where not exists (select 1 from run_io io
                  where io.run_id = v.run_id and io.artifact_id = v.artifact_id and io.direction = 'PRODUCED')""")).isZero();
        // every entity and edge says the generator asserted it
        assertThat(catalog.count("""
                select count(*) from (select id from run union all select id from artifact union all select id from code_version
                  union all select id from model union all select id from model_version union all select id from deployment
                  union all select id from lineage_edge) s
                where not exists (select 1 from assertion a where a.subject_id = s.id and a.source = 'generator')""")).isZero();
    }

    @Test
    void replacingDeploymentsOnATargetNeverOverlap() {
        assertThat(catalog.count("""
                select count(*) from deployment a join deployment b
                  on a.namespace = b.namespace and a.environment = b.environment and a.target = b.target and a.id <> b.id
                where (a.traffic_percent is null or a.traffic_percent >= 100) and (b.traffic_percent is null or b.traffic_percent >= 100)
                  and a.started_at < coalesce(b.ended_at, 'infinity') and b.started_at < coalesce(a.ended_at, 'infinity')""")).isZero();
        assertThat(catalog.count("select count(*) from deployment where status = 'ACTIVE' and ended_at is not null")).isZero();
        assertThat(catalog.count("select count(*) from deployment where status <> 'ACTIVE' and ended_at is null")).isZero();
    }

    @Test
    void aliasIntervalsAreWhatTheAliasStoreRebuildsFromTheEvents() throws Exception {
        String before = digests(database).get("alias");
        AliasStore aliases = new AliasStore(catalog.server().db());
        List<String> keys = catalog.strings("select distinct model_id || ' ' || name from alias_event");
        assertThat(keys).isNotEmpty();
        for (String key : keys) {
            UUID model = UUID.fromString(key.substring(0, 36));
            String name = key.substring(37);
            catalog.server().db().inTransaction(tx -> aliases.rebuildIntervals(tx, model, name))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertThat(digests(database).get("alias")).isEqualTo(before);
    }

    @Test
    void theApiServesTheGeneratedCatalog() {
        JsonNode data = catalog.graphql("{ runs { totalCount } models(first: 1) { totalCount } deployments { totalCount } }").ok();
        assertThat(data.path("runs").path("totalCount").asInt()).isEqualTo(SIZES.runs());
        assertThat(data.path("models").path("totalCount").asInt()).isEqualTo(SIZES.models());

        // what an alias meant at an instant, as the stored intervals say
        List<String> alias = catalog.strings("""
                select m.namespace || '|' || m.name || '|' || a.name || '|' || v.version || '|'
                       || to_char((a.since + (coalesce(a.until, a.since + interval '2 hours') - a.since) / 2) at time zone 'UTC',
                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                from alias a join model m on m.id = a.model_id join model_version v on v.id = a.model_version_id
                order by a.since limit 1""");
        String[] a = alias.get(0).split("\\|");
        JsonNode version = catalog.graphql("query($ns: String!, $m: String!, $alias: String!, $at: DateTime!) { model(namespace: $ns, name: $m) { "
                + "version(alias: $alias, asOf: $at) { version } } }", Map.of("ns", a[0], "m", a[1], "alias", a[2], "at", a[4])).ok();
        assertThat(version.path("model").path("version").path("version").asText()).isEqualTo(a[3]);

        // which deployments were active at an instant, as the rows say
        String at = "2026-06-01T00:00:00Z";
        long active = catalog.count("select count(*) from deployment where started_at <= '" + at + "' and (ended_at is null or ended_at > '"
                + at + "')");
        assertThat(catalog.graphql("query($at: DateTime!) { deployments(filter: {activeAt: $at}) { totalCount } }", Map.of("at", at)).ok()
                .path("deployments").path("totalCount").asLong()).isEqualTo(active);
    }

    @Test
    void theSampleNamesRootsThatExistAndInstantsExplainAnswersAsExpected() throws Exception {
        JsonNode sample = TestCatalog.JSON.readTree(sampleFile.toFile());
        assertThat(sample.path("seed").asLong()).isEqualTo(42);
        for (String kind : List.of("Run", "Artifact", "ModelVersion", "CodeVersion")) {
            JsonNode roots = sample.path("roots").path(kind);
            assertThat(roots.size()).as(kind).isEqualTo(20);
            String id = roots.get(0).asText();
            assertThat(id).startsWith(kind + ":");
            assertThat(catalog.graphql("query($id: ID!) { node(id: $id) { id } }", Map.of("id", id)).ok().path("node").path("id").asText())
                    .isEqualTo(id);
        }
        JsonNode popular = sample.path("popularDatasets");
        assertThat(popular.get(0).path("consumers").asInt()).isGreaterThanOrEqualTo(popular.get(1).path("consumers").asInt());
        String popularId = popular.get(0).path("id").asText();
        assertThat(catalog.graphql("query($id: ID!) { node(id: $id) { ... on Artifact { consumedBy { totalCount } } } }", Map.of("id", popularId))
                .ok().path("node").path("consumedBy").path("totalCount").asInt()).isEqualTo(popular.get(0).path("consumers").asInt());

        JsonNode triple = sample.path("explain").get(0);
        JsonNode explained = catalog.graphql("""
                query($ns: String, $env: String!, $target: String!, $at: DateTime) {
                  explain(namespace: $ns, environment: $env, target: $target, at: $at) {
                    deployment { id } modelVersion { id } run { id } inputs { digest } upstream { nodes { ... on Node { id } } } } }""",
                Map.of("ns", triple.path("namespace").asText(), "env", triple.path("environment").asText(),
                        "target", triple.path("target").asText(), "at", triple.path("at").asText())).ok().path("explain");
        assertThat(explained.path("deployment").path("id").asText()).isEqualTo(triple.path("deployment").asText());
        assertThat(explained.path("modelVersion").path("id").asText()).isEqualTo(triple.path("modelVersion").asText());
        assertThat(explained.path("run").path("id").asText()).isEqualTo(triple.path("run").asText());
        assertThat(explained.path("inputs").size()).isPositive();
        assertThat(explained.path("upstream").path("nodes").size()).isGreaterThan(1);
    }
}
