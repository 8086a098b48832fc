package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mlcatalog.server.lineage.GraphWrites.artifact;
import static io.mlcatalog.server.lineage.GraphWrites.codeVersion;
import static io.mlcatalog.server.lineage.GraphWrites.sha;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * blastRadius(from, activeAt): from a bad dataset, commit or run, every model version downstream and the
 * deployments of them serving at an instant.
 *
 * <pre>
 *   bad.parquet → features (commit B) → feat.parquet → t1 → m 1 ── prod [B1, B2), staging [B1, …)
 *                                                    → t2 → m 2 ── prod [B2, …)
 *   other.parquet → t3 (commit B) → m 3 (never deployed)
 *   good.parquet → t4 (commit G) → m 4 ── canary [B1, …)
 * </pre>
 */
class BlastRadiusIT {
    private static final String NS = "blast";
    private static final String BLAST = """
            query($from: ID!, $at: DateTime, $depth: Int) { blastRadius(from: $from, activeAt: $at, depth: $depth) {
              root { __typename ... on Artifact { id } ... on Run { id } ... on CodeVersion { id } }
              modelVersions { id version }
              deployments { id environment modelVersion { version } }
              truncated } }""";
    private static final Instant B1 = Instant.parse("2026-05-01T00:00:00Z");
    private static final Instant B2 = Instant.parse("2026-05-10T00:00:00Z");

    static TestCatalog catalog;
    static GraphWrites writes;
    static String features, t1, t2, t3, m1, m2, m3, m4, prod1, prod2, staging1, canary4;
    static final String BAD = artifact("s3://blast/bad.parquet");

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        writes = new GraphWrites(catalog);
        Instant t = Instant.parse("2026-04-20T00:00:00Z");
        features = writes.run(NS, "features", t, t.plusSeconds(600), List.of("s3://blast/bad.parquet"), List.of("s3://blast/feat.parquet"), sha('b'));
        t1 = writes.run(NS, "t1", t.plusSeconds(3600), t.plusSeconds(7200), List.of("s3://blast/feat.parquet"), List.of(), null);
        t2 = writes.run(NS, "t2", t.plusSeconds(3600), t.plusSeconds(7200), List.of("s3://blast/feat.parquet"), List.of(), null);
        t3 = writes.run(NS, "t3", t.plusSeconds(3600), t.plusSeconds(7200), List.of("s3://blast/other.parquet"), List.of(), sha('b'));
        String t4 = writes.run(NS, "t4", t.plusSeconds(3600), t.plusSeconds(7200), List.of("s3://blast/good.parquet"), List.of(), sha('9'));
        Instant registered = t.plusSeconds(86_400);
        m1 = writes.version(NS, "blast-m", "1", t1, null, registered);
        m2 = writes.version(NS, "blast-m", "2", t2, null, registered);
        m3 = writes.version(NS, "blast-m", "3", t3, null, registered);
        m4 = writes.version(NS, "blast-m", "4", t4, null, registered);

        prod1 = writes.deploy(NS, "prod", "blast-api", "blast-m", "1", B1, null);
        staging1 = writes.deploy(NS, "staging", "blast-api", "blast-m", "1", B1, null);
        canary4 = writes.deploy(NS, "prod", "blast-api", "blast-m", "4", B1.plusSeconds(60), 5.0);
        prod2 = writes.deploy(NS, "prod", "blast-api", "blast-m", "2", B2, null);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static JsonNode blast(String from, Instant at, Integer depth) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("from", from);
        if (at != null) {
            vars.put("at", at.toString());
        }
        if (depth != null) {
            vars.put("depth", depth);
        }
        return catalog.graphql(BLAST, vars).ok().path("blastRadius");
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    @Test
    void aBadDatasetTouchesTheVersionsTrainedOnWhatWasMadeFromIt() {
        JsonNode now = blast(BAD, null, null);

        assertThat(now.path("root").path("id").asText()).isEqualTo(BAD);
        assertThat(ids(now.path("modelVersions"))).containsExactlyInAnyOrder(m1, m2);
        // serving now: v2 in prod (it replaced v1 and the v4 canary), v1 still in staging
        assertThat(ids(now.path("deployments"))).containsExactlyInAnyOrder(prod2, staging1);
        assertThat(now.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void activeAtAnswersWhichOfThemServedThen() {
        JsonNode between = blast(BAD, B1.plusSeconds(3600), null);
        assertThat(ids(between.path("modelVersions"))).containsExactlyInAnyOrder(m1, m2);
        assertThat(ids(between.path("deployments"))).containsExactlyInAnyOrder(prod1, staging1); // not the v4 canary beside them

        assertThat(blast(BAD, B1.minusSeconds(1), null).path("deployments")).isEmpty();
        assertThat(ids(blast(BAD, B2, null).path("deployments"))).containsExactlyInAnyOrder(prod2, staging1);
    }

    @Test
    void aBadCommitTouchesEveryRunBuiltFromIt() {
        JsonNode now = blast(codeVersion(NS, sha('b')), null, null);

        assertThat(now.path("root").path("__typename").asText()).isEqualTo("CodeVersion");
        assertThat(ids(now.path("modelVersions"))).containsExactlyInAnyOrder(m1, m2, m3);
        assertThat(ids(now.path("deployments"))).containsExactlyInAnyOrder(prod2, staging1);
        assertThat(now.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void aBadRunTouchesOnlyWhatCameOutOfIt() {
        assertThat(ids(blast(t1, null, null).path("modelVersions"))).containsExactly(m1);
        assertThat(ids(blast(t1, null, null).path("deployments"))).containsExactly(staging1);
        assertThat(ids(blast(t1, B1.plusSeconds(3600), null).path("deployments"))).containsExactlyInAnyOrder(prod1, staging1);
        assertThat(ids(blast(features, null, null).path("modelVersions"))).containsExactlyInAnyOrder(m1, m2);
    }

    @Test
    void aDepthTooSmallToReachTheVersionsSaysItWasCut() {
        JsonNode shallow = blast(BAD, null, 2);
        assertThat(shallow.path("modelVersions")).isEmpty();
        assertThat(shallow.path("truncated").asBoolean()).isTrue();

        JsonNode enough = blast(BAD, null, 4);
        assertThat(ids(enough.path("modelVersions"))).containsExactlyInAnyOrder(m1, m2);
        assertThat(enough.path("truncated").asBoolean()).isTrue(); // the deployments lie one hop further
        assertThat(ids(enough.path("deployments"))).containsExactlyInAnyOrder(prod2, staging1);

        assertThat(blast(BAD, null, 5).path("truncated").asBoolean()).isFalse();
    }

    @Test
    void thenLineageDownstreamShowsHowTheDatasetReachedThem() {
        JsonNode g = writes.lineage(BAD, "DOWNSTREAM", 5, null, null).ok().path("lineage");
        assertThat(GraphWrites.nodes(g)).containsExactlyInAnyOrder(BAD, features, artifact("s3://blast/feat.parquet"), t1, t2, m1, m2,
                prod1, staging1, prod2);
        assertThat(g.path("truncated").asBoolean()).isFalse();
    }
}
