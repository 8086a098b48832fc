package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;

import static io.mlcatalog.server.lineage.GraphWrites.artifact;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * blastRadius walks an in-memory copy of the edges ({@link ReachabilityIndex}); these tests hold it to what the walk
 * in SQL finds on the same database, and to the edges committed since it last looked, in whatever order their
 * transactions commit.
 */
class ReachabilityIndexIT {
    private static final String NS = "reach";
    private static final String BLAST = """
            query($from: ID!, $depth: Int) { blastRadius(from: $from, depth: $depth) { modelVersions { id } truncated } }""";
    private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");

    static TestCatalog indexed;
    static GraphWrites writes;
    static final List<String> roots = new ArrayList<>();

    @BeforeAll
    static void start() {
        indexed = TestCatalog.start();
        writes = new GraphWrites(indexed);
        // pipelines over 30 datasets: each run reads one to three of them and writes one or two, so that datasets feed
        // each other in chains, diamonds and cycles; a third of the runs register a model version
        Random random = new Random(7);
        for (int i = 0; i < 90; i++) {
            List<String> in = new ArrayList<>();
            for (int k = random.nextInt(3); k >= 0; k--) {
                in.add("s3://reach/d" + random.nextInt(30));
            }
            List<String> out = new ArrayList<>();
            for (int k = random.nextInt(2); k >= 0; k--) {
                out.add("s3://reach/d" + random.nextInt(30));
            }
            Instant at = T.plusSeconds(3600L * i);
            String run = writes.run(NS, "job-" + i, at, at.plusSeconds(600), in, out, null);
            if (i % 3 == 0) {
                String version = writes.version(NS, "model-" + (i % 4), "v" + i, run, null, at.plusSeconds(900));
                if (i % 27 == 0) {
                    roots.add(version); // a bad version is in its own blast radius
                }
            }
            if (i % 9 == 0) {
                roots.add(run);
            }
        }
        for (int d = 0; d < 30; d += 3) {
            roots.add(artifact("s3://reach/d" + d));
        }
    }

    @AfterAll
    static void stop() {
        indexed.close();
    }

    private static JsonNode blast(TestCatalog catalog, String from, int depth) {
        return catalog.graphql(BLAST, Map.of("from", from, "depth", depth)).ok().path("blastRadius");
    }

    /** The versions and the truncated flag, as one comparable text. */
    private static String answer(TestCatalog catalog, String from, int depth) {
        JsonNode b = blast(catalog, from, depth);
        TreeSet<String> versions = new TreeSet<>(b.path("modelVersions").findValuesAsText("id"));
        return versions + " truncated=" + b.path("truncated").asBoolean();
    }

    private static TestCatalog startWithMaxEdges(long maxEdges) {
        System.setProperty(ReachabilityIndex.MAX_EDGES_PROPERTY, Long.toString(maxEdges));
        try {
            return TestCatalog.start(Limits.DEFAULT, indexed.database());
        } finally {
            System.clearProperty(ReachabilityIndex.MAX_EDGES_PROPERTY);
        }
    }

    @Test
    void theIndexFindsWhatTheWalkInSqlFinds_atEveryDepth() {
        // another server on the same database: 0 turns its index off; 10 is fewer edges than the catalog has
        try (TestCatalog sql = startWithMaxEdges(0); TestCatalog tooSmall = startWithMaxEdges(10)) {
            int nonEmpty = 0;
            int cut = 0;
            for (String root : roots) {
                for (int depth : new int[] {1, 2, 4, 20}) {
                    String expected = answer(sql, root, depth);
                    assertThat(answer(indexed, root, depth)).as("blastRadius(from: %s, depth: %d)", root, depth).isEqualTo(expected);
                    assertThat(answer(tooSmall, root, depth)).as("blastRadius(from: %s, depth: %d)", root, depth).isEqualTo(expected);
                    nonEmpty += expected.startsWith("[]") ? 0 : 1;
                    cut += expected.endsWith("truncated=true") ? 1 : 0;
                }
            }
            // the graph is one where the comparison says something: versions found, and depths that cut walks
            assertThat(nonEmpty).isGreaterThan(roots.size());
            assertThat(cut).isGreaterThan(5);
        }
    }

    @Test
    void edgesOfTransactionsThatCommitOutOfOrderAreSeen_andRolledBackOnesNever() throws Exception {
        String dataset = artifact("s3://reach/late-source");
        String reader = writes.run(NS, "late-reader", T, T.plusSeconds(60), List.of("s3://reach/late-source"), List.of(), null);
        String slow = writes.version(NS, "late-model", "slow", null, null, T);
        String aborted = writes.version(NS, "late-model", "aborted", null, null, T);
        assertThat(answer(indexed, dataset, 20)).isEqualTo("[] truncated=false"); // the index is loaded, and nothing is downstream yet

        try (Connection a = connect(indexed); Connection c = connect(indexed)) {
            a.setAutoCommit(false);
            c.setAutoCommit(false);
            insertEdge(a, dataset, slow); // transaction A starts first and stays open
            insertEdge(c, dataset, aborted);
            String quick = writes.version(NS, "late-model", "quick", reader, null, T.plusSeconds(120)); // commits now

            assertThat(answer(indexed, dataset, 20)).isEqualTo(List.of(quick) + " truncated=false");

            a.commit(); // A commits after the index has seen a snapshot in which it was still running
            c.rollback();
            assertThat(answer(indexed, dataset, 20)).isEqualTo(new TreeSet<>(List.of(quick, slow)) + " truncated=false");
        }
    }

    @Test
    void aTruncatedEdgeTableIsLoadedAgain() throws Exception {
        try (TestCatalog own = TestCatalog.start()) {
            GraphWrites w = new GraphWrites(own);
            String run = w.run(NS, "trainer", T, T.plusSeconds(60), List.of("s3://reach/t-in"), List.of(), null);
            String v1 = w.version(NS, "t-model", "1", run, null, T.plusSeconds(120));
            String v2 = w.version(NS, "t-model", "2", null, null, T.plusSeconds(120));
            String source = artifact("s3://reach/t-in");
            assertThat(answer(own, source, 20)).isEqualTo(List.of(v1) + " truncated=false");

            try (Connection c = connect(own); Statement s = c.createStatement()) {
                s.execute("truncate lineage_edge");
                insertEdge(c, source, v2);
            }
            assertThat(answer(own, source, 20)).isEqualTo(List.of(v2) + " truncated=false");
        }
    }

    @Test
    void moreNewEdgesThanOneLookReadsAreLoadedAgainWhole() throws Exception {
        try (TestCatalog own = TestCatalog.start()) {
            GraphWrites w = new GraphWrites(own);
            String run = w.run(NS, "bulk", T, T.plusSeconds(60), List.of("s3://reach/b-in"), List.of(), null);
            String v1 = w.version(NS, "b-model", "1", run, null, T.plusSeconds(120));
            String v2 = w.version(NS, "b-model", "2", null, null, T.plusSeconds(120));
            String source = artifact("s3://reach/b-in");
            assertThat(answer(own, source, 20)).isEqualTo(List.of(v1) + " truncated=false");

            try (Connection c = connect(own); Statement s = c.createStatement()) {
                // a bulk load: more edges in one transaction than a look reads, one of them from the source
                s.execute("insert into lineage_edge (id, from_id, from_type, to_id, to_type, kind, created_at) select gen_random_uuid(), "
                        + "gen_random_uuid(), 'run', gen_random_uuid(), 'artifact', 'PRODUCED', now() from generate_series(1, "
                        + ReachabilityIndex.MAX_NEW_EDGES + ")");
                insertEdge(c, source, v2);
            }
            assertThat(answer(own, source, 20)).isEqualTo(new TreeSet<>(List.of(v1, v2)) + " truncated=false");
        }
    }

    private static Connection connect(TestCatalog catalog) throws Exception {
        var db = catalog.database();
        return java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    /** An edge from an artifact to a model version, written as a writer transaction writes it (its default inserted_by). */
    private static void insertEdge(Connection c, String artifactId, String versionId) throws Exception {
        UUID from = GlobalId.parse(artifactId, "artifact").uuid();
        UUID to = GlobalId.parse(versionId, "version").uuid();
        try (PreparedStatement s = c.prepareStatement("""
                insert into lineage_edge (id, from_id, from_type, to_id, to_type, kind, since, until, created_at)
                values (?, ?, 'artifact', ?, 'model_version', 'REGISTERED_FROM_ARTIFACT', null, null, now())""")) {
            s.setObject(1, UUID.randomUUID());
            s.setObject(2, from);
            s.setObject(3, to);
            s.executeUpdate();
        }
    }
}
