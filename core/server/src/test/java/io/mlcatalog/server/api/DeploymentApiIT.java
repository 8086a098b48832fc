package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Deployments as a client sees them: which version served a target when, whatever order the events arrive in. */
class DeploymentApiIT {
    private static final String START = """
            mutation($input: DeploymentInput!) { startDeployment(input: $input) {
              id status startedAt endedAt trafficPercent modelVersion { version } } }""";
    private static final String END = """
            mutation($id: ID!, $at: DateTime, $status: DeploymentStatus) { endDeployment(id: $id, at: $at, status: $status) {
              id status startedAt endedAt } }""";
    private static final String DEPLOYMENT = """
            query($id: ID!) { node(id: $id) { ... on Deployment { id status startedAt endedAt trafficPercent modelVersion { version } } } }""";
    private static final String ACTIVE_AT = """
            query($ns: String!, $at: DateTime) { deployments(filter: {namespace: $ns, activeAt: $at}, first: 100) {
              totalCount edges { node { modelVersion { version } trafficPercent } } } }""";

    private static final Instant T1 = Instant.parse("2026-05-01T10:00:00Z");
    private static final Instant T1_5 = Instant.parse("2026-05-01T10:30:00Z");
    private static final Instant T2 = Instant.parse("2026-05-01T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-05-01T12:00:00Z");

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void aNewVersionEndsThePreviousOneWhenItStarts() {
        versions("dep-replace");
        String v1 = deploy("dep-replace", "1", T1, null).path("id").asText();
        JsonNode v2 = deploy("dep-replace", "2", T2, null);

        JsonNode first = deployment(v1);
        assertThat(first.path("status").asText()).isEqualTo("ENDED");
        assertThat(instant(first.path("endedAt"))).isEqualTo(T2);
        assertThat(v2.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(v2.path("endedAt").isNull()).isTrue();
    }

    @Test
    void aCanaryRunsBesideTheServingVersionAndAReplacementEndsBoth() {
        versions("dep-canary");
        String v1 = deploy("dep-canary", "1", T1, null).path("id").asText();
        String canary = deploy("dep-canary", "2", T1_5, 10.0).path("id").asText();

        assertThat(deployment(v1).path("status").asText()).isEqualTo("ACTIVE");
        assertThat(deployment(v1).path("endedAt").isNull()).isTrue();
        assertThat(activeVersions("dep-canary", T1_5.plusSeconds(60))).containsExactlyInAnyOrder("1", "2");

        deploy("dep-canary", "3", T2, null);

        assertThat(instant(deployment(v1).path("endedAt"))).isEqualTo(T2);
        assertThat(deployment(canary).path("status").asText()).isEqualTo("ENDED");
        assertThat(instant(deployment(canary).path("endedAt"))).isEqualTo(T2);
        assertThat(activeVersions("dep-canary", T2)).containsExactly("3");
    }

    @Test
    void aCanaryThatArrivesLateEndsWhereTheNextReplacementStarted() {
        versions("dep-late-canary");
        String v1 = deploy("dep-late-canary", "1", T1, null).path("id").asText();
        deploy("dep-late-canary", "3", T2, null);
        JsonNode canary = deploy("dep-late-canary", "2", T1_5, 10.0);

        assertThat(instant(canary.path("endedAt"))).isEqualTo(T2);
        assertThat(instant(deployment(v1).path("endedAt"))).isEqualTo(T2);
        assertThat(activeVersions("dep-late-canary", T1_5.plusSeconds(60))).containsExactlyInAnyOrder("1", "2");
        assertThat(activeVersions("dep-late-canary", T2)).containsExactly("3");
    }

    @Test
    void aRollbackEndsTheVersionItRollsBackFrom() {
        versions("dep-rollback");
        deploy("dep-rollback", "1", T1, null);
        String v2 = deploy("dep-rollback", "2", T2, null).path("id").asText();
        JsonNode rollback = deploy("dep-rollback", "1", T3, null);

        assertThat(deployment(v2).path("status").asText()).isEqualTo("ENDED");
        assertThat(instant(deployment(v2).path("endedAt"))).isEqualTo(T3);
        assertThat(rollback.path("status").asText()).isEqualTo("ACTIVE");

        assertThat(activeVersions("dep-rollback", T1.minusSeconds(1))).isEmpty();
        assertThat(activeVersions("dep-rollback", T1)).containsExactly("1");
        assertThat(activeVersions("dep-rollback", T1_5)).containsExactly("1");
        assertThat(activeVersions("dep-rollback", T2)).containsExactly("2");
        assertThat(activeVersions("dep-rollback", T2.plusSeconds(1800))).containsExactly("2");
        assertThat(activeVersions("dep-rollback", T3.plusSeconds(1))).containsExactly("1");
    }

    @Test
    void aStartThatArrivesLateIsEndedByTheLaterStartAlreadyRecorded() {
        versions("dep-late");
        String v2 = deploy("dep-late", "2", T2, null).path("id").asText();
        JsonNode v1 = deploy("dep-late", "1", T1, null);

        assertThat(v1.path("status").asText()).isEqualTo("ENDED");
        assertThat(instant(v1.path("endedAt"))).isEqualTo(T2);
        assertThat(deployment(v2).path("status").asText()).isEqualTo("ACTIVE");
        assertThat(activeVersions("dep-late", T1_5)).containsExactly("1");
        assertThat(activeVersions("dep-late", T3)).containsExactly("2");
    }

    @Test
    void aLateStartBetweenTwoRecordedOnesGetsItsOwnInterval() {
        versions("dep-between");
        String v1 = deploy("dep-between", "1", T1, null).path("id").asText();
        deploy("dep-between", "3", T3, null);
        JsonNode v2 = deploy("dep-between", "2", T2, null);

        assertThat(instant(deployment(v1).path("endedAt"))).isEqualTo(T2);
        assertThat(instant(v2.path("endedAt"))).isEqualTo(T3);
        assertThat(activeVersions("dep-between", T1_5)).containsExactly("1");
        assertThat(activeVersions("dep-between", T2.plusSeconds(60))).containsExactly("2");
        assertThat(activeVersions("dep-between", T3.plusSeconds(60))).containsExactly("3");
    }

    @Test
    void startingTheServingVersionAgainWithoutATimeIsTheSameDeployment() {
        versions("dep-again");
        Map<String, Object> input = input("dep-again", "1", null, null);
        String id = catalog.graphql(START, Map.of("input", input)).ok().path("startDeployment").path("id").asText();
        Map<String, Long> before = catalog.rowCounts();

        JsonNode again = catalog.graphql(START, Map.of("input", input)).ok().path("startDeployment");

        assertThat(again.path("id").asText()).isEqualTo(id);
        assertThat(again.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void theSameTimedStartSentTwiceChangesNothing() {
        versions("dep-timed-again");
        String id = deploy("dep-timed-again", "1", T1, 100.0).path("id").asText();
        Map<String, Long> before = catalog.rowCounts();

        assertThat(deploy("dep-timed-again", "1", T1, 100.0).path("id").asText()).isEqualTo(id);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void endingADeploymentTwiceChangesNothingTheSecondTime() {
        versions("dep-end");
        String id = deploy("dep-end", "1", T1, null).path("id").asText();

        JsonNode ended = end(id, null, null).ok().path("endDeployment");
        assertThat(ended.path("status").asText()).isEqualTo("ENDED");
        assertThat(instant(ended.path("endedAt"))).isAfter(T1);
        Map<String, Long> before = catalog.rowCounts();

        JsonNode again = end(id, null, null).ok().path("endDeployment");

        assertThat(again.path("endedAt")).isEqualTo(ended.path("endedAt"));
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void anEarlierEndWinsAndALaterOneChangesNothing() {
        versions("dep-end-earlier");
        String id = deploy("dep-end-earlier", "1", T1, null).path("id").asText();
        end(id, T3, "FAILED").ok();

        assertThat(instant(end(id, T2, null).ok().path("endDeployment").path("endedAt"))).isEqualTo(T2);
        Map<String, Long> before = catalog.rowCounts();
        assertThat(instant(end(id, T3, null).ok().path("endDeployment").path("endedAt"))).isEqualTo(T2);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aFailedDeploymentStaysFailedWhenALateReplacementEndsItEarlier() {
        versions("dep-failed-late");
        String id = deploy("dep-failed-late", "1", T1, null).path("id").asText();
        end(id, T3, "FAILED").ok();

        deploy("dep-failed-late", "2", T2, null);

        JsonNode v1 = catalog.graphql("query($id: ID!) { node(id: $id) { ... on Deployment { status endedAt } } }", Map.of("id", id))
                .ok().path("node");
        assertThat(instant(v1.path("endedAt"))).isEqualTo(T2);
        assertThat(v1.path("status").asText()).isEqualTo("FAILED");
    }

    @Test
    void aDeploymentCanEndAtTheStartTimeItReturned() {
        versions("dep-end-at-start");
        JsonNode started = catalog.graphql(START, Map.of("input", input("dep-end-at-start", "1", null, null))).ok().path("startDeployment");
        Instant startedAt = instant(started.path("startedAt"));

        assertThat(activeVersions("dep-end-at-start", startedAt)).containsExactly("1");
        JsonNode ended = end(started.path("id").asText(), startedAt, null).ok().path("endDeployment");
        assertThat(instant(ended.path("endedAt"))).isEqualTo(startedAt);
    }

    @Test
    void theSameStartInAnotherOffsetIsTheSameDeployment() {
        versions("dep-offset");
        String id = deploy("dep-offset", "1", T1, null).path("id").asText();
        Map<String, Long> before = catalog.rowCounts();
        Map<String, Object> sameInstant = new LinkedHashMap<>(input("dep-offset", "1", null, null));
        sameInstant.put("startedAt", "2026-05-01T12:00:00+02:00");

        assertThat(catalog.graphql(START, Map.of("input", sameInstant)).ok().path("startDeployment").path("id").asText()).isEqualTo(id);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void endingBeforeTheStartIsRefused() {
        versions("dep-end-early");
        String id = deploy("dep-end-early", "1", T2, null).path("id").asText();
        Map<String, Long> before = catalog.rowCounts();

        Result r = end(id, T1, null);

        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(r.errorField()).isEqualTo("at");
        assertThat(catalog.rowCounts()).isEqualTo(before);
        assertThat(deployment(id).path("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void endingAnUnknownDeploymentIsNotFound() {
        Result r = end("Deployment:00000000-0000-0000-0000-000000000042", null, null);

        assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(r.errorField()).isEqualTo("id");
    }

    @Test
    void deployingAMissingVersionIsNotFoundAndWritesNothing() {
        versions("dep-missing");
        Map<String, Long> before = catalog.rowCounts();

        Result noVersion = catalog.graphql(START, Map.of("input", input("dep-missing", "9", T1, null)));
        Map<String, Object> noModel = new LinkedHashMap<>(input("dep-missing-ns", "1", T1, null));
        noModel.put("model", "no-such-model");
        Result noModelResult = catalog.graphql(START, Map.of("input", noModel));

        assertThat(noVersion.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(noVersion.errorField()).isEqualTo("input.version");
        assertThat(noModelResult.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(noModelResult.errorField()).isEqualTo("input.model");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aModelVersionListsItsDeploymentsActiveAtAnInstant() {
        versions("dep-of-version");
        deploy("dep-of-version", "1", T1, null);
        deploy("dep-of-version", "2", T2, null);
        String query = """
                query($at: DateTime) { model(namespace: "dep-of-version", name: "churn") {
                  v1: version(version: "1") { deployments(activeAt: $at) { totalCount edges { node { startedAt } } } }
                  v2: version(version: "2") { deployments(activeAt: $at) { totalCount } } } }""";

        JsonNode between = catalog.graphql(query, Map.of("at", T1_5.toString())).ok().path("model");
        assertThat(between.path("v1").path("deployments").path("totalCount").asInt()).isEqualTo(1);
        assertThat(between.path("v1").path("deployments").path("edges")).hasSize(1);
        assertThat(between.path("v2").path("deployments").path("totalCount").asInt()).isZero();

        JsonNode later = catalog.graphql(query, Map.of("at", T3.toString())).ok().path("model");
        assertThat(later.path("v1").path("deployments").path("totalCount").asInt()).isZero();
        assertThat(later.path("v1").path("deployments").path("edges")).isEmpty();
        assertThat(later.path("v2").path("deployments").path("totalCount").asInt()).isEqualTo(1);

        JsonNode all = catalog.graphql(query, new HashMap<>()).ok().path("model");
        assertThat(all.path("v1").path("deployments").path("totalCount").asInt()).isEqualTo(1);
        assertThat(all.path("v2").path("deployments").path("totalCount").asInt()).isEqualTo(1);
    }

    @Test
    void deploymentsFilterByTargetModelAndStatus() {
        versions("dep-filter");
        deploy("dep-filter", "1", T1, null);
        deploy("dep-filter", "2", T2, null);
        Map<String, Object> other = new LinkedHashMap<>(input("dep-filter", "1", T1, null));
        other.put("target", "batch-scorer");
        catalog.graphql(START, Map.of("input", other)).ok();

        String query = """
                query($f: DeploymentFilter) { deployments(filter: $f) { totalCount edges { node { target modelVersion { version } } } } }""";
        JsonNode active = catalog.graphql(query, Map.of("f", Map.of("namespace", "dep-filter", "status", List.of("ACTIVE"))))
                .ok().path("deployments");
        assertThat(active.path("totalCount").asInt()).isEqualTo(2);
        JsonNode svc = catalog.graphql(query, Map.of("f", Map.of("namespace", "dep-filter", "environment", "prod", "target", "svc")))
                .ok().path("deployments");
        assertThat(svc.path("edges").findValuesAsText("version")).containsExactly("2", "1");
        JsonNode byModel = catalog.graphql(query, Map.of("f", Map.of("namespace", "dep-filter", "model", "churn")))
                .ok().path("deployments");
        assertThat(byModel.path("totalCount").asInt()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ helpers

    private static void versions(String namespace) {
        for (String v : List.of("1", "2", "3")) {
            catalog.graphql("""
                    mutation($ns: String!, $v: String!) { registerModelVersion(input: {namespace: $ns, model: "churn", version: $v}) { id } }""",
                    Map.of("ns", namespace, "v", v)).ok();
        }
    }

    private static Map<String, Object> input(String namespace, String version, Instant startedAt, Double traffic) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("namespace", namespace);
        in.put("environment", "prod");
        in.put("target", "svc");
        in.put("model", "churn");
        in.put("version", version);
        if (startedAt != null) {
            in.put("startedAt", startedAt.toString());
        }
        if (traffic != null) {
            in.put("trafficPercent", traffic);
        }
        return in;
    }

    private static JsonNode deploy(String namespace, String version, Instant startedAt, Double traffic) {
        return catalog.graphql(START, Map.of("input", input(namespace, version, startedAt, traffic))).ok().path("startDeployment");
    }

    private static Result end(String id, Instant at, String status) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("id", id);
        vars.put("at", at == null ? null : at.toString());
        if (status != null) {
            vars.put("status", status);
        }
        return catalog.graphql(END, vars);
    }

    private static JsonNode deployment(String id) {
        return catalog.graphql(DEPLOYMENT, Map.of("id", id)).ok().path("node");
    }

    private static List<String> activeVersions(String namespace, Instant at) {
        JsonNode d = catalog.graphql(ACTIVE_AT, Map.of("ns", namespace, "at", at.toString())).ok().path("deployments");
        List<String> versions = d.path("edges").findValuesAsText("version");
        assertThat(d.path("totalCount").asInt()).isEqualTo(versions.size());
        return versions;
    }

    private static Instant instant(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : OffsetDateTime.parse(node.asText()).toInstant();
    }
}
