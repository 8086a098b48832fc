package io.mlcatalog.server.config;

import java.time.Duration;

/**
 * The limits every request is held to; on by default, each configurable (see {@code mlcatalog serve --help}).
 *
 * @param maxDepth         deepest field nesting of a query
 * @param maxComplexity    fields a query may select, each list field counting {@code first} times its children
 * @param maxAliases       aliased fields in one document
 * @param maxTokens        tokens the parser reads before giving up
 * @param maxBodyBytes     size of a request body
 * @param statementTimeout the longest any one SQL statement may run
 */
public record Limits(int maxDepth, int maxComplexity, int maxAliases, int maxTokens, long maxBodyBytes, Duration statementTimeout) {

    public static final Limits DEFAULT = new Limits(12, 50_000, 30, 15_000, 1024 * 1024, Duration.ofSeconds(10));

    public Limits {
        positive("maxDepth", maxDepth);
        positive("maxComplexity", maxComplexity);
        positive("maxAliases", maxAliases);
        positive("maxTokens", maxTokens);
        positive("maxBodyBytes", maxBodyBytes);
        if (statementTimeout.isNegative() || statementTimeout.isZero()) {
            throw new IllegalArgumentException("statementTimeout must be positive");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
