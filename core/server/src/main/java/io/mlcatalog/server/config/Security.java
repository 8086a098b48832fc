package io.mlcatalog.server.config;

/**
 * Access control and what the API shows of itself.
 *
 * @param auth                  whether requests need a token
 * @param introspection         whether GraphQL introspection ({@code __schema}, {@code __type}) is answered
 * @param graphiql              whether {@code /graphiql/} is served
 * @param pointsPerMinute       each token's budget of query complexity points per minute (0: no budget)
 * @param requestsPerMinute     each token's budget of requests per minute (0: no budget)
 */
public record Security(AuthMode auth, boolean introspection, boolean graphiql, long pointsPerMinute, int requestsPerMinute) {
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

    public Security withAuth(AuthMode mode) {
        return new Security(mode, introspection, graphiql, pointsPerMinute, requestsPerMinute);
    }
}
