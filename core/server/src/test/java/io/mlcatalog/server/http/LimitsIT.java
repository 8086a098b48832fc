package io.mlcatalog.server.http;

import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import io.mlcatalog.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static io.mlcatalog.server.http.Responses.assertNoInternals;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every limit: a request just under it runs, one just over it is refused with LIMIT_EXCEEDED (BAD_USER_INPUT
 * for {@code first}), and the server answers the next request as before.
 */
class LimitsIT {
    private static final Map<String, String> POST = Map.of("Content-Type", "application/json",
            "Accept", "application/graphql-response+json");
    /** Small limits, so that "just under" and "just over" are easy to see in the queries. */
    private static final Limits SMALL = new Limits(5, 1000, 3, 200, 4000, Duration.ofSeconds(10));
    private static final int SEEDED_RUNS = 50_000;
    /**
     * Matches only run-49999-…, so the database reads every run (names of some 200 characters) to find it:
     * a hundred milliseconds or more, far over a statement timeout of 1 ms and far under the default 10 s.
     */
    private static final String SLOW_QUERY = """
            { runs(filter: {nameContains: "-49999-"}) { totalCount } }""";

    static TestCatalog small;
    static TestCatalog defaults;
    /** The defaults' database, served with a statement timeout no real query can meet. */
    static TestCatalog impatient;

    @BeforeAll
    static void start() {
        small = TestCatalog.start(SMALL);
        defaults = TestCatalog.start(Limits.DEFAULT);
        TestPostgres.execute(defaults.database(), """
                insert into namespace (name) values ('slow');
                insert into run (id, namespace, name, status, status_at, created_at, updated_at)
                select md5('slow-' || g)::uuid, 'slow', 'run-' || g || '-' || repeat('padding-', 25), 'SUCCEEDED', now(), now(), now()
                from generate_series(1, %d) g;
                analyze run;
                """.formatted(SEEDED_RUNS));
        impatient = startImpatient();
    }

    /**
     * The server with a 1 ms statement timeout. The timeout holds for every statement of its pool, its own start-up
     * statements too, and on a loaded machine one of those may itself take over 1 ms: the start is refused then with a
     * statement timeout, and tried again (a few times at most, so that a start that always fails still fails the test).
     */
    private static TestCatalog startImpatient() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return TestCatalog.start(withStatementTimeout(Limits.DEFAULT, Duration.ofMillis(1)), defaults.database());
            } catch (RuntimeException e) {
                if (!causedByStatementTimeout(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private static boolean causedByStatementTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && (t.getMessage().contains("statement timeout") || t.getMessage().contains("57014"))) {
                return true;
            }
        }
        return false;
    }

    @AfterAll
    static void stop() {
        for (TestCatalog c : new TestCatalog[] {small, defaults, impatient}) {
            if (c != null) {
                c.close();
            }
        }
    }

    // ------------------------------------------------------------------ depth

    @Test
    void aQueryAtTheMaximumDepthRuns() {
        small.graphql("{ runs { edges { node { parent { name } } } } }").ok();
    }

    @Test
    void aQueryOneLevelDeeperIsRefused() {
        Result r = small.graphql("{ runs { edges { node { parent { parent { name } } } } } }");
        assertLimitExceeded(r, "depth");
        assertStillAnswering(small);
    }

    @Test
    void aTenThousandDeepQueryIsRefused() {
        Result r = defaults.graphql("{ a".repeat(10_000) + " }".repeat(10_000));
        // the parser's own guard stops it at 500 nested rules, before the depth check and long before the stack overflows
        assertLimitExceeded(r, "deep");
        assertStillAnswering(defaults);
    }

    // ------------------------------------------------------------------ complexity

    /** A run costs 13 here: edges 1 + node 1 + inputs (1 + 10 assumed artifacts × uri 1); runs costs 1 + first × 13. */
    private static final String COMPLEXITY = """
            query($n: Int) { runs(first: $n) { edges { node { inputs { uri } } } } }""";

    @Test
    void aQueryJustUnderTheComplexityLimitRuns() {
        small.graphql(COMPLEXITY, Map.of("n", 76)).ok(); // 1 + 76 × 13 = 989
    }

    @Test
    void aQueryJustOverTheComplexityLimitIsRefused() {
        Result r = small.graphql(COMPLEXITY, Map.of("n", 77)); // 1 + 77 × 13 = 1002
        assertLimitExceeded(r, "complex");
        assertThat(r.errorMessage()).contains("limit of 1000");
        assertStillAnswering(small);
    }

    /**
     * Eight nested plain lists under a page of 100 cost 100 × 10^8, more than an int holds: the sum with a
     * sibling field must not wrap around to a small number that passes the limit.
     */
    @Test
    void aComplexityBeyondTheRangeOfAnIntIsRefused() {
        String deepLists = """
                runs(first: 100) { edges { node { inputs { producedBy { inputs { producedBy { inputs { producedBy {
                  inputs { producedBy { id } } } } } } } } } } }""";
        assertLimitExceeded(defaults.graphql("{ " + deepLists + " }"), "complex");
        assertLimitExceeded(defaults.graphql("{ namespaces " + deepLists + " }"), "complex");
        assertLimitExceeded(defaults.graphql("{ a: " + deepLists + " b: " + deepLists + " }"), "complex");
        assertStillAnswering(defaults);
    }

    // ------------------------------------------------------------------ aliases

    @Test
    void theMaximumNumberOfAliasesRuns() {
        small.graphql("{ a: namespaces b: namespaces c: namespaces }").ok();
    }

    @Test
    void oneAliasMoreIsRefused() {
        Result r = small.graphql("{ a: namespaces b: namespaces c: namespaces d: namespaces }");
        assertLimitExceeded(r, "aliases");
        assertThat(r.errorMessage()).contains("4", "3");
        assertStillAnswering(small);
    }

    @Test
    void aThousandAliasesAreRefused() {
        StringBuilder q = new StringBuilder("{");
        for (int i = 0; i < 1000; i++) {
            q.append(" a").append(i).append(": namespaces");
        }
        Result r = defaults.graphql(q.append(" }").toString());
        assertLimitExceeded(r, "1000 aliases");
        assertStillAnswering(defaults);
    }

    // ------------------------------------------------------------------ tokens

    @Test
    void aDocumentOfTheMaximumNumberOfTokensRuns() {
        small.graphql(documentOfTokens(SMALL.maxTokens())).ok();
    }

    @Test
    void aDocumentOfOneTokenMoreIsRefused() {
        Result r = small.graphql(documentOfTokens(SMALL.maxTokens() + 1));
        assertLimitExceeded(r, "tokens");
        assertStillAnswering(small);
    }

    /**
     * {@code { __typename … }} of n tokens as graphql-java counts them: the braces, n - 3 fields and the end of
     * the document, which its parser counts as a token too.
     */
    private static String documentOfTokens(int n) {
        return "{" + " __typename".repeat(n - 3) + " }";
    }

    // ------------------------------------------------------------------ body size

    @Test
    void aBodyOfExactlyTheMaximumSizeRuns() {
        Result r = small.post(bodyOfBytes(SMALL.maxBodyBytes()), POST);
        assertThat(r.status()).isEqualTo(200);
        r.ok();
    }

    @Test
    void aBodyOneByteOverTheMaximumIs413WithAJsonError() {
        HttpResponse<String> r = small.raw(HttpRequest.newBuilder(URI.create(small.url("/graphql")))
                .header("Content-Type", "application/json").header("Accept", "application/graphql-response+json")
                .POST(HttpRequest.BodyPublishers.ofString(bodyOfBytes(SMALL.maxBodyBytes() + 1))).build());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        Result body = small.post(bodyOfBytes(SMALL.maxBodyBytes() + 1), POST);
        assertThat(body.errorCode()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(body.errorMessage()).contains(Long.toString(SMALL.maxBodyBytes()));
        assertStillAnswering(small);
    }

    /** A valid request padded with whitespace after the JSON to exactly {@code n} bytes. */
    private static String bodyOfBytes(long n) {
        String json = "{\"query\": \"{ __typename }\"}";
        return json + " ".repeat((int) (n - json.length()));
    }

    // ------------------------------------------------------------------ first

    @Test
    void firstFromOneToAHundredRuns() {
        assertThat(defaults.graphql("{ runs(first: 1) { edges { cursor } } }").ok().path("runs").path("edges")).hasSize(1);
        assertThat(defaults.graphql("{ runs(first: 100) { edges { cursor } } }").ok().path("runs").path("edges")).hasSize(100);
    }

    @Test
    void firstOutsideOneToAHundredIsRefused() {
        for (int first : new int[] {0, 101, -1}) {
            Result r = defaults.graphql("query($n: Int) { runs(first: $n) { totalCount } }", Map.of("n", first));
            assertThat(r.errorCode()).as("first: %d", first).isEqualTo("BAD_USER_INPUT");
            assertThat(r.errorField()).isEqualTo("first");
            assertThat(r.errorMessage()).contains("between 1 and 100", Integer.toString(first));
        }
        assertStillAnswering(defaults);
    }

    // ------------------------------------------------------------------ statement timeout

    @Test
    void aQueryWithinTheStatementTimeoutRuns() {
        assertThat(defaults.graphql(SLOW_QUERY).ok().path("runs").path("totalCount").asInt()).isEqualTo(1);
    }

    @Test
    void aQueryOverTheStatementTimeoutIsRefusedWithoutSql() {
        Result r = impatient.graphql(SLOW_QUERY);
        assertThat(r.errorCode()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(r.errorMessage()).contains("timeout");
        assertNoInternals(r.body());
        assertStillAnswering(impatient);
    }

    // ------------------------------------------------------------------ helpers

    private static void assertLimitExceeded(Result r, String mentioned) {
        assertThat(r.errorCode()).as(r.body().toString()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().has("data")).isFalse();
        assertThat(r.errorMessage()).containsIgnoringCase(mentioned);
        assertNoInternals(r.body());
    }

    /** The server answers a request that touches no limit (and, with a 1 ms statement timeout, no table). */
    private static void assertStillAnswering(TestCatalog catalog) {
        assertThat(catalog.graphql("{ __typename }").ok().path("__typename").asText()).isEqualTo("Query");
        HttpResponse<String> health = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/health"))).build());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    private static Limits withStatementTimeout(Limits l, Duration timeout) {
        return new Limits(l.maxDepth(), l.maxComplexity(), l.maxAliases(), l.maxTokens(), l.maxBodyBytes(), timeout);
    }
}
