package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs as a client sees them: upserts that are idempotent and follow event time, lookups, filters and paging. */
class RunApiIT {
    private static final String UPSERT = """
            mutation($input: RunInput!) { upsertRun(input: $input) {
              id name namespace externalId pipeline status startedAt endedAt user params metrics
              tags { key value } codeVersion { repository commit } parent { id name }
              inputs { uri digest } outputs { uri kind } } }""";
    private static final String RUN = """
            query($id: ID!) { run(id: $id) {
              id name status startedAt endedAt params metrics tags { key value }
              codeVersion { commit } parent { name } inputs { uri } outputs { uri } } }""";
    private static final String RUN_NAMES = """
            query($filter: RunFilter) { runs(filter: $filter, first: 100) { totalCount edges { node { name } } } }""";

    private static final String T1 = "2026-03-01T10:00:00Z";
    private static final String T2 = "2026-03-01T11:00:00Z";
    private static final String T3 = "2026-03-01T12:00:00Z";
    private static final String SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    // ------------------------------------------------------------------ create and idempotence

    @Test
    void upsertRunCreatesARunThatCanBeReadBack() {
        JsonNode created = upsert(Map.of("namespace", "runs-create", "name", "train", "status", "RUNNING", "startedAt", T1,
                "pipeline", "churn", "user", "ada", "params", Map.of("lr", 0.01, "epochs", 3)));

        assertThat(created.path("id").asText()).startsWith("Run:");
        JsonNode read = run(created.path("id").asText());
        assertThat(read.path("name").asText()).isEqualTo("train");
        assertThat(read.path("status").asText()).isEqualTo("RUNNING");
        assertThat(instant(read.path("startedAt"))).isEqualTo(Instant.parse(T1));
        assertThat(read.path("endedAt").isNull()).isTrue();
        assertThat(read.path("params").path("lr").asDouble()).isEqualTo(0.01);
        assertThat(read.path("params").path("epochs").asInt()).isEqualTo(3);
        assertThat(created.path("pipeline").asText()).isEqualTo("churn");
        assertThat(created.path("user").asText()).isEqualTo("ada");
    }

    @Test
    void sendingTheSameRunTwiceReturnsTheSameRunAndChangesNothing() {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("namespace", "runs-twice");
        input.put("name", "train");
        input.put("externalId", "mlflow-42");
        input.put("pipeline", "churn");
        input.put("status", "SUCCEEDED");
        input.put("startedAt", T1);
        input.put("endedAt", T2);
        input.put("params", Map.of("lr", 0.1, "layers", List.of(64, 32), "opt", Map.of("name", "adam", "beta", 1.0)));
        input.put("metrics", Map.of("auc", 0.93));
        input.put("tags", List.of(Map.of("key", "team", "value", "growth"), Map.of("key", "Stage")));
        input.put("repository", "https://git.example/acme/churn.git");
        input.put("commit", SHA);
        input.put("inputs", List.of(Map.of("namespace", "runs-twice", "uri", "s3://data/twice/train.parquet",
                "digest", "md5:0123456789abcdef0123456789abcdef", "kind", "DATASET")));
        input.put("outputs", List.of(Map.of("namespace", "runs-twice", "uri", "s3://models/twice/model.pkl", "kind", "MODEL")));
        String id = upsert(input).path("id").asText();
        Map<String, Long> before = catalog.rowCounts();

        JsonNode again = upsert(input);

        assertThat(again.path("id").asText()).isEqualTo(id);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aRunWithoutTimesSentTwiceChangesNothing() {
        Map<String, Object> input = Map.of("namespace", "runs-twice-untimed", "name", "train", "status", "RUNNING");
        String id = upsert(input).path("id").asText();
        Map<String, Long> before = catalog.rowCounts();

        assertThat(upsert(input).path("id").asText()).isEqualTo(id);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void numbersThatAreEqualAsJsonAreNoChange() {
        // 2.0 and 2 are the same JSON number; so are 1e15 and 1000000000000000
        upsert(Map.of("namespace", "runs-numbers", "name", "train", "status", "RUNNING",
                "params", Map.of("a", 2, "big", 1_000_000_000_000_000L, "bigger", 12_345_678_901_234_567L)));
        Map<String, Long> before = catalog.rowCounts();

        upsert(Map.of("namespace", "runs-numbers", "name", "train", "status", "RUNNING",
                "params", Map.of("a", 2.0, "big", 1e15, "bigger", 12_345_678_901_234_567L)));

        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aRepeatedRunWithLargeWholeMetricsChangesNothing() {
        Map<String, Object> input = Map.of("namespace", "runs-large-metrics", "name", "train", "status", "RUNNING",
                "metrics", Map.of("samples", 2.5e15, "tokens", 4e18));
        upsert(input);
        Map<String, Long> before = catalog.rowCounts();

        upsert(input);

        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ status by event time

    @Test
    void aLateOlderStartNeverMovesAFinishedRunBack() {
        Map<String, Object> key = Map.of("namespace", "runs-late-start", "name", "train");
        upsert(with(key, "status", "RUNNING", "startedAt", T1));
        upsert(with(key, "status", "SUCCEEDED", "endedAt", T3));
        JsonNode run = upsert(with(key, "status", "RUNNING", "startedAt", T2));

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(instant(run.path("startedAt"))).isEqualTo(Instant.parse(T1));
        assertThat(instant(run.path("endedAt"))).isEqualTo(Instant.parse(T3));
    }

    @Test
    void aFailedRunStaysFailedWhenALaterSuccessArrives() {
        Map<String, Object> key = Map.of("namespace", "runs-terminal", "name", "train");
        upsert(with(key, "status", "FAILED", "startedAt", T1, "endedAt", T2));
        JsonNode run = upsert(with(key, "status", "SUCCEEDED", "startedAt", T1, "endedAt", T3));

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(instant(run.path("endedAt"))).isEqualTo(Instant.parse(T2));
    }

    @Test
    void theSameEventsInReverseOrderGiveTheSameRun() {
        List<Map<String, Object>> events = List.of(
                Map.of("status", "RUNNING", "startedAt", T1, "params", Map.of("lr", 0.1), "tags", List.of(Map.of("key", "a"))),
                Map.of("status", "SUCCEEDED", "endedAt", T3, "metrics", Map.of("auc", 0.9), "user", "ada"),
                Map.of("status", "RUNNING", "startedAt", T2, "params", Map.of("epochs", 5), "tags", List.of(Map.of("key", "b"))));
        for (Map<String, Object> e : events) {
            upsert(with(Map.of("namespace", "runs-order", "name", "forward"), e));
        }
        for (int i = events.size() - 1; i >= 0; i--) {
            upsert(with(Map.of("namespace", "runs-order", "name", "reverse"), events.get(i)));
        }

        JsonNode forward = lookup("runs-order", "forward");
        JsonNode reverse = lookup("runs-order", "reverse");
        assertThat(forward.path("status").asText()).isEqualTo("SUCCEEDED");
        for (String field : List.of("status", "startedAt", "endedAt", "params", "metrics", "user", "tags")) {
            assertThat(reverse.path(field)).as(field).isEqualTo(forward.path(field));
        }
        assertThat(instant(forward.path("startedAt"))).isEqualTo(Instant.parse(T1));
        assertThat(instant(forward.path("endedAt"))).isEqualTo(Instant.parse(T3));
    }

    @Test
    void timesComeBackToTheMicrosecondAndResendingThemChangesNothing() {
        Map<String, Object> input = Map.of("namespace", "runs-micros", "name", "train", "status", "SUCCEEDED",
                "startedAt", "2026-03-01T10:00:00.123456+02:00", "endedAt", "2026-03-01T10:00:01.000001Z");
        JsonNode run = upsert(input);
        assertThat(instant(run.path("startedAt"))).isEqualTo(Instant.parse("2026-03-01T08:00:00.123456Z"));
        assertThat(instant(run.path("endedAt"))).isEqualTo(Instant.parse("2026-03-01T10:00:01.000001Z"));
        Map<String, Long> before = catalog.rowCounts();

        // a client that sends back what it read changes nothing
        upsert(with(input, "startedAt", run.path("startedAt").asText(), "endedAt", run.path("endedAt").asText()));

        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void paramsAndMetricsMergeKeyByKey() {
        Map<String, Object> key = Map.of("namespace", "runs-merge", "name", "train");
        upsert(with(key, "status", "RUNNING", "params", Map.of("lr", 0.1, "epochs", 5), "metrics", Map.of("loss", 0.5)));
        JsonNode run = upsert(with(key, "status", "RUNNING", "params", Map.of("batch", 32), "metrics", Map.of("auc", 0.8)));

        assertThat(run.path("params")).isEqualTo(json(Map.of("lr", 0.1, "epochs", 5, "batch", 32)));
        assertThat(run.path("metrics")).isEqualTo(json(Map.of("loss", 0.5, "auc", 0.8)));
    }

    // ------------------------------------------------------------------ links

    @Test
    void inputsAndOutputsAreArtifactsLinkedBothWays() {
        JsonNode run = upsert(Map.of("namespace", "runs-io", "name", "train", "status", "SUCCEEDED", "startedAt", T1, "endedAt", T2,
                "inputs", List.of(Map.of("namespace", "runs-io", "uri", "s3://data/io/train.parquet", "kind", "DATASET",
                        "digest", "sha256:" + "ab".repeat(32))),
                "outputs", List.of(Map.of("namespace", "runs-io", "uri", "s3://models/io/model.pkl", "kind", "MODEL"))));

        assertThat(run.path("inputs").path(0).path("uri").asText()).isEqualTo("s3://data/io/train.parquet");
        assertThat(run.path("outputs").path(0).path("uri").asText()).isEqualTo("s3://models/io/model.pkl");
        assertThat(run.path("outputs").path(0).path("kind").asText()).isEqualTo("MODEL");

        JsonNode input = catalog.graphql("""
                { artifact(uri: "s3://data/io/train.parquet") { name kind
                    consumedBy { totalCount edges { node { id } } } producedBy { id } } }""").ok().path("artifact");
        assertThat(input.path("name").asText()).isEqualTo("train.parquet");
        assertThat(input.path("consumedBy").path("totalCount").asInt()).isEqualTo(1);
        assertThat(input.path("consumedBy").path("edges").path(0).path("node").path("id").asText()).isEqualTo(run.path("id").asText());
        assertThat(input.path("producedBy")).isEmpty();

        JsonNode output = catalog.graphql("""
                { artifact(uri: "s3://models/io/model.pkl") { producedBy { id } consumedBy { totalCount } } }""").ok().path("artifact");
        assertThat(output.path("producedBy").path(0).path("id").asText()).isEqualTo(run.path("id").asText());
        assertThat(output.path("consumedBy").path("totalCount").asInt()).isZero();
    }

    @Test
    void inputsAreAddedToWhatTheRunAlreadyHas() {
        Map<String, Object> key = Map.of("namespace", "runs-io-add", "name", "train", "status", "RUNNING");
        upsert(with(key, "inputs", List.of(Map.of("namespace", "runs-io-add", "uri", "s3://data/add/a.csv"))));
        JsonNode run = upsert(with(key, "inputs", List.of(Map.of("namespace", "runs-io-add", "uri", "s3://data/add/b.csv"))));

        assertThat(run.path("inputs").findValuesAsText("uri")).containsExactly("s3://data/add/a.csv", "s3://data/add/b.csv");
    }

    @Test
    void repositoryAndCommitCreateACodeVersionFoundByShaAndPrefix() {
        String sha = "9c1185a5c5e9fc54612808977ee8f548b2258d31";
        JsonNode run = upsert(Map.of("namespace", "runs-code", "name", "train", "status", "RUNNING",
                "repository", "https://git.example/acme/code-test.git/", "commit", sha.toUpperCase()));
        assertThat(run.path("codeVersion").path("commit").asText()).isEqualTo(sha);
        assertThat(run.path("codeVersion").path("repository").asText()).isEqualTo("https://git.example/acme/code-test");

        String query = """
                query($c: String!) { codeVersion(commit: $c) { commit repository runs { totalCount edges { node { id } } } } }""";
        for (String commit : List.of(sha, sha.substring(0, 10))) {
            JsonNode cv = catalog.graphql(query, Map.of("c", commit)).ok().path("codeVersion");
            assertThat(cv.path("commit").asText()).as(commit).isEqualTo(sha);
            assertThat(cv.path("runs").path("totalCount").asInt()).isEqualTo(1);
            assertThat(cv.path("runs").path("edges").path(0).path("node").path("id").asText()).isEqualTo(run.path("id").asText());
        }
        assertThat(catalog.graphql(query, Map.of("c", "9c1185a5c5e9fc54612808977ee8f548b2258d30")).ok().path("codeVersion").isNull())
                .isTrue();
    }

    @Test
    void parentRunIdLinksTheParent() {
        String parent = upsert(Map.of("namespace", "runs-parent", "name", "pipeline", "status", "RUNNING")).path("id").asText();
        JsonNode child = upsert(Map.of("namespace", "runs-parent", "name", "step-1", "status", "RUNNING", "parentRunId", parent));

        assertThat(child.path("parent").path("id").asText()).isEqualTo(parent);
        assertThat(child.path("parent").path("name").asText()).isEqualTo("pipeline");
    }

    @Test
    void anUnknownParentIsNotFoundAndNothingIsWritten() {
        Map<String, Long> before = catalog.rowCounts();

        Result r = catalog.graphql(UPSERT, Map.of("input", Map.of("namespace", "runs-orphan", "name", "step", "status", "RUNNING",
                "parentRunId", "Run:00000000-0000-0000-0000-000000000001",
                "repository", "https://git.example/acme/orphan", "commit", SHA,
                "inputs", List.of(Map.of("namespace", "runs-orphan", "uri", "s3://data/orphan.csv")))));

        assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(r.errorField()).isEqualTo("input.parentRunId");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ lookups and filters

    @Test
    void aRunIsFoundByNamespaceAndExternalId() {
        String id = upsert(Map.of("namespace", "runs-lookup", "name", "train", "externalId", "airflow-7", "status", "RUNNING"))
                .path("id").asText();
        upsert(Map.of("namespace", "runs-lookup-other", "name", "train", "externalId", "airflow-7", "status", "RUNNING"));

        String query = "query($ns: String!, $ext: String!) { run(namespace: $ns, externalId: $ext) { id assertedBy { source externalId } } }";
        JsonNode found = catalog.graphql(query, Map.of("ns", "runs-lookup", "ext", "airflow-7")).ok().path("run");
        assertThat(found.path("id").asText()).isEqualTo(id);
        assertThat(found.path("assertedBy").path(0).path("source").asText()).isEqualTo("api");
        assertThat(found.path("assertedBy").path(0).path("externalId").asText()).isEqualTo("airflow-7");
        assertThat(catalog.graphql(query, Map.of("ns", "runs-lookup", "ext", "airflow-8")).ok().path("run").isNull()).isTrue();
    }

    @Test
    void runsFilterByNamespace() {
        upsert(Map.of("namespace", "runs-f-ns-a", "name", "a1", "status", "RUNNING"));
        upsert(Map.of("namespace", "runs-f-ns-a", "name", "a2", "status", "RUNNING"));
        upsert(Map.of("namespace", "runs-f-ns-b", "name", "b1", "status", "RUNNING"));

        assertThat(names(Map.of("namespace", "runs-f-ns-a"))).containsExactlyInAnyOrder("a1", "a2");
        assertThat(names(Map.of("namespace", "runs-f-ns-b"))).containsExactly("b1");
        assertThat(names(Map.of("namespace", "runs-f-ns-none"))).isEmpty();
    }

    @Test
    void runsFilterByPipeline() {
        upsert(Map.of("namespace", "runs-f-pipe", "name", "a", "pipeline", "etl", "status", "RUNNING"));
        upsert(Map.of("namespace", "runs-f-pipe", "name", "b", "pipeline", "train", "status", "RUNNING"));
        upsert(Map.of("namespace", "runs-f-pipe", "name", "c", "status", "RUNNING"));

        assertThat(names(Map.of("namespace", "runs-f-pipe", "pipeline", "etl"))).containsExactly("a");
    }

    @Test
    void runsFilterByAnyOfSeveralStatuses() {
        upsert(Map.of("namespace", "runs-f-status", "name", "running", "status", "RUNNING"));
        upsert(Map.of("namespace", "runs-f-status", "name", "ok", "status", "SUCCEEDED"));
        upsert(Map.of("namespace", "runs-f-status", "name", "bad", "status", "FAILED"));
        upsert(Map.of("namespace", "runs-f-status", "name", "stopped", "status", "ABORTED"));

        assertThat(names(Map.of("namespace", "runs-f-status", "status", List.of("FAILED", "ABORTED"))))
                .containsExactlyInAnyOrder("bad", "stopped");
        assertThat(names(Map.of("namespace", "runs-f-status", "status", List.of("RUNNING")))).containsExactly("running");
    }

    @Test
    void runsFilterByTagKeyAndValue() {
        upsert(Map.of("namespace", "runs-f-tag", "name", "prod", "status", "RUNNING", "tags", List.of(Map.of("key", "env", "value", "prod"))));
        upsert(Map.of("namespace", "runs-f-tag", "name", "dev", "status", "RUNNING", "tags", List.of(Map.of("key", "env", "value", "dev"))));
        upsert(Map.of("namespace", "runs-f-tag", "name", "none", "status", "RUNNING"));

        assertThat(names(Map.of("namespace", "runs-f-tag", "tag", Map.of("key", "env")))).containsExactlyInAnyOrder("prod", "dev");
        assertThat(names(Map.of("namespace", "runs-f-tag", "tag", Map.of("key", "env", "value", "dev")))).containsExactly("dev");
    }

    @Test
    void runsFilterByStartTimeRange() {
        upsert(Map.of("namespace", "runs-f-time", "name", "t1", "status", "RUNNING", "startedAt", T1));
        upsert(Map.of("namespace", "runs-f-time", "name", "t2", "status", "RUNNING", "startedAt", T2));
        upsert(Map.of("namespace", "runs-f-time", "name", "t3", "status", "RUNNING", "startedAt", T3));

        assertThat(names(Map.of("namespace", "runs-f-time", "startedAfter", T2))).containsExactly("t3", "t2");
        assertThat(names(Map.of("namespace", "runs-f-time", "startedBefore", T2))).containsExactly("t1");
        assertThat(names(Map.of("namespace", "runs-f-time", "startedAfter", T1, "startedBefore", T3))).containsExactly("t2", "t1");
    }

    @Test
    void runsFilterByNameSubstringIgnoringCaseAndWildcards() {
        upsert(Map.of("namespace", "runs-f-name", "name", "Train-Churn", "status", "RUNNING"));
        upsert(Map.of("namespace", "runs-f-name", "name", "eval_churn", "status", "RUNNING"));
        upsert(Map.of("namespace", "runs-f-name", "name", "evalXchurn", "status", "RUNNING"));

        assertThat(names(Map.of("namespace", "runs-f-name", "nameContains", "CHURN")))
                .containsExactlyInAnyOrder("Train-Churn", "eval_churn", "evalXchurn");
        assertThat(names(Map.of("namespace", "runs-f-name", "nameContains", "l_c"))).containsExactly("eval_churn");
    }

    @Test
    void runsFilterByCommitPrefix() {
        String shaA = "aaaa1111" + "0".repeat(32);
        String shaB = "aaaa2222" + "0".repeat(32);
        upsert(Map.of("namespace", "runs-f-commit", "name", "a", "status", "RUNNING", "repository", "https://git.example/f", "commit", shaA));
        upsert(Map.of("namespace", "runs-f-commit", "name", "b", "status", "RUNNING", "repository", "https://git.example/f", "commit", shaB));
        upsert(Map.of("namespace", "runs-f-commit", "name", "none", "status", "RUNNING"));

        assertThat(names(Map.of("namespace", "runs-f-commit", "commit", "aaaa"))).containsExactlyInAnyOrder("a", "b");
        assertThat(names(Map.of("namespace", "runs-f-commit", "commit", "AAAA2222"))).containsExactly("b");
        assertThat(names(Map.of("namespace", "runs-f-commit", "commit", shaA))).containsExactly("a");
    }

    // ------------------------------------------------------------------ paging

    @Test
    void pagingVisitsEveryRunOnceNewestFirst() {
        Instant base = Instant.parse("2026-02-01T00:00:00Z");
        for (int i = 0; i < 45; i++) {
            upsert(Map.of("namespace", "runs-paging", "name", "run-" + i, "status", "RUNNING",
                    "startedAt", base.plusSeconds(60L * i).toString()));
        }
        String query = """
                query($after: String) { runs(filter: {namespace: "runs-paging"}, first: 20, after: $after) {
                  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name startedAt } } } }""";

        List<String> seen = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("after", after);
            JsonNode runs = catalog.graphql(query, vars).ok().path("runs");
            pages++;
            assertThat(runs.path("totalCount").asInt()).isEqualTo(45);
            for (JsonNode e : runs.path("edges")) {
                seen.add(e.path("node").path("name").asText());
                times.add(instant(e.path("node").path("startedAt")));
            }
            if (!runs.path("pageInfo").path("hasNextPage").asBoolean()) {
                break;
            }
            after = runs.path("pageInfo").path("endCursor").asText();
            assertThat(pages).isLessThan(10);
        }

        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(45).doesNotHaveDuplicates();
        assertThat(seen.get(0)).isEqualTo("run-44");
        assertThat(seen.get(44)).isEqualTo("run-0");
        assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @Test
    void theConsumersOfAnArtifactAndTheRunsOfACommitPageToo() {
        Instant base = Instant.parse("2026-02-10T00:00:00Z");
        String sha = "c0ffee" + "0".repeat(34);
        for (int i = 0; i < 5; i++) {
            upsert(Map.of("namespace", "runs-child-paging", "name", "run-" + i, "status", "RUNNING",
                    "startedAt", base.plusSeconds(i).toString(), "repository", "https://git.example/paging", "commit", sha,
                    "inputs", List.of(Map.of("namespace", "runs-child-paging", "uri", "s3://paging/shared.csv"))));
        }
        String consumers = """
                query($after: String) { artifact(uri: "s3://paging/shared.csv") { consumedBy(first: 2, after: $after) {
                  totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } } }""";
        String runsOfCommit = """
                query($after: String) { codeVersion(commit: "c0ffee") { runs(first: 2, after: $after) {
                  totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } } }""";

        List<String> expected = List.of("run-4", "run-3", "run-2", "run-1", "run-0");
        assertThat(allPages(consumers, "artifact", "consumedBy")).isEqualTo(expected);
        assertThat(allPages(runsOfCommit, "codeVersion", "runs")).isEqualTo(expected);
    }

    @Test
    void firstOutsideOneToAHundredIsRefused() {
        for (int first : new int[] {0, 101, -1}) {
            Result r = catalog.graphql("query($n: Int) { runs(first: $n) { totalCount } }", Map.of("n", first));
            assertThat(r.errorCode()).as("first: " + first).isEqualTo("BAD_USER_INPUT");
            assertThat(r.errorField()).as("first: " + first).isEqualTo("first");
        }
        assertThat(catalog.graphql("{ runs(first: 100) { totalCount } }").ok().path("runs").has("totalCount")).isTrue();
    }

    @Test
    void aGarbageCursorIsRefused() {
        for (String after : List.of("garbage", "", "bm90LWEtY3Vyc29y", "MTIzLzQ1Ng")) {
            Result r = catalog.graphql("query($a: String) { runs(after: $a) { totalCount } }", Map.of("a", after));
            assertThat(r.errorCode()).as(after).isEqualTo("BAD_USER_INPUT");
            assertThat(r.errorField()).as(after).isEqualTo("after");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Every name on every page of a child connection, following endCursor. */
    private static List<String> allPages(String query, String parent, String connection) {
        List<String> names = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("after", after);
            JsonNode c = catalog.graphql(query, vars).ok().path(parent).path(connection);
            assertThat(c.path("totalCount").asInt()).isEqualTo(5);
            names.addAll(c.path("edges").findValuesAsText("name"));
            if (!c.path("pageInfo").path("hasNextPage").asBoolean()) {
                return names;
            }
            after = c.path("pageInfo").path("endCursor").asText();
        }
        throw new AssertionError("more than 10 pages: " + names);
    }

    private static JsonNode upsert(Map<String, ?> input) {
        return catalog.graphql(UPSERT, Map.of("input", input)).ok().path("upsertRun");
    }

    private static JsonNode run(String id) {
        return catalog.graphql(RUN, Map.of("id", id)).ok().path("run");
    }

    private static JsonNode lookup(String namespace, String name) {
        return catalog.graphql("""
                query($ns: String!, $name: String!) { run(namespace: $ns, name: $name) {
                  status startedAt endedAt params metrics user tags { key value } } }""",
                Map.of("ns", namespace, "name", name)).ok().path("run");
    }

    private static List<String> names(Map<String, ?> filter) {
        JsonNode runs = catalog.graphql(RUN_NAMES, Map.of("filter", filter)).ok().path("runs");
        List<String> names = runs.path("edges").findValuesAsText("name");
        assertThat(runs.path("totalCount").asInt()).isEqualTo(names.size());
        return names;
    }

    private static Map<String, Object> with(Map<String, ?> base, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> with(Map<String, ?> base, Map<String, ?> more) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.putAll(more);
        return m;
    }

    static Instant instant(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : java.time.OffsetDateTime.parse(node.asText()).toInstant();
    }

    private static JsonNode json(Object value) {
        return TestCatalog.JSON.valueToTree(value);
    }
}
