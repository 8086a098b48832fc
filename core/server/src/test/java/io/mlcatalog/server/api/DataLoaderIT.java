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
        // two aliases and three deployments of the model's versions, for the dashboard's model and deployments queries
        for (String[] alias : new String[][]{{"prod", "3"}, {"staging", "7"}}) {
            catalog.graphql("""
                    mutation($alias: String!, $version: String!) { setAlias(namespace: "loaders", model: "m", alias: $alias,
                      version: $version, at: "2026-01-02T00:00:00Z") { name } }""", Map.of("alias", alias[0], "version", alias[1])).ok();
        }
        for (String version : new String[]{"3", "5", "7"}) {
            catalog.graphql("""
                    mutation($target: String!, $version: String!) { startDeployment(input: {namespace: "loaders", environment: "prod",
                      target: $target, model: "m", version: $version, startedAt: "2026-01-03T00:00:00Z"}) { id } }""",
                    Map.of("target", "svc-" + version, "version", version)).ok();
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

    @Test
    void aModelWithItsVersionsAndAliasesTakesOneStatement() {
        // the model with its versions page and its aliases, read with the versions they name and those versions' model
        String query = """
                { model(namespace: "loaders", name: "m") { name versions(first: 20) { edges { node { version } } }
                  aliases { name modelVersion { version model { name } } } } }""";
        var model = catalog.graphql(query).ok().path("model");
        assertThat(model.path("versions").path("edges")).hasSize(20);
        assertThat(model.path("aliases").toString()).isEqualTo("""
                [{"name":"prod","modelVersion":{"version":"3","model":{"name":"m"}}},\
                {"name":"staging","modelVersion":{"version":"7","model":{"name":"m"}}}]""");
        assertThat(statements(query, Map.of())).isEqualTo(1);
    }

    @Test
    void aModelsVersionsPagesWithOtherArgumentsAndAfterACursorAreLoadedAsBefore() {
        // the first versions field's page comes with the model; the second, with other arguments, takes its own statement
        String query = """
                { model(namespace: "loaders", name: "m") { three: versions(first: 3) { edges { node { version } } pageInfo { endCursor } }
                  five: versions(first: 5) { edges { node { version } } } aliases { name } } }""";
        var model = catalog.graphql(query).ok().path("model");
        assertThat(model.path("three").path("edges").findValuesAsText("version")).containsExactly("100", "99", "98");
        assertThat(model.path("five").path("edges").findValuesAsText("version")).containsExactly("100", "99", "98", "97", "96");
        assertThat(model.path("aliases").findValuesAsText("name")).containsExactly("prod", "staging");
        assertThat(statements(query, Map.of())).isEqualTo(2);
        String after = """
                query($c: String) { model(namespace: "loaders", name: "m") { versions(first: 2, after: $c) { edges { node { version } } } } }""";
        Map<String, Object> cursor = Map.of("c", model.path("three").path("pageInfo").path("endCursor").asText());
        assertThat(catalog.graphql(after, cursor).ok().path("model").path("versions").path("edges").findValuesAsText("version"))
                .containsExactly("97", "96");
        assertThat(statements(after, cursor)).isEqualTo(1);
    }

    @Test
    void deploymentsWithTheirVersionsAndModelsTakeOneStatement() {
        // the page of deployments, read with their versions and those versions' models
        String query = """
                { deployments(filter: {namespace: "loaders"}, first: 50) { edges { node { target
                  modelVersion { version model { name } } } } } }""";
        var edges = catalog.graphql(query).ok().path("deployments").path("edges");
        assertThat(edges).hasSize(3);
        for (var e : edges) {
            var node = e.path("node");
            assertThat(node.path("target").asText()).isEqualTo("svc-" + node.path("modelVersion").path("version").asText());
            assertThat(node.path("modelVersion").path("model").path("name").asText()).isEqualTo("m");
        }
        assertThat(statements(query, Map.of())).isEqualTo(1);
    }

    @Test
    void runsWithTheirModelVersionsAndModelsTakeTwoStatements() {
        String query = """
                query($n: Int!) { runs(first: $n, filter: {namespace: "loaders"}) { edges { node {
                  modelVersions { version model { name } } } } } }""";
        assertThat(catalog.graphql(query, Map.of("n", 100)).ok().path("runs").path("edges").findValuesAsText("name"))
                .hasSize(100).containsOnly("m");
        assertThat(statements(query, Map.of("n", 100))).isEqualTo(2);
    }

    private long statements(String query, Map<String, Object> variables) {
        catalog.graphql(query, variables).ok(); // warm: prepared statements, caches
        long before = catalog.server().db().statementCount();
        catalog.graphql(query, variables).ok();
        return catalog.server().db().statementCount() - before;
    }

    private long statementsFor(int n) {
        catalog.graphql(LISTING, Map.of("n", n)).ok(); // warm: prepared statements, caches
        long before = catalog.server().db().statementCount();
        catalog.graphql(LISTING, Map.of("n", n)).ok();
        return catalog.server().db().statementCount() - before;
    }
}
