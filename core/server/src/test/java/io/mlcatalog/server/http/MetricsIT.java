package io.mlcatalog.server.http;

import io.mlcatalog.server.testing.GraphQLWs;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics as Prometheus scrapes it: with a token under access control, in its text format, counting what happened. */
class MetricsIT {
    static final String ADMIN = "admin-token-for-the-metrics-test-0000000001";
    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    static HttpResponse<String> scrape(String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog.url("/metrics"))).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return catalog.raw(b.build());
    }

    /** A sample's value: the first line of this metric whose labels include all of {@code labels}. */
    static double value(String text, String metric, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)\\} ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            String l = m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= l.contains(label);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        Matcher plain = Pattern.compile("(?m)^" + Pattern.quote(metric) + " ([0-9.eE+-]+)$").matcher(text);
        if (labels.length == 0 && plain.find()) {
            return Double.parseDouble(plain.group(1));
        }
        throw new AssertionError("no " + metric + " with " + String.join(", ", labels) + " in:\n" + text.lines()
                .filter(line -> line.startsWith(metric)).reduce("", (a, b) -> a + b + "\n"));
    }

    @Test
    void prometheusGetsTheCatalogsAndVertxsMetrics() {
        assertThat(scrape(null).statusCode()).isEqualTo(401);
        for (int i = 0; i < 3; i++) {
            catalog.graphql(ADMIN, "query Dashboard { runs(first: 1) { totalCount } }", Map.of()).ok();
        }
        catalog.graphql(ADMIN, "query Broken { run(id: \"nope\") { id } }", Map.of());
        try (GraphQLWs ws = GraphQLWs.open(catalog.url("/graphql"), ADMIN)) {
            ws.subscribe("1", "subscription { events { sequence } }", Map.of());
            catalog.awaitOpenSubscriptions(ADMIN, 1);
            catalog.graphql(ADMIN, "mutation { upsertRun(input: {namespace: \"m\", name: \"r\", status: RUNNING}) { id } }", Map.of()).ok();
            ws.nextEvent("1"); // the subscription is open, and has had its event

            HttpResponse<String> r = scrape(ADMIN);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            String text = r.body();
            assertThat(value(text, "mlcatalog_graphql_requests_seconds_count", "operation=\"Dashboard\"", "outcome=\"ok\"", "type=\"query\""))
                    .isEqualTo(3);
            assertThat(value(text, "mlcatalog_graphql_requests_seconds_count", "operation=\"Broken\"", "outcome=\"errors\"")).isEqualTo(1);
            assertThat(value(text, "mlcatalog_sql_statements_seconds_count")).isGreaterThan(0);
            assertThat(value(text, "mlcatalog_subscriptions")).isEqualTo(1);
            assertThat(value(text, "mlcatalog_change_feed_position")).isGreaterThan(0);
            assertThat(value(text, "vertx_http_server_requests_total", "route=\"/graphql\"", "code=\"200\"", "method=\"POST\"")).isGreaterThan(3);
            assertThat(text).contains("mlcatalog_intake_queued_requests").contains("jvm_memory_used_bytes");
            // the database pool's use: how long connections were held, and waited for
            assertThat(value(text, "vertx_pool_usage_seconds_count", "pool_name=\"mlcatalog\"", "pool_type=\"sql\"")).isGreaterThan(0);
            assertThat(text).contains("vertx_pool_queue_time_seconds_count{pool_name=\"mlcatalog\",pool_type=\"sql\",}");
        }
    }
}
