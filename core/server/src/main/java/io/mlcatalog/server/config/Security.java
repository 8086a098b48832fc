package io.mlcatalog.server.config;

import java.nio.file.Path;

/**
 * Access control and what the API shows of itself.
 *
 * @param auth                    whether requests need a token
 * @param introspection           whether GraphQL introspection ({@code __schema}, {@code __type}) is answered
 * @param graphiql                whether {@code /graphiql/} is served
 * @param pointsPerMinute         each token's budget of query cost points a minute (0: no budget)
 * @param requestsPerMinute       each token's budget of requests a minute (0: no budget)
 * @param persistedQueries        a folder of {@code *.graphql} files clients may name by their SHA-256, or null
 * @param requirePersistedQueries whether reader tokens may run only those
 */
public record Security(AuthMode auth, boolean introspection, boolean graphiql, long pointsPerMinute, int requestsPerMinute,
                       Path persistedQueries, boolean requirePersistedQueries) {
    /** {@code on}, {@code off}, or {@code auto}: on unless the server listens on loopback only and no token exists. */
    public enum AuthMode { ON, OFF, AUTO }

    public static final long DEFAULT_POINTS_PER_MINUTE = 3_000_000;
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 12_000;
    public static final Security DEFAULT = new Security(AuthMode.AUTO, true, true, DEFAULT_POINTS_PER_MINUTE, DEFAULT_REQUESTS_PER_MINUTE);

    public Security {
        java.util.Objects.requireNonNull(auth, "auth is null");
        if (pointsPerMinute < 0 || requestsPerMinute < 0) {
            throw new IllegalArgumentException("a budget per minute cannot be negative");
        }
    }

    public Security(AuthMode auth, boolean introspection, boolean graphiql, long pointsPerMinute, int requestsPerMinute) {
        this(auth, introspection, graphiql, pointsPerMinute, requestsPerMinute, null, false);
    }

    public Security withAuth(AuthMode mode) {
        return new Security(mode, introspection, graphiql, pointsPerMinute, requestsPerMinute, persistedQueries, requirePersistedQueries);
    }

    public Security withPersistedQueries(Path folder, boolean required) {
        return new Security(auth, introspection, graphiql, pointsPerMinute, requestsPerMinute, folder, required);
    }
}
