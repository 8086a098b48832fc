package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.store.LineageStore;
import io.mlcatalog.server.testing.GeneratedCatalog;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plans of the statements a lineage walk sends, hop by hop, on a generated catalog after ANALYZE:
 * each follows an edge index (an index-only scan of lineage_edge_upstream or _downstream); none reads
 * the whole edge table. Checked with the plan PostgreSQL makes for the values at hand (a custom plan)
 * and with the one it may switch to for a statement prepared once and run many times, as the server's
 * client does (a generic plan).
 */
class LineagePlansIT {
    static final int PER_HOP = 100;
    static Connection connection;
    static JsonNode sample;

    @BeforeAll
    static void connect() throws Exception {
        GeneratedCatalog generated = GeneratedCatalog.of(42, 0.01);
        DatabaseUrl db = generated.database();
        sample = TestCatalog.JSON.readTree(generated.sample().toFile());
        connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        try (Statement s = connection.createStatement()) {
            s.execute("prepare up_hop(uuid[], timestamptz, int) as " + LineageStore.UPSTREAM_HOP_SQL);
            s.execute("prepare down_hop(uuid[], timestamptz, int) as " + LineageStore.DOWNSTREAM_HOP_SQL);
            s.execute("prepare up_beyond(uuid[], timestamptz) as " + LineageStore.UPSTREAM_BEYOND_SQL);
            s.execute("prepare down_beyond(uuid[], timestamptz) as " + LineageStore.DOWNSTREAM_BEYOND_SQL);
            s.execute("prepare down_reach(uuid[], timestamptz) as " + LineageStore.DOWNSTREAM_REACH_SQL);
            s.execute("prepare new_edges(text, text, int) as " + ReachabilityIndex.NEW_EDGES_SQL);
        }
    }

    @AfterAll
    static void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }

    /** One statement of a walk and its two plans. */
    record Step(String statement, int frontier, String custom, String generic) {
        @Override
        public String toString() {
            return statement + " (frontier of " + frontier + ")\n-- custom plan:\n" + custom + "\n-- generic plan:\n" + generic;
        }
    }

    @Test
    void anUpstreamWalkFollowsTheUpstreamIndexAtEveryHop() throws SQLException {
        List<Step> steps = walk(root("ModelVersion"), true, null, 10);
        assertThat(steps.size()).as("hops walked").isGreaterThan(3);
        assertIndexed(steps, "lineage_edge_upstream");
    }

    @Test
    void aDownstreamWalkFromTheMostReadDatasetFollowsTheDownstreamIndexAtEveryHop() throws SQLException {
        List<Step> steps = walk(GlobalId.parse(sample.path("popularDatasets").get(0).path("id").asText(), "id").uuid(), false, null, 10);
        assertThat(steps.stream().mapToInt(Step::frontier).max().orElse(0)).as("widest frontier").isGreaterThan(PER_HOP);
        assertIndexed(steps, "lineage_edge_downstream");
    }

    @Test
    void aWalkAsOfAnInstantFollowsTheIndexesToo() throws SQLException {
        JsonNode triple = sample.path("explain").get(0);
        List<Step> steps = walk(GlobalId.parse(triple.path("run").asText(), "run").uuid(), true, triple.path("at").asText(), 5);
        assertIndexed(steps, "lineage_edge_upstream");
        assertIndexed(walk(root("CodeVersion"), false, triple.path("at").asText(), 5), "lineage_edge_downstream");
    }

    /** blastRadius's walk in SQL (above the in-memory index's size): every edge of every node, by the downstream index. */
    @Test
    void aReachabilityWalkFromTheMostReadDatasetFollowsTheDownstreamIndexAtEveryHop() throws SQLException {
        UUID root = GlobalId.parse(sample.path("popularDatasets").get(0).path("id").asText(), "id").uuid();
        List<Step> steps = new ArrayList<>();
        Set<UUID> visited = new HashSet<>(List.of(root));
        List<UUID> frontier = List.of(root);
        for (int hop = 0; hop < 10 && !frontier.isEmpty(); hop++) {
            String execute = "execute down_reach(" + array(frontier) + ", null)";
            steps.add(new Step("down_reach", frontier.size(), explain(execute, "force_custom_plan"), explain(execute, "force_generic_plan")));
            List<UUID> next = new ArrayList<>();
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(execute)) {
                while (rs.next()) {
                    UUID id = rs.getObject("id", UUID.class);
                    if (visited.add(id)) {
                        next.add(id);
                    }
                }
            }
            frontier = next;
        }
        assertThat(steps.size()).as("hops walked").isGreaterThan(3);
        assertIndexed(steps, "lineage_edge_downstream");
    }

    /** What the in-memory index reads before each blast radius: the edges of transactions its last snapshot did not see. */
    @Test
    void theBlastRadiusIndexFindsNewEdgesByTheInsertedByIndex() throws SQLException {
        String snapshot;
        String xmin;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("select pg_current_snapshot()::text, pg_snapshot_xmin(pg_current_snapshot())::text")) {
            rs.next();
            snapshot = rs.getString(1);
            xmin = rs.getString(2);
        }
        String execute = "execute new_edges('" + xmin + "', '" + snapshot + "', " + (ReachabilityIndex.MAX_NEW_EDGES + 1) + ")";
        for (String plan : List.of(explain(execute, "force_custom_plan"), explain(execute, "force_generic_plan"))) {
            // an index scan or a bitmap index scan, by the plan's estimate of how many edges are new
            assertThat(plan).doesNotContain("Seq Scan on lineage_edge").containsPattern("Index Scan (using|on) lineage_edge_inserted_by");
        }
    }

    private static UUID root(String kind) {
        return GlobalId.parse(sample.path("roots").path(kind).get(0).asText(), "root").uuid();
    }

    private static void assertIndexed(List<Step> steps, String index) {
        assertThat(steps).isNotEmpty();
        for (Step step : steps) {
            for (String plan : List.of(step.custom(), step.generic())) {
                assertThat(plan).as("%s", step).doesNotContain("Seq Scan on lineage_edge").contains("using " + index + " on lineage_edge");
            }
        }
    }

    /**
     * Walks as {@link LineageWalk} does (breadth first, each node once, its newest {@code PER_HOP} edges per
     * hop), explaining each statement before running it.
     */
    private static List<Step> walk(UUID root, boolean upstream, String asOf, int depth) throws SQLException {
        List<Step> steps = new ArrayList<>();
        Set<UUID> visited = new HashSet<>(List.of(root));
        List<UUID> frontier = List.of(root);
        String at = asOf == null ? "null" : "'" + asOf + "'";
        for (int hop = 0; hop < depth && !frontier.isEmpty(); hop++) {
            String execute = "execute " + (upstream ? "up_hop" : "down_hop") + "(" + array(frontier) + ", " + at + ", " + (PER_HOP + 1) + ")";
            steps.add(new Step(execute.substring(0, execute.indexOf('(')), frontier.size(), explain(execute, "force_custom_plan"),
                    explain(execute, "force_generic_plan")));
            Map<UUID, Integer> perNode = new HashMap<>();
            List<UUID> next = new ArrayList<>();
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(execute)) {
                while (rs.next()) {
                    UUID node = rs.getObject("node", UUID.class);
                    if (perNode.merge(node, 1, Integer::sum) <= PER_HOP) {
                        UUID other = rs.getObject(upstream ? "from_id" : "to_id", UUID.class);
                        if (visited.add(other)) {
                            next.add(other);
                        }
                    }
                }
            }
            frontier = next;
        }
        if (!frontier.isEmpty()) {
            String execute = "execute " + (upstream ? "up_beyond" : "down_beyond") + "(" + array(frontier) + ", " + at + ")";
            steps.add(new Step(execute.substring(0, execute.indexOf('(')), frontier.size(), explain(execute, "force_custom_plan"),
                    explain(execute, "force_generic_plan")));
        }
        return steps;
    }

    private static String explain(String execute, String planCacheMode) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("set plan_cache_mode = " + planCacheMode);
            try (ResultSet rs = s.executeQuery("explain (analyze, buffers) " + execute)) {
                StringBuilder plan = new StringBuilder();
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
                return plan.toString();
            } finally {
                s.execute("reset plan_cache_mode");
            }
        }
    }

    /** A uuid[] literal; the values are UUIDs this test read, not input. */
    private static String array(List<UUID> ids) {
        return ids.stream().map(UUID::toString).collect(Collectors.joining(",", "'{", "}'::uuid[]"));
    }
}
