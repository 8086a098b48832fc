package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.config.Security;
import io.mlcatalog.server.testing.GraphQLWs;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator can tighten: each token's budgets of query cost and requests a minute (leaky buckets, over them 429
 * with Retry-After, the cost in extensions), introspection and GraphiQL switched off.
 */
class SecuritySettingsIT {
    static final String ADMIN = "security-settings-admin-token-0123456789";
    static final long POINTS = 1_000;
    static final int REQUESTS = 20;
    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN, new Security(Security.AuthMode.ON, false, false, POINTS, REQUESTS));
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    static String token(String name) {
        return catalog.graphql(ADMIN, "mutation($n: String!) { createToken(input: {name: $n, role: WRITER, namespaces: [\"growth\"]}) { token } }",
                Map.of("n", name)).ok().path("createToken").path("token").asText();
    }

    @Test
    void aQuerysCostIsChargedToItsTokenAndOverTheBudgetItIs429WithRetryAfter() {
        String t = token("heavy");
        // three pages of 50 runs cost about three quarters of the budget: the first is answered, the second refused, and what
        // is left stays far below any query asked here for longer than a slow machine takes (the bucket refills at
        // POINTS/60 a second, so the gap of about 500 points takes half a minute to fill)
        String page = "runs(first: 50) { edges { node { id name status } } }";
        String query = "{ a: " + page + " b: " + page + " c: " + page + " }";
        JsonNode cost = catalog.graphql(t, query).body().path("extensions").path("cost");
        int each = cost.path("requestedQueryCost").asInt();
        assertThat(each).isBetween((int) (POINTS * 0.7), (int) (POINTS * 0.8));
        assertThat(cost.path("throttleStatus").path("maximumAvailable").asLong()).isEqualTo(POINTS);
        long left = cost.path("throttleStatus").path("currentlyAvailable").asLong();
        assertThat(left).isBetween(POINTS - each, POINTS - each + 20);

        Result r = catalog.graphql(t, query);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.errorCode()).isEqualTo("THROTTLED");
        assertThat(r.errors().path(0).path("extensions").path("retryAfterSeconds").asLong()).isPositive();
        assertThat(r.data().isMissingNode()).isTrue();
        // a refused query is not charged: what is left is still what the first one left (plus a little refill)
        assertThat(r.body().path("extensions").path("cost").path("throttleStatus").path("currentlyAvailable").asLong())
                .isBetween(left, left + 100);

        HttpResponse<String> raw = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/graphql")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + t)
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"" + query + "\"}")).build());
        assertThat(raw.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(raw.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);

        // a mutation over budget is refused before it runs: nothing is written (its selection costs more than what is left,
        // and less than the whole budget)
        Map<String, Long> before = catalog.rowCounts();
        Result write = catalog.graphql(t, "mutation { upsertRun(input: {namespace: \"growth\", name: \"over\", status: RUNNING}) { id "
                + "inputs { consumedBy(first: 15) { edges { node { id name status } } } } } }");
        assertThat(write.body().path("extensions").path("cost").path("requestedQueryCost").asLong()).isBetween(left + 300, POINTS);
        assertThat(write.status()).isEqualTo(429);
        assertThat(catalog.rowCounts()).isEqualTo(before);

    // another token's budget is its own
        assertThat(catalog.graphql(token("light"), query).status()).isEqualTo(200);
    }

    @Test
    void overAWebSocketAQuerysCostIsChargedToTheSameBudget() {
        String t = token("socket-heavy");
        String query = "{ runs(first: 50) { edges { node { id name status } } } }";
        int each = catalog.graphql(t, query).body().path("extensions").path("cost").path("requestedQueryCost").asInt();
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), t)) {
            JsonNode answer;
            int sent = 1;
            do {
                ws.subscribe("q" + sent, query, Map.of());
                answer = ws.nextOf("q" + sent);
                if (answer.path("type").asText().equals("next")) {
                    assertThat(ws.nextOf("q" + sent).path("type").asText()).isEqualTo("complete");
                }
                sent++;
            } while (!answer.path("payload").has("errors") && sent < 100);
            // the budget that HTTP requests spent is the one the socket's queries spend: it runs out as soon
            assertThat(sent).isLessThanOrEqualTo((int) (POINTS / each) + 3);
            assertThat(answer.path("payload").path("errors").path(0).path("extensions").path("code").asText()).isEqualTo("THROTTLED");
            assertThat(answer.path("payload").path("data").isMissingNode() || answer.path("payload").path("data").isNull()).isTrue();
        }
    }

    @Test
    void eachTokenHasABudgetOfRequestsAMinute() {
        String t = token("chatty");
        for (int i = 0; i < REQUESTS; i++) {
            assertThat(catalog.graphql(t, "{ viewer { name } }").status()).as("request %d", i + 1).isEqualTo(200);
        }
        // the bucket refills one request every 60/REQUESTS seconds: on a slow machine one or two more may have come back
        // by now, never many
        Result over;
        int extra = 0;
        do {
            over = catalog.graphql(t, "{ viewer { name } }");
        } while (over.status() == 200 && ++extra < REQUESTS / 4);
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.errorCode()).isEqualTo("THROTTLED");
        assertThat(over.errorMessage()).contains(REQUESTS + " requests a minute");
    }

    @Test
    void introspectionAndGraphiqlCanBeSwitchedOff() {
        Result schema = catalog.graphql(ADMIN, "{ __schema { queryType { name } } }");
        assertThat(schema.errors().isEmpty()).isFalse();
        assertThat(schema.toString()).doesNotContain("\"queryType\":{\"name\"");
        assertThat(catalog.graphql(ADMIN, "{ __type(name: \"Run\") { fields { name } } }").body().path("data").path("__type").path("fields")
                .isMissingNode()).isTrue();
        // __typename is no introspection: clients' caches need it
        assertThat(catalog.graphql(ADMIN, "{ viewer { __typename } }").ok().path("viewer").path("__typename").asText()).isEqualTo("Viewer");
        HttpResponse<String> page = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/graphiql/"))).GET().build());
        assertThat(page.statusCode()).isEqualTo(404);
        for (String path : List.of("/health", "/ready")) {
            assertThat(catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url(path))).GET().build()).statusCode()).isEqualTo(200);
        }
    }
}
