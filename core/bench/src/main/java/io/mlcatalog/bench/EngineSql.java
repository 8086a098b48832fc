package io.mlcatalog.bench;

import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * What the lineage engine of the benchmarked jar sends to PostgreSQL per hop, and the limits its API
 * walks with, read from that very jar (its {@code LineageStore} and {@code LineageWiring}), so that the
 * plans checked are those of the statements that run.
 *
 * @param upstreamHop    one hop towards inputs: {@code $1} frontier uuid[], {@code $2} instant or null, {@code $3} rows per node
 * @param downstreamReach one hop of blastRadius's reachability walk ({@code $1} frontier, {@code $2} instant or null), or
 *                       null for an engine that walks blast radii with the hop statements
 * @param lineage        the limits of {@code lineage} (its perHopLimit is the argument's default)
 * @param blast          the limits of {@code blastRadius}
 */
record EngineSql(String upstreamHop, String downstreamHop, String upstreamBeyond, String downstreamBeyond, String downstreamReach,
                 Limits lineage, Limits blast) {

    /** A walk's limits: per-hop edges per node, nodes in the result, time budget. */
    record Limits(int perHopLimit, int maxNodes, double budgetSeconds) {
    }

    static EngineSql of(Path jar) {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> store = Class.forName("io.mlcatalog.server.store.LineageStore", false, loader);
            Class<?> wiring = Class.forName("io.mlcatalog.server.graphql.LineageWiring", true, loader);
            return new EngineSql(text(store, "UPSTREAM_HOP_SQL"), text(store, "DOWNSTREAM_HOP_SQL"), text(store, "UPSTREAM_BEYOND_SQL"),
                    text(store, "DOWNSTREAM_BEYOND_SQL"), optionalText(store, "DOWNSTREAM_REACH_SQL"), limits(wiring, "LINEAGE"),
                    limits(wiring, "BLAST"));
        } catch (ReflectiveOperationException | java.io.IOException | LinkageError e) {
            throw new BenchException("cannot read the lineage engine's SQL and limits from " + jar + " (" + e
                    + "): this benchmark expects io.mlcatalog.server.store.LineageStore.UPSTREAM_HOP_SQL and the like");
        }
    }

    private static String text(Class<?> c, String name) throws ReflectiveOperationException {
        return (String) c.getField(name).get(null);
    }

    private static String optionalText(Class<?> c, String name) throws ReflectiveOperationException {
        try {
            return text(c, name);
        } catch (NoSuchFieldException absent) {
            return null;
        }
    }

    private static Limits limits(Class<?> c, String name) throws ReflectiveOperationException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        Object limits = f.get(null);
        Class<?> type = limits.getClass();
        java.time.Duration budget = (java.time.Duration) type.getMethod("budget").invoke(limits);
        return new Limits((Integer) type.getMethod("perHopLimit").invoke(limits), (Integer) type.getMethod("maxNodes").invoke(limits),
                budget.toMillis() / 1000.0);
    }
}
