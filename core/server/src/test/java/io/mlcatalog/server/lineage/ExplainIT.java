package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mlcatalog.server.lineage.GraphWrites.artifact;
import static io.mlcatalog.server.lineage.GraphWrites.codeVersion;
import static io.mlcatalog.server.lineage.GraphWrites.nodes;
import static io.mlcatalog.server.lineage.GraphWrites.sha;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * explain(environment, target, at): what served then and how it was made, and the time-travelling
 * fields it stands on (model.version(alias, asOf), model.aliases(asOf), deployments(activeAt)), through a
 * canary, a replacement, a rollback ten minutes ago, and deployments and alias moves that arrive out of order.
 */
class ExplainIT {
    private static final String NS = "exp";
    private static final String EXPLAIN = """
            query($env: String!, $target: String!, $at: DateTime) {
              explain(namespace: "exp", environment: $env, target: $target, at: $at) {
                at
                deployment { id status trafficPercent startedAt endedAt modelVersion { version } }
                deployments { id trafficPercent modelVersion { version } }
                modelVersion { id version }
                aliasesAtTime
                run { id name status params metrics }
                codeVersion { commit }
                inputs { uri digest }
                upstream { root { ... on Run { id } ... on ModelVersion { id } } nodes { ...ids } depthReached truncated } } }
            fragment ids on LineageNode {
              __typename ... on CodeVersion { id } ... on Run { id } ... on Artifact { id } ... on ModelVersion { id }
              ... on Deployment { id } }""";

    private static final String RAW_DIGEST = "sha256:" + "ab".repeat(32);
    private static final String LABELS_DIGEST = "md5:" + "0f".repeat(16);
    private static final Instant D1 = Instant.parse("2026-08-01T00:00:00Z");
    private static final Instant D2 = Instant.parse("2026-08-02T00:00:00Z");
    private static final Instant D3 = Instant.parse("2026-08-03T00:00:00Z");
    /** The rollback: ten minutes ago. */
    private static final Instant R = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
    private static final Instant O1 = Instant.parse("2026-09-01T00:00:00Z");
    private static final Instant O2 = Instant.parse("2026-09-02T00:00:00Z");
    private static final Instant O3 = Instant.parse("2026-09-03T00:00:00Z");

    static TestCatalog catalog;
    static GraphWrites writes;
    static String prep, train1, train2, backfill, v1, v2, d1, canary, d3, rollback;
    static final String RAW = artifact("s3://exp/raw.csv", RAW_DIGEST), LABELS = artifact("s3://exp/labels.csv", LABELS_DIGEST),
            SOURCE = artifact("s3://exp/source.csv");

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        writes = new GraphWrites(catalog);

        prep = writes.upsertRun(run("prep", Instant.parse("2026-07-01T00:00:00Z"), sha('c'), List.of(Map.of("namespace", NS, "uri", "s3://exp/source.csv")),
                List.of(rawCsv()), Map.of(), Map.of()));
        train1 = writes.upsertRun(run("train-1", Instant.parse("2026-07-02T00:00:00Z"), sha('1'), List.of(rawCsv(), labelsCsv()),
                List.of(Map.of("namespace", NS, "uri", "s3://exp/models/1/model.pkl")), Map.of("lr", 0.1), Map.of("auc", 0.81)));
        train2 = writes.upsertRun(run("train-2", Instant.parse("2026-07-03T00:00:00Z"), sha('2'), List.of(rawCsv(), labelsCsv()),
                List.of(Map.of("namespace", NS, "uri", "s3://exp/models/2/model.pkl")), Map.of("lr", 0.05), Map.of("auc", 0.84)));
        v1 = writes.version(NS, "scorer", "1", train1, "s3://exp/models/1/model.pkl", Instant.parse("2026-07-02T02:00:00Z"));
        v2 = writes.version(NS, "scorer", "2", train2, "s3://exp/models/2/model.pkl", Instant.parse("2026-07-03T02:00:00Z"));

        d1 = writes.deploy(NS, "prod", "scorer-api", "scorer", "1", D1, null);
        writes.alias(NS, "scorer", "production", "1", D1);
        canary = writes.deploy(NS, "prod", "scorer-api", "scorer", "2", D2, 10.0);
        d3 = writes.deploy(NS, "prod", "scorer-api", "scorer", "2", D3, null);
        writes.alias(NS, "scorer", "production", "2", D3);
        writes.alias(NS, "scorer", "champion", "2", D3);
        // v2 misbehaved: rolled back to v1 ten minutes ago
        rollback = writes.deploy(NS, "prod", "scorer-api", "scorer", "1", R, null);
        writes.alias(NS, "scorer", "production", "1", R);
        // five minutes ago a backfill rewrote raw.csv (the same content): part of raw.csv's lineage from then on
        Map<String, Object> backfillRun = run("backfill", R.plusSeconds(300), null, List.of(), List.of(rawCsv()), Map.of(), Map.of());
        backfillRun.put("endedAt", R.plusSeconds(360).toString());
        backfill = writes.upsertRun(backfillRun);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static Map<String, Object> rawCsv() {
        return Map.of("namespace", NS, "uri", "s3://exp/raw.csv", "digest", RAW_DIGEST, "kind", "DATASET");
    }

    private static Map<String, Object> labelsCsv() {
        return Map.of("namespace", NS, "uri", "s3://exp/labels.csv", "digest", LABELS_DIGEST, "kind", "DATASET");
    }

    private static Map<String, Object> run(String name, Instant started, String commit, List<Map<String, Object>> inputs,
                                           List<Map<String, Object>> outputs, Map<String, Object> params, Map<String, Object> metrics) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("namespace", NS);
        input.put("name", name);
        input.put("status", "SUCCEEDED");
        input.put("startedAt", started.toString());
        input.put("endedAt", started.plusSeconds(3600).toString());
        if (commit != null) {
            input.put("repository", "https://git.example/" + NS);
            input.put("commit", commit);
        }
        input.put("params", params);
        input.put("metrics", metrics);
        input.put("inputs", inputs);
        input.put("outputs", outputs);
        return input;
    }

    private static JsonNode explain(String target, Instant at) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("env", "prod");
        vars.put("target", target);
        if (at != null) {
            vars.put("at", at.toString());
        }
        return catalog.graphql(EXPLAIN, vars).ok().path("explain");
    }

    private static String version(JsonNode explanation) {
        return explanation.path("modelVersion").path("version").asText();
    }

    // ------------------------------------------------------------------ rollback

    @Test
    void tenMinutesAfterARollbackATimeBeforeItStillNamesTheVersionThatServedThen() {
        JsonNode before = explain("scorer-api", R.minusSeconds(60));

        assertThat(version(before)).isEqualTo("2");
        assertThat(before.path("deployment").path("id").asText()).isEqualTo(d3);
        assertThat(before.path("deployment").path("status").asText()).isEqualTo("ENDED");
        assertThat(Instant.parse(before.path("deployment").path("endedAt").asText())).isEqualTo(R);
        assertThat(before.path("aliasesAtTime")).extracting(JsonNode::asText).containsExactly("champion", "production");
        assertThat(Instant.parse(before.path("at").asText())).isEqualTo(R.minusSeconds(60));

        JsonNode now = explain("scorer-api", null);
        assertThat(version(now)).isEqualTo("1");
        assertThat(now.path("deployment").path("id").asText()).isEqualTo(rollback);
        assertThat(now.path("deployment").path("status").asText()).isEqualTo("ACTIVE");
        assertThat(now.path("aliasesAtTime")).extracting(JsonNode::asText).containsExactly("production");
        assertThat(Instant.parse(now.path("at").asText())).isAfter(R);

        // the instant of the rollback belongs to the new deployment: [startedAt, endedAt)
        assertThat(version(explain("scorer-api", R))).isEqualTo("1");
    }

    @Test
    void itSaysHowTheServingVersionWasMade() {
        JsonNode e = explain("scorer-api", R.minusSeconds(60));

        assertThat(e.path("modelVersion").path("id").asText()).isEqualTo(v2);
        assertThat(e.path("run").path("id").asText()).isEqualTo(train2);
        assertThat(e.path("run").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(e.path("run").path("params").toString()).isEqualTo("{\"lr\":0.05}");
        assertThat(e.path("run").path("metrics").toString()).isEqualTo("{\"auc\":0.84}");
        assertThat(e.path("codeVersion").path("commit").asText()).isEqualTo(sha('2'));
        Map<String, String> inputs = new LinkedHashMap<>();
        e.path("inputs").forEach(a -> inputs.put(a.path("uri").asText(), a.path("digest").asText()));
        assertThat(inputs).containsOnly(Map.entry("s3://exp/raw.csv", RAW_DIGEST), Map.entry("s3://exp/labels.csv", LABELS_DIGEST));

        // upstream of the run, as of that instant, three hops deep by default: the run that made raw.csv and its code
        JsonNode up = e.path("upstream");
        assertThat(up.path("root").path("id").asText()).isEqualTo(train2);
        assertThat(nodes(up)).containsExactlyInAnyOrder(train2, RAW, LABELS, codeVersion(NS, sha('2')), prep, SOURCE, codeVersion(NS, sha('c')));
        assertThat(up.path("depthReached").asInt()).isEqualTo(3);
        assertThat(up.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void theDepthOfTheUpstreamGraphIsTheCallersToChoose() {
        JsonNode shallow = catalog.graphql("""
                query($at: DateTime) { explain(namespace: "exp", environment: "prod", target: "scorer-api", at: $at, depth: 1) {
                  upstream { nodes { ... on Run { id } ... on Artifact { id } ... on CodeVersion { id } } depthReached truncated } } }""",
                Map.of("at", R.minusSeconds(60).toString())).ok().path("explain").path("upstream");
        assertThat(nodes(shallow)).containsExactlyInAnyOrder(train2, RAW, LABELS, codeVersion(NS, sha('2')));
        assertThat(shallow.path("depthReached").asInt()).isEqualTo(1);
        assertThat(shallow.path("truncated").asBoolean()).isTrue(); // prep wrote raw.csv
    }

    @Test
    void theUpstreamGraphIsAsOfTheInstantExplained() {
        // the backfill rewrote raw.csv after the instant explained: not part of what was known to have made it then
        assertThat(nodes(explain("scorer-api", R.minusSeconds(60)).path("upstream"))).doesNotContain(backfill);
        // now it is part of raw.csv's lineage, and so of v1's (trained on raw.csv too)
        JsonNode now = explain("scorer-api", null);
        assertThat(now.path("run").path("id").asText()).isEqualTo(train1);
        assertThat(nodes(now.path("upstream"))).contains(backfill, prep);
    }

    @Test
    void withACanaryTheMainDeploymentIsTheOneTakingAllTheTraffic() {
        JsonNode e = explain("scorer-api", D2.plusSeconds(3600));

        assertThat(e.path("deployment").path("id").asText()).isEqualTo(d1);
        assertThat(version(e)).isEqualTo("1");
        assertThat(e.path("deployments")).extracting(d -> d.path("id").asText()).containsExactly(d1, canary);
        assertThat(e.path("deployments").path(1).path("trafficPercent").asDouble()).isEqualTo(10.0);
        assertThat(e.path("deployments").path(1).path("modelVersion").path("version").asText()).isEqualTo("2");
        assertThat(e.path("aliasesAtTime")).extracting(JsonNode::asText).containsExactly("production");
        assertThat(e.path("run").path("id").asText()).isEqualTo(train1);

        // the full rollout of v2 ended both
        JsonNode after = explain("scorer-api", D3.plusSeconds(60));
        assertThat(after.path("deployments")).extracting(d -> d.path("id").asText()).containsExactly(d3);
    }

    @Test
    void aTargetOfTheSameNameInTwoNamespacesNeedsTheNamespace() {
        for (String ns : List.of("team-a", "team-b")) {
            writes.version(ns, "ranker", "1", null, null, O1);
            writes.deploy(ns, "prod", "shared-name", "ranker", "1", O1, null);
        }
        var ambiguous = catalog.graphql("""
                query($at: DateTime) { explain(environment: "prod", target: "shared-name", at: $at) { deployment { namespace } } }""",
                Map.of("at", O2.toString()));
        assertThat(ambiguous.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(ambiguous.errorField()).isEqualTo("namespace");
        assertThat(ambiguous.errorMessage()).contains("team-a").contains("team-b");

        var answered = catalog.graphql("""
                query($at: DateTime) { explain(namespace: "team-b", environment: "prod", target: "shared-name", at: $at) {
                  deployment { namespace } } }""", Map.of("at", O2.toString())).ok();
        assertThat(answered.path("explain").path("deployment").path("namespace").asText()).isEqualTo("team-b");
    }

    @Test
    void nothingServedBeforeTheFirstDeployment() {
        assertThat(explain("scorer-api", D1.minusSeconds(1)).isNull()).isTrue();
        assertThat(explain("no-such-target", null).isNull()).isTrue();
    }

    @Test
    void aliasesAndDeploymentsAnswerForAnyPastInstant() {
        JsonNode model = catalog.graphql("""
                query($d2: DateTime, $r: DateTime, $early: DateTime) { model(namespace: "exp", name: "scorer") {
                  canary: version(alias: "production", asOf: $d2) { version }
                  beforeRollback: version(alias: "production", asOf: $r) { version }
                  now: version(alias: "production") { version }
                  none: version(alias: "production", asOf: $early) { version }
                  aliasesBefore: aliases(asOf: $r) { name modelVersion { version } since until }
                  aliasesNow: aliases { name modelVersion { version } since until } } }""",
                Map.of("d2", D2.plusSeconds(3600).toString(), "r", R.minusSeconds(60).toString(), "early", D1.minusSeconds(1).toString()))
                .ok().path("model");
        assertThat(model.path("canary").path("version").asText()).isEqualTo("1");
        assertThat(model.path("beforeRollback").path("version").asText()).isEqualTo("2");
        assertThat(model.path("now").path("version").asText()).isEqualTo("1");
        assertThat(model.path("none").isNull()).isTrue();
        assertThat(aliases(model.path("aliasesBefore"))).containsExactly("champion=2", "production=2");
        assertThat(Instant.parse(model.path("aliasesBefore").path(1).path("until").asText())).isEqualTo(R);
        assertThat(aliases(model.path("aliasesNow"))).containsExactly("champion=2", "production=1");
        assertThat(model.path("aliasesNow").path(1).path("until").isNull()).isTrue();

        assertThat(activeVersions(D1.minusSeconds(1))).isEmpty();
        assertThat(activeVersions(D2.plusSeconds(3600))).containsExactlyInAnyOrder("1", "2");
        assertThat(activeVersions(R.minusSeconds(60))).containsExactly("2");
        assertThat(activeVersions(Instant.now())).containsExactly("1");
    }

    private static List<String> aliases(JsonNode list) {
        List<String> result = new ArrayList<>();
        list.forEach(a -> result.add(a.path("name").asText() + "=" + a.path("modelVersion").path("version").asText()));
        return result;
    }

    private static List<String> activeVersions(Instant at) {
        JsonNode edges = catalog.graphql("""
                query($at: DateTime) { deployments(filter: {namespace: "exp", environment: "prod", target: "scorer-api", activeAt: $at}) {
                  totalCount edges { node { modelVersion { version } } } } }""", Map.of("at", at.toString())).ok().path("deployments");
        List<String> versions = new ArrayList<>();
        edges.path("edges").forEach(e -> versions.add(e.path("node").path("modelVersion").path("version").asText()));
        assertThat(edges.path("totalCount").asInt()).isEqualTo(versions.size());
        return versions;
    }

    @Test
    void lineageAsOfShowsEachDeploymentOfAReplacedAndRolledBackVersionOnlyWhileItServed() {
        // v1: d1 [D1, D3), replaced by v2; rollback [R, …). v2: canary [D2, D3), d3 [D3, R)
        assertThat(downstream(v1, D2)).containsExactlyInAnyOrder(v1, d1);
        assertThat(downstream(v1, D3)).containsExactly(v1);
        assertThat(downstream(v1, R.minusSeconds(60))).containsExactly(v1);
        assertThat(downstream(v1, R)).containsExactlyInAnyOrder(v1, rollback);
        assertThat(downstream(v1, null)).containsExactlyInAnyOrder(v1, d1, rollback);

        assertThat(downstream(v2, D2)).containsExactlyInAnyOrder(v2, canary);
        assertThat(downstream(v2, D3)).containsExactlyInAnyOrder(v2, d3);
        assertThat(downstream(v2, R.minusSeconds(60))).containsExactlyInAnyOrder(v2, d3);
        assertThat(downstream(v2, Instant.now())).containsExactly(v2);
    }

    @Test
    void aLateOlderEventOfTheTrainingRunChangesNothingExplainSays() {
        JsonNode before = explain("scorer-api", R.minusSeconds(60));

        // the scheduler's "started" event for train-2 arrives after its "succeeded": older, so it changes nothing
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("namespace", NS);
        started.put("name", "train-2");
        started.put("status", "RUNNING");
        started.put("startedAt", "2026-07-03T00:00:00Z");
        started.put("metrics", Map.of());
        writes.upsertRun(started);

        assertThat(explain("scorer-api", R.minusSeconds(60))).isEqualTo(before);
        assertThat(before.path("run").path("status").asText()).isEqualTo("SUCCEEDED");
    }

    private static List<String> downstream(String from, Instant asOf) {
        return nodes(writes.lineage(from, "DOWNSTREAM", 1, asOf, null).ok().path("lineage"));
    }

    // ------------------------------------------------------------------ events out of order

    @Test
    void aDeploymentAndAnAliasMoveThatArriveLateDoNotChangeWhatServedAfterThem() {
        for (String v : List.of("1", "2", "3")) {
            writes.version(NS, "ranker", v, null, "s3://exp/ranker/" + v + "/model.bin", O1.minusSeconds(86_400));
        }
        writes.deploy(NS, "prod", "ranker-api", "ranker", "1", O1, null);
        writes.alias(NS, "ranker", "production", "1", O1);
        writes.deploy(NS, "prod", "ranker-api", "ranker", "3", O3, null);
        writes.alias(NS, "ranker", "production", "3", O3);
        JsonNode afterO3 = explain("ranker-api", O3.plusSeconds(60));
        JsonNode betweenBefore = explain("ranker-api", O2.plusSeconds(60));
        assertThat(version(betweenBefore)).isEqualTo("1");

        // v2 was deployed (and made production) between the two, and only now is that recorded
        writes.deploy(NS, "prod", "ranker-api", "ranker", "2", O2, null);
        writes.alias(NS, "ranker", "production", "2", O2);

        assertThat(explain("ranker-api", O3.plusSeconds(60))).isEqualTo(afterO3);
        assertThat(version(afterO3)).isEqualTo("3");
        assertThat(afterO3.path("aliasesAtTime")).extracting(JsonNode::asText).containsExactly("production");

        JsonNode between = explain("ranker-api", O2.plusSeconds(60));
        assertThat(version(between)).isEqualTo("2");
        assertThat(between.path("aliasesAtTime")).extracting(JsonNode::asText).containsExactly("production");
        assertThat(Instant.parse(between.path("deployment").path("endedAt").asText())).isEqualTo(O3);
        assertThat(between.path("deployments")).hasSize(1); // v1 ended when v2 started

        JsonNode first = explain("ranker-api", O1.plusSeconds(60));
        assertThat(version(first)).isEqualTo("1");
        assertThat(Instant.parse(first.path("deployment").path("endedAt").asText())).isEqualTo(O2);
        assertThat(first.path("aliasesAtTime")).extracting(JsonNode::asText).containsExactly("production");
        assertThat(explain("ranker-api", O2.minusSeconds(60)).path("aliasesAtTime")).extracting(JsonNode::asText).containsExactly("production");

        // a version registered without a run: no run, no code, no inputs; upstream starts at the version
        assertThat(between.path("run").isNull()).isTrue();
        assertThat(between.path("codeVersion").isNull()).isTrue();
        assertThat(between.path("inputs")).isEmpty();
        assertThat(between.path("upstream").path("root").path("id").asText()).isEqualTo(between.path("modelVersion").path("id").asText());
        assertThat(nodes(between.path("upstream"))).containsExactlyInAnyOrder(between.path("modelVersion").path("id").asText(),
                artifact("s3://exp/ranker/2/model.bin"));

        // the deployments' edges were rewritten with them: each version's deployment is in the graph only while it served
        String rankerV1 = first.path("modelVersion").path("id").asText();
        String rankerV2 = between.path("modelVersion").path("id").asText();
        assertThat(downstream(rankerV1, O1.plusSeconds(60))).containsExactlyInAnyOrder(rankerV1, first.path("deployment").path("id").asText());
        assertThat(downstream(rankerV1, O2.plusSeconds(60))).containsExactly(rankerV1);
        assertThat(downstream(rankerV2, O2.plusSeconds(60))).containsExactlyInAnyOrder(rankerV2, between.path("deployment").path("id").asText());
        assertThat(downstream(rankerV2, O3.plusSeconds(60))).containsExactly(rankerV2);

        JsonNode model = catalog.graphql("""
                query($o2: DateTime, $o3: DateTime) { model(namespace: "exp", name: "ranker") {
                  between: version(alias: "production", asOf: $o2) { version }
                  after: version(alias: "production", asOf: $o3) { version } } }""",
                Map.of("o2", O2.plusSeconds(60).toString(), "o3", O3.plusSeconds(60).toString())).ok().path("model");
        assertThat(model.path("between").path("version").asText()).isEqualTo("2");
        assertThat(model.path("after").path("version").asText()).isEqualTo("3");
    }
}
