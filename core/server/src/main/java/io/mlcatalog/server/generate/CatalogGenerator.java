package io.mlcatalog.server.generate;

import io.mlcatalog.server.db.DatabaseStartException;
import io.mlcatalog.server.db.DatabaseUrl;
import io.mlcatalog.server.db.Migrations;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * {@code mlcatalog generate}: a synthetic catalog of realistic shape, bulk-loaded with COPY into an
 * empty catalog database, for benchmarks and load tests. The rows are what the API would have
 * written for the same history (the same deterministic ids, edges in step with the rows they mirror,
 * assertions, change log), so the server serves them like any other data.
 *
 * <p>The load is one transaction: the tables are truncated (they are empty, or {@code force} was
 * given) and filled with {@code COPY … FREEZE}, then {@code ANALYZE} gives the planner statistics.
 */
public final class CatalogGenerator {

    /**
     * What to generate.
     *
     * @param seed   the seed of every random choice: the same seed and scale give identical rows
     * @param scale  1.0 for 100,000 runs and about a million lineage edges
     * @param force  delete whatever the catalog holds first (otherwise a catalog with data is refused)
     * @param sample where to write the benchmark's sample file, or null
     * @param perKind how many roots of each kind (and explain instants) the sample holds
     */
    public record Options(long seed, double scale, boolean force, Path sample, int perKind) {
        public Options {
            Sizes.of(scale); // validates
            if (perKind < 1) {
                throw new IllegalArgumentException("the sample needs at least one root of each kind");
            }
        }
    }

    /** What was written: rows per table, and how long each phase took. */
    public record Result(Map<String, Long> rows, double simulateSeconds, double loadSeconds, double analyzeSeconds, double totalSeconds) {
    }

    private final DatabaseUrl url;
    private final PrintStream out;

    public CatalogGenerator(DatabaseUrl url, PrintStream out) {
        this.url = requireNonNull(url, "url is null");
        this.out = requireNonNull(out, "out is null");
    }

    public Result generate(Options o) throws SQLException, IOException {
        long start = System.nanoTime();
        Sizes sizes = Sizes.of(o.scale());
        migrate(url);
        try (Connection conn = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
            List<String> tables = catalogTables(conn);
            List<String> holding = tablesWithData(conn, tables);
            if (!holding.isEmpty() && !o.force()) {
                throw new IllegalStateException("the catalog in " + url + " already holds data (" + String.join(", ", holding)
                        + "): generate fills an empty catalog. Use another --data-dir or --database-url, or add --force to delete "
                        + "everything in this one first.");
            }
            say(String.format(Locale.ROOT, "generating a catalog (seed %d, scale %s: %,d runs, %,d artifacts, %,d models, %,d versions, "
                            + "%,d deployments, about %,d lineage edges) into %s", o.seed(), o.scale(), sizes.runs(), sizes.artifacts(),
                    sizes.models(), sizes.versions(), sizes.deployments(), sizes.edgesTarget(), url));
            long t = System.nanoTime();
            SyntheticCatalog catalog = SyntheticCatalog.generate(o.seed(), sizes);
            double simulate = seconds(t);
            say(String.format(Locale.ROOT, "  simulated a year of pipelines in %.1f s", simulate));

            t = System.nanoTime();
            Map<String, Long> rows = new LinkedHashMap<>();
            conn.setAutoCommit(false);
            try (Statement s = conn.createStatement()) {
                s.execute("set local synchronous_commit = off");
                // empty already, unless --force; truncating in this transaction is also what lets COPY write frozen rows
                s.execute("truncate table " + String.join(", ", tables) + " restart identity");
            }
            new CatalogLoader(conn.unwrap(PGConnection.class).getCopyAPI(), catalog, true, (table, n, nanos) -> {
                rows.put(table, n);
                say(String.format(Locale.ROOT, "  %-13s %,11d rows  %6.1f s", table, n, nanos / 1e9));
            }).load();
            try (Statement s = conn.createStatement()) {
                // the generated history is not in the change feed: subscribers get what is written from here on
                s.execute("""
                        insert into change_feed_position (tx, change_id, seq)
                        select pg_current_xact_id(), coalesce(max(id), 0), 0 from change_log
                        on conflict (singleton) do update set tx = excluded.tx, change_id = excluded.change_id, seq = 0""");
            }
            conn.commit();
            double load = seconds(t);
            say(String.format(Locale.ROOT, "  loaded and committed in %.1f s", load));

            t = System.nanoTime();
            conn.setAutoCommit(true);
            try (Statement s = conn.createStatement()) {
                for (String table : CatalogLoader.TABLES) {
                    s.execute("analyze " + table);
                }
            }
            double analyze = seconds(t);
            say(String.format(Locale.ROOT, "  analyzed in %.1f s", analyze));

            if (o.sample() != null) {
                Map<String, Object> sample = SampleFile.of(catalog, o.perKind());
                SampleFile.write(o.sample(), sample);
                say("  sample for benchmarks written to " + o.sample().toAbsolutePath() + " (" + o.perKind() + " roots of each kind, "
                        + ((List<?>) sample.get("popularDatasets")).size() + " popular datasets, " + ((List<?>) sample.get("explain")).size()
                        + " explain instants)");
            }
            double total = seconds(start);
            long all = rows.values().stream().mapToLong(Long::longValue).sum();
            say(String.format(Locale.ROOT, "generated %,d rows (%,d lineage edges) in %.1f s", all, rows.get("lineage_edge"), total));
            return new Result(rows, simulate, load, analyze, total);
        }
    }

    private static void migrate(DatabaseUrl url) {
        try {
            Migrations.migrate(url);
        } catch (FlywayException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new DatabaseStartException("cannot use the database " + url + ": " + root.getMessage()
                    + ". Check that PostgreSQL runs there and that the URL, user and password are right.", e);
        }
    }

    /**
     * Every table of the catalog's schema but the migration history: the data tables, facets, plugin
     * checkpoints and statuses (a checkpoint without its data would make a plugin skip what it never wrote).
     */
    private static List<String> catalogTables(Connection conn) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("""
                select format('%I', tablename) from pg_tables
                where schemaname = current_schema() and tablename not in ('flyway_schema_history', 'change_feed_position')
                order by tablename""")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    private static List<String> tablesWithData(Connection conn, List<String> tables) throws SQLException {
        List<String> holding = new ArrayList<>();
        try (Statement s = conn.createStatement()) {
            for (String table : tables) {
                // quoted names of the schema's own tables, never input
                try (ResultSet rs = s.executeQuery("select exists (select 1 from " + table + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        holding.add(table);
                    }
                }
            }
        }
        return holding;
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
