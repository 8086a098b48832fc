package io.mlcatalog.server.api;

import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Child fields load through DataLoaders: the statements a listing makes do not grow with the number of
 * rows it lists.
 */
class DataLoaderIT {
    private static final String LISTING = """
            query($n: Int!) { runs(first: $n, filter: {namespace: "loaders"}) { edges { node {
              name status codeVersion { commit } inputs { uri digest } outputs { uri }
              modelVersions { version model { name } } tags { key } parent { name } } } } }""";

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        for (int i = 0; i < 100; i++) {
            String sha = String.format("%040x", i + 1);
            String runId = catalog.graphql("""
                    mutation($name: String!, $sha: String!, $in: String!, $out: String!) {
                      upsertRun(input: {namespace: "loaders", name: $name, status: SUCCEEDED,
                        startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T01:00:00Z",
                        repository: "https://git.example/repo", commit: $sha, tags: [{key: "k", value: "v"}],
                        inputs: [{namespace: "loaders", uri: $in, digest: "md5:00000000000000000000000000000000"}],
                        outputs: [{namespace: "loaders", uri: $out, kind: MODEL}]}) { id }
                    }""", Map.of("name", "run-" + i, "sha", sha, "in", "s3://b/in/" + i, "out", "s3://b/out/" + i)).ok()
                    .path("upsertRun").path("id").asText();
            catalog.graphql("""
                    mutation($out: String!, $run: ID!) { registerModelVersion(input: {namespace: "loaders", model: "m",
                      artifact: {namespace: "loaders", uri: $out, kind: MODEL}, runId: $run}) { version } }""",
                    Map.of("out", "s3://b/out/" + i, "run", runId)).ok();
        }
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void listing100RunsWithChildrenTakesAsManyStatementsAsListingOne() {
        long one = statementsFor(1);
        long hundred = statementsFor(100);
        assertThat(hundred).isEqualTo(one);
        assertThat(one).isBetween(2L, 10L);
    }

    @Test
    void everyChildIsLoaded() {
        var edges = catalog.graphql(LISTING, Map.of("n", 100)).ok().path("runs").path("edges");
        assertThat(edges).hasSize(100);
        for (var e : edges) {
            var run = e.path("node");
            assertThat(run.path("codeVersion").path("commit").asText()).hasSize(40);
            assertThat(run.path("inputs")).hasSize(1);
            assertThat(run.path("outputs")).hasSize(1);
            assertThat(run.path("tags").path(0).path("key").asText()).isEqualTo("k");
            assertThat(run.path("modelVersions").path(0).path("model").path("name").asText()).isEqualTo("m");
        }
    }

    private long statementsFor(int n) {
        catalog.graphql(LISTING, Map.of("n", n)).ok(); // warm: prepared statements, caches
        long before = catalog.server().db().statementCount();
        catalog.graphql(LISTING, Map.of("n", n)).ok();
        return catalog.server().db().statementCount() - before;
    }
}
