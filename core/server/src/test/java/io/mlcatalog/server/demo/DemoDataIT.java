package io.mlcatalog.server.demo;

import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo data set a newcomer explores: realistic, and loaded once however often it is asked for. */
class DemoDataIT {
    static TestCatalog catalog;
    static Map<String, Long> afterFirstLoad;

    @BeforeAll
    static void load() {
        catalog = TestCatalog.start();
        DemoData.load(catalog.server().writer());
        afterFirstLoad = catalog.rowCounts();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void loadingItAgainChangesNothing() {
        var summary = DemoData.load(catalog.server().writer());
        assertThat(summary.runs()).isEqualTo(49);
        assertThat(catalog.rowCounts()).isEqualTo(afterFirstLoad);
    }

    @Test
    void itHasTheShapeTheReadmePromises() {
        var data = catalog.graphql("""
                { namespaces
                  runs { totalCount }
                  failed: runs(filter: {status: [FAILED, ABORTED]}) { totalCount }
                  running: runs(filter: {status: [RUNNING]}) { totalCount }
                  models { totalCount edges { node { name versions { totalCount } } } }
                  staging: deployments(filter: {environment: "staging"}) { totalCount }
                  prod: deployments(filter: {environment: "prod"}) { totalCount }
                  ended: deployments(filter: {status: [ENDED]}) { totalCount }
                  datasets: artifacts(filter: {kind: DATASET}) { totalCount edges { node { digest } } } }""").ok();
        assertThat(data.path("namespaces").toString()).isEqualTo("[\"growth\",\"risk\"]");
        assertThat(data.path("runs").path("totalCount").asInt()).isBetween(45, 55);
        assertThat(data.path("failed").path("totalCount").asInt()).isPositive();
        assertThat(data.path("running").path("totalCount").asInt()).isEqualTo(1);
        assertThat(data.path("models").path("totalCount").asInt()).isEqualTo(2);
        data.path("models").path("edges").forEach(m -> assertThat(m.path("node").path("versions").path("totalCount").asInt()).isGreaterThan(2));
        assertThat(data.path("staging").path("totalCount").asInt()).isPositive();
        assertThat(data.path("prod").path("totalCount").asInt()).isPositive();
        assertThat(data.path("ended").path("totalCount").asInt()).isPositive();
        assertThat(data.path("datasets").path("edges").path(0).path("node").path("digest").asText()).startsWith("sha256:");
    }

    @Test
    void productionMovedOverTimeAndWasRolledBack() {
        var model = catalog.graphql("""
                { model(namespace: "growth", name: "churn-classifier") {
                    now: version(alias: "production") { version }
                    beforeRollback: version(alias: "production", asOf: "2026-10-22T09:00:00Z") { version }
                    early: version(alias: "production", asOf: "2026-09-05T00:00:00Z") { version }
                    beforeAny: version(alias: "production", asOf: "2026-09-01T00:00:00Z") { version } } }""").ok().path("model");
        assertThat(model.path("now").path("version").asText()).isEqualTo("3");
        assertThat(model.path("beforeRollback").path("version").asText()).isEqualTo("4");
        assertThat(model.path("early").path("version").asText()).isEqualTo("1");
        assertThat(model.path("beforeAny").isNull()).isTrue();
    }

    @Test
    void prodServedTheRolledBackVersionOnlyThatAfternoon() {
        var served = catalog.graphql("""
                { during: deployments(filter: {environment: "prod", target: "churn-api", activeAt: "2026-10-22T09:00:00Z"}) {
                    edges { node { modelVersion { version } status endedAt } } }
                  after: deployments(filter: {environment: "prod", target: "churn-api", activeAt: "2026-10-22T12:00:00Z"}) {
                    edges { node { modelVersion { version } status } } } }""").ok();
        assertThat(served.path("during").path("edges")).hasSize(1);
        assertThat(served.path("during").path("edges").path(0).path("node").path("modelVersion").path("version").asText()).isEqualTo("4");
        assertThat(served.path("during").path("edges").path(0).path("node").path("status").asText()).isEqualTo("ENDED");
        assertThat(served.path("after").path("edges").path(0).path("node").path("modelVersion").path("version").asText()).isEqualTo("3");
    }
}
