package io.mlcatalog.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.mlcatalog.server.plugin.PollOutcome;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * This node's metrics, served at {@code /metrics} in Prometheus's text format: Vert.x's own (HTTP requests by route,
 * method and status; the connection pool), the JVM's, and the catalog's:
 * <ul>
 *   <li>{@code mlcatalog_graphql_requests_seconds}: GraphQL operations, by name (as the client names them; at most
 *       {@value #MAX_OPERATIONS} names, then {@code other}), type and outcome ({@code ok}, {@code errors}, {@code refused});</li>
 *   <li>{@code mlcatalog_sql_statements_seconds}: every SQL statement's time;</li>
 *   <li>{@code mlcatalog_plugin_polls_total} and {@code mlcatalog_plugin_records_total}: polls by instance and outcome,
 *       records by instance and whether they were written or rejected;</li>
 *   <li>{@code mlcatalog_receiver_transaction_requests}: the requests each transaction of a receiver that writes at once
 *       ({@code acknowledge: written}) holds, by instance: its {@code _count} is the transactions, its {@code _sum} the
 *       requests, so their ratio is how many requests a transaction groups;</li>
 *   <li>{@code mlcatalog_intake_queued_requests} and {@code mlcatalog_intake_oldest_seconds}: the intake queue;</li>
 *   <li>{@code mlcatalog_subscriptions}: subscriptions open on this node; {@code mlcatalog_change_feed_position};</li>
 *   <li>{@code mlcatalog_webhook_deliveries_total}: deliveries by outcome.</li>
 * </ul>
 */
public final class CatalogMetrics {
    static final int MAX_OPERATIONS = 200;
    private static final Pattern OPERATION = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer sql;
    private final Set<String> operations = ConcurrentHashMap.newKeySet();
    /** The timers of the series seen: looked up by their tags once, not built and registered again for every request. */
    private final Map<GraphQLSeries, Timer> graphqlTimers = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> groupSummaries = new ConcurrentHashMap<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong oldestSeconds = new AtomicLong();

    public CatalogMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        sql = Timer.builder("mlcatalog.sql.statements").description("SQL statements sent, and how long each took")
                .publishPercentileHistogram(false).register(registry);
        Gauge.builder("mlcatalog.intake.queued.requests", queued, AtomicLong::get)
                .description("requests accepted and stored in the intake queue, not written yet").register(registry);
        Gauge.builder("mlcatalog.intake.oldest.seconds", oldestSeconds, AtomicLong::get)
                .description("how long the oldest request of the intake queue has waited").register(registry);
    }

    /** A Vert.x whose own metrics (HTTP server by route, method and status; pools) are recorded here. */
    public io.vertx.core.Vertx vertx() {
        return io.vertx.core.Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_NAME, Label.POOL_TYPE)))
                .withMetrics(new io.vertx.micrometer.MicrometerMetricsFactory(registry))
                .build();
    }

    /** What {@code GET /metrics} answers. */
    public String scrape() {
        return registry.scrape();
    }

    public void sql(long nanos) {
        sql.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** A GraphQL operation that ran (or was refused). */
    public void graphql(String operationName, String type, String outcome, long nanos) {
        GraphQLSeries series = new GraphQLSeries(operation(operationName), type == null ? "unknown" : type, outcome);
        graphqlTimers.computeIfAbsent(series, k -> Timer.builder("mlcatalog.graphql.requests")
                        .description("GraphQL operations, by operation name, type and outcome")
                        .tags("operation", k.operation(), "type", k.type(), "outcome", k.outcome()).register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The tags of one series of GraphQL operations (few: operation names are bounded, see {@link #operation}). */
    private record GraphQLSeries(String operation, String type, String outcome) {
    }

    private String operation(String name) {
        if (name == null || !OPERATION.matcher(name).matches()) {
            return "anonymous";
        }
        // a client naming operations without end would make a series for each
        return operations.contains(name) || operations.size() < MAX_OPERATIONS && operations.add(name) ? name : "other";
    }

    /** A poll of a source: counted by outcome, its records by what became of them. */
    public void poll(PollOutcome o) {
        Counter.builder("mlcatalog.plugin.polls").description("polls of pull sources, by instance and outcome")
                .tags("instance", o.instance(), "outcome", !o.ok() ? "failed" : o.problems().isEmpty() ? "ok" : "partial").register(registry).increment();
        Counter.builder("mlcatalog.plugin.records").description("records a plugin instance emitted, written or rejected")
                .tags("instance", o.instance(), "result", "written").register(registry).increment(o.written());
        Counter.builder("mlcatalog.plugin.records").description("records a plugin instance emitted, written or rejected")
                .tags("instance", o.instance(), "result", "rejected").register(registry).increment(o.rejected().size());
    }

    /** A transaction that wrote {@code requests} requests of a receiver at once (group commit). */
    public void receiverTransaction(String instance, int requests) {
        groupSummaries.computeIfAbsent(instance, i -> DistributionSummary.builder("mlcatalog.receiver.transaction.requests")
                .description("requests a transaction of a receiver writing at once (acknowledge: written) holds, by instance")
                .tags("instance", i).register(registry)).record(requests);
    }

    /** The intake queue as last looked at. */
    public void intake(long requests, Duration oldest) {
        queued.set(requests);
        oldestSeconds.set(oldest == null ? 0 : oldest.toSeconds());
    }

    /** A value read when scraped. */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    /** A count read when scraped (it only grows). */
    public <T> void counter(String name, String description, Map<String, String> tags, T source, ToDoubleFunction<T> value) {
        Tags t = Tags.empty();
        for (Map.Entry<String, String> e : tags.entrySet()) {
            t = t.and(e.getKey(), e.getValue());
        }
        FunctionCounter.builder(name, source, value).description(description).tags(t).register(registry);
    }
}
