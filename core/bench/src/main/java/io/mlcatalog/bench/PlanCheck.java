package io.mlcatalog.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code EXPLAIN (ANALYZE, BUFFERS)} of every statement a lineage walk sends, hop by hop, for one root:
 * the walk is replayed over JDBC with the engine's own SQL (prepared once, as the server's client
 * does), each statement explained with the plan PostgreSQL makes for the values at hand (custom) and
 * with the plan it may switch to for a statement run many times (generic), then run to find the next
 * frontier.
 */
final class PlanCheck {
    private static final Pattern INDEX = Pattern.compile("(Index Only Scan|Index Scan|Bitmap Index Scan) using (\\w+) on lineage_edge");
    private static final Pattern HEAP_FETCHES = Pattern.compile("Heap Fetches: (\\d+)");
    private static final Pattern EXECUTION = Pattern.compile("Execution Time: ([0-9.]+) ms");
    private static final Pattern ROWS = Pattern.compile("^\\S.*actual time=[0-9.]+\\.\\.[0-9.]+ rows=([0-9.]+)", Pattern.MULTILINE);

    private final Connection c;
    private final EngineSql sql;

    PlanCheck(Connection c, EngineSql sql) throws SQLException {
        this.c = c;
        this.sql = sql;
        try (Statement s = c.createStatement()) {
            s.execute("prepare up_hop(uuid[], timestamptz, int) as " + sql.upstreamHop());
            s.execute("prepare down_hop(uuid[], timestamptz, int) as " + sql.downstreamHop());
            s.execute("prepare up_beyond(uuid[], timestamptz) as " + sql.upstreamBeyond());
            s.execute("prepare down_beyond(uuid[], timestamptz) as " + sql.downstreamBeyond());
            if (sql.downstreamReach() != null) {
                s.execute("prepare down_reach(uuid[], timestamptz) as " + sql.downstreamReach());
            }
        }
    }

    /** One statement of a walk, its plans, and how long running it and reading its rows over JDBC took (not explained). */
    record Step(String statement, int hop, int frontier, Plan custom, Plan generic, double runMillis) {
        boolean seqScan() {
            return custom.seqScan() || generic.seqScan();
        }
    }

    /** A plan and its key lines. */
    record Plan(String text, String index, long heapFetches, double executionMillis, long rows) {
        boolean seqScan() {
            return text.contains("Seq Scan on lineage_edge");
        }

        static Plan of(String text) {
            Matcher index = INDEX.matcher(text);
            long fetches = 0;
            for (Matcher m = HEAP_FETCHES.matcher(text); m.find(); ) {
                fetches += Long.parseLong(m.group(1));
            }
            Matcher exec = EXECUTION.matcher(text);
            Matcher rows = ROWS.matcher(text);
            return new Plan(text, index.find() ? index.group(1) + " using " + index.group(2) : "no index of lineage_edge", fetches,
                    exec.find() ? Double.parseDouble(exec.group(1)) : Double.NaN, rows.find() ? (long) Double.parseDouble(rows.group(1)) : -1);
        }
    }

    /** A walk described for the report. */
    record Walk(String label, List<Step> steps) {
        boolean seqScan() {
            return steps.stream().anyMatch(Step::seqScan);
        }
    }

    /**
     * Replays a walk as the engine does it (breadth first, each node once, its newest {@code perHop} edges
     * per hop, at most {@code maxNodes} nodes), explaining each statement.
     *
     * @param asOf an RFC 3339 instant, or null
     */
    Walk walk(String label, UUID root, boolean upstream, String asOf, int depth, int perHop, int maxNodes) throws SQLException {
        List<Step> steps = new ArrayList<>();
        Set<UUID> visited = new HashSet<>(List.of(root));
        List<UUID> frontier = List.of(root);
        String at = asOf == null ? "null" : "'" + asOf + "'";
        int hop = 0;
        for (; hop < depth && !frontier.isEmpty(); hop++) {
            String name = upstream ? "up_hop" : "down_hop";
            String execute = "execute " + name + "(" + array(frontier) + ", " + at + ", " + (perHop + 1) + ")";
            Plan custom = explain(execute, "force_custom_plan");
            Plan generic = explain(execute, "force_generic_plan");
            Map<UUID, Integer> perNode = new HashMap<>();
            List<UUID> next = new ArrayList<>();
            long t0 = System.nanoTime();
            try (PreparedStatement s = bound(upstream ? sql.upstreamHop() : sql.downstreamHop(), frontier, asOf, perHop + 1);
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    UUID node = rs.getObject("node", UUID.class);
                    if (perNode.merge(node, 1, Integer::sum) <= perHop) {
                        UUID other = rs.getObject(upstream ? "from_id" : "to_id", UUID.class);
                        if (visited.size() < maxNodes && visited.add(other)) {
                            next.add(other);
                        }
                    }
                }
            }
            steps.add(new Step(name, hop + 1, frontier.size(), custom, generic, (System.nanoTime() - t0) / 1e6));
            frontier = next;
        }
        if (!frontier.isEmpty()) {
            String name = upstream ? "up_beyond" : "down_beyond";
            String execute = "execute " + name + "(" + array(frontier) + ", " + at + ")";
            Plan custom = explain(execute, "force_custom_plan");
            Plan generic = explain(execute, "force_generic_plan");
            long t0 = System.nanoTime();
            try (PreparedStatement s = bound(upstream ? sql.upstreamBeyond() : sql.downstreamBeyond(), frontier, asOf, -1);
                 ResultSet rs = s.executeQuery()) {
                rs.next();
            }
            steps.add(new Step(name, hop + 1, frontier.size(), custom, generic, (System.nanoTime() - t0) / 1e6));
        }
        return new Walk(label, steps);
    }

    /**
     * Replays a downstream reachability walk as blastRadius does it (breadth first, each node once, every edge,
     * at most {@code maxNodes} nodes), explaining each statement.
     */
    Walk reach(String label, UUID root, int depth, int maxNodes) throws SQLException {
        List<Step> steps = new ArrayList<>();
        Set<UUID> visited = new HashSet<>(List.of(root));
        List<UUID> frontier = List.of(root);
        int hop = 0;
        for (; hop < depth && !frontier.isEmpty(); hop++) {
            String execute = "execute down_reach(" + array(frontier) + ", null)";
            Plan custom = explain(execute, "force_custom_plan");
            Plan generic = explain(execute, "force_generic_plan");
            List<UUID> next = new ArrayList<>();
            long t0 = System.nanoTime();
            try (PreparedStatement s = bound(sql.downstreamReach(), frontier, null, -1); ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    UUID other = rs.getObject("id", UUID.class);
                    if (visited.size() < maxNodes && visited.add(other)) {
                        next.add(other);
                    }
                }
            }
            steps.add(new Step("down_reach", hop + 1, frontier.size(), custom, generic, (System.nanoTime() - t0) / 1e6));
            frontier = next;
        }
        if (!frontier.isEmpty()) {
            String execute = "execute down_beyond(" + array(frontier) + ", null)";
            Plan custom = explain(execute, "force_custom_plan");
            Plan generic = explain(execute, "force_generic_plan");
            long t0 = System.nanoTime();
            try (PreparedStatement s = bound(sql.downstreamBeyond(), frontier, null, -1); ResultSet rs = s.executeQuery()) {
                rs.next();
            }
            steps.add(new Step("down_beyond", hop + 1, frontier.size(), custom, generic, (System.nanoTime() - t0) / 1e6));
        }
        return new Walk(label, steps);
    }

    private static final Pattern PARAMETER = Pattern.compile("\\$(\\d)");

    /**
     * The engine's statement with its values bound as parameters, as the server sends it (the frontier as
     * one uuid[] parameter): {@code $n} becomes {@code ?}, nothing else changes.
     */
    private PreparedStatement bound(String statement, List<UUID> frontier, String asOf, int limit) throws SQLException {
        List<Integer> order = new ArrayList<>();
        Matcher m = PARAMETER.matcher(statement);
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)));
        }
        PreparedStatement ps = c.prepareStatement(PARAMETER.matcher(statement).replaceAll("?"));
        for (int i = 0; i < order.size(); i++) {
            switch (order.get(i)) {
                case 1 -> ps.setArray(i + 1, c.createArrayOf("uuid", frontier.toArray()));
                case 2 -> ps.setObject(i + 1, asOf == null ? null : java.time.OffsetDateTime.parse(asOf), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
                case 3 -> ps.setInt(i + 1, limit);
                default -> throw new IllegalStateException("unexpected parameter $" + order.get(i) + " in " + statement);
            }
        }
        return ps;
    }

    private Plan explain(String execute, String planCacheMode) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("set plan_cache_mode = " + planCacheMode);
            try (ResultSet rs = s.executeQuery("explain (analyze, buffers) " + execute)) {
                StringBuilder plan = new StringBuilder();
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
                return Plan.of(plan.toString());
            } finally {
                s.execute("reset plan_cache_mode");
            }
        }
    }

    /** A uuid[] literal of ids read from the database (not input: no quoting issue). */
    private static String array(List<UUID> ids) {
        return ids.stream().map(UUID::toString).collect(Collectors.joining(",", "'{", "}'::uuid[]"));
    }

    /** The walk's steps as lines: hop, statement, frontier, plan, heap fetches, rows, time. */
    static List<String> summary(Walk w) {
        List<String> lines = new ArrayList<>();
        lines.add(w.label());
        for (Step s : w.steps()) {
            lines.add(String.format(Locale.ROOT, "  hop %2d %-11s frontier %,7d -> %,7d rows | custom: %s, heap fetches %d, %.2f ms | generic: %s, %.2f ms%s",
                    s.hop(), s.statement(), s.frontier(), s.custom().rows(), s.custom().index(), s.custom().heapFetches(),
                    s.custom().executionMillis(), s.generic().index(), s.generic().executionMillis(),
                    s.seqScan() ? "  <- SEQ SCAN ON lineage_edge" : ""));
        }
        lines.add(String.format(Locale.ROOT, "  all hops: %.1f ms of execution with custom plans, %.1f ms with generic plans (EXPLAIN ANALYZE's "
                        + "own timing included); run with bound parameters and read over JDBC, not explained: %.1f ms",
                w.steps().stream().mapToDouble(s -> s.custom().executionMillis()).sum(),
                w.steps().stream().mapToDouble(s -> s.generic().executionMillis()).sum(),
                w.steps().stream().mapToDouble(Step::runMillis).sum()));
        return lines;
    }
}
