package io.mlcatalog.plugins.git;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The git source in a real catalog: what GraphQL shows after a poll, and that polling again or replaying changes nothing. */
class GitCatalogIT {
    private static final String REPOSITORY = "https://github.com/acme/churn";
    private static final String CODE_VERSION = """
            query($repository: String, $commit: String!) {
              codeVersion(repository: $repository, commit: $commit) {
                repository commit branches tags author message committedAt
                assertedBy { source externalId }
                runs { edges { node { name } } }
              }
            }""";

    @TempDir
    Path tmp;

    private static TestingCatalog catalog(Path repository) {
        return TestingCatalog.builder()
                .instance("acme-git", "git", Map.of("repository", repository.toString(), "repositoryName", REPOSITORY + ".git",
                        "namespace", "risk"))
                .start();
    }

    private static JsonNode codeVersion(TestingCatalog catalog, ObjectId commit) {
        return catalog.query(CODE_VERSION, Map.of("repository", REPOSITORY, "commit", commit.name())).path("codeVersion");
    }

    @Test
    void commitsShowInTheCatalogWithTheirBranchesTagsAndProvenance() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false);
             TestingCatalog catalog = catalog(repo.dir())) {
            ObjectId a = repo.commit("main", "Train churn model\n\nWith class weights.");
            repo.setBranch("feature", a);
            ObjectId f = repo.commit("feature", "Try gradient boosting");
            repo.tag("v1.0", a, "First release", repo.tick());

            PollOutcome outcome = catalog.poll("acme-git");

            assertThat(outcome.ok()).as(outcome.error()).isTrue();
            JsonNode cv = codeVersion(catalog, a);
            assertThat(cv.path("repository").asText()).isEqualTo(REPOSITORY);
            assertThat(cv.path("commit").asText()).isEqualTo(a.name());
            assertThat(texts(cv.path("branches"))).containsExactly("feature", "main");
            assertThat(texts(cv.path("tags"))).containsExactly("v1.0");
            assertThat(cv.path("author").asText()).isEqualTo("Ada Lovelace <ada@example.com>");
            assertThat(cv.path("message").asText()).isEqualTo("Train churn model\n\nWith class weights.");
            assertThat(OffsetDateTime.parse(cv.path("committedAt").asText()).toInstant()).isEqualTo(TestRepo.START.plusSeconds(60));
            assertThat(cv.path("assertedBy").get(0).path("source").asText()).isEqualTo("acme-git");
            assertThat(cv.path("assertedBy").get(0).path("externalId").asText()).isEqualTo(a.name());
            assertThat(texts(codeVersion(catalog, f).path("branches"))).containsExactly("feature");

            Map<String, Long> rows = catalog.rowCounts();
            assertThat(catalog.poll("acme-git").ok()).isTrue();
            assertThat(catalog.rowCounts()).as("polling again changes nothing").isEqualTo(rows);

            catalog.resetCheckpoints("acme-git");
            assertThat(catalog.poll("acme-git").emitted()).containsEntry("CodeVersionRecord", 2);
            assertThat(catalog.rowCounts()).as("a replay from the beginning changes nothing").isEqualTo(rows);
        }
    }

    @Test
    void aRunNamingTheCommitJoinsTheCodeVersionWhicheverArrivesFirst() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false);
             TestingCatalog catalog = catalog(repo.dir())) {
            ObjectId first = repo.commit("main", "Baseline");
            ObjectId second = repo.commit("main", "Add tenure feature");
            upsertRun(catalog, "train-before", REPOSITORY + ".git", first); // the run arrives before the commit

            assertThat(catalog.poll("acme-git").ok()).isTrue();
            upsertRun(catalog, "train-after", REPOSITORY, second); // and after it

            for (String[] run : List.of(new String[]{"train-before", first.name(), "Baseline"},
                    new String[]{"train-after", second.name(), "Add tenure feature"})) {
                JsonNode code = catalog.query("{ run(namespace: \"risk\", name: \"" + run[0] + "\") { codeVersion { commit author "
                        + "message branches } } }").path("run").path("codeVersion");
                assertThat(code.path("commit").asText()).isEqualTo(run[1]);
                assertThat(code.path("author").asText()).isEqualTo("Ada Lovelace <ada@example.com>");
                assertThat(code.path("message").asText()).isEqualTo(run[2]);
                assertThat(texts(code.path("branches"))).containsExactly("main");
            }
            assertThat(codeVersion(catalog, first).path("runs").path("edges").get(0).path("node").path("name").asText())
                    .isEqualTo("train-before");
            assertThat(catalog.count("select count(*) from code_version")).isEqualTo(2);
        }
    }

    @Test
    void gtoTagsMakeModelVersionsAndAliasesWithTheirHistory() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false);
             TestingCatalog catalog = catalog(repo.dir())) {
            ObjectId a = repo.commit("main", "train v1");
            ObjectId b = repo.commit("main", "train v2");
            repo.tag("churn@v1.0.0", a, "First model", repo.tick());
            repo.tag("churn@v1.1.0", b, "Better recall", repo.tick());
            var promoted = repo.tick();
            repo.tag("churn#prod#1", a, "Promote v1.0.0", promoted);
            var moved = repo.tick();
            repo.tag("churn#prod#2", b, "Promote v1.1.0", moved);

            PollOutcome outcome = catalog.poll("acme-git");

            assertThat(outcome.ok()).as(outcome.error()).isTrue();
            JsonNode model = catalog.query("""
                    query($before: DateTime, $between: DateTime) {
                      model(namespace: "risk", name: "churn") {
                        versions { edges { node { version description createdAt tags { key value } } } }
                        history: aliases(asOf: $between) { name since until modelVersion { version } }
                        now: aliases { name since until modelVersion { version } }
                        before: version(alias: "prod", asOf: $before) { version }
                        between: version(alias: "prod", asOf: $between) { version }
                        current: version(alias: "prod") { version }
                      }
                    }""", Map.of("before", promoted.minusSeconds(1).toString(), "between", promoted.plusSeconds(30).toString()))
                    .path("model");
            JsonNode versions = model.path("versions").path("edges");
            assertThat(versions).extracting(v -> v.path("node").path("version").asText()).containsExactlyInAnyOrder("1.0.0", "1.1.0");
            JsonNode v11 = versions.findParents("version").stream().filter(v -> v.path("version").asText().equals("1.1.0"))
                    .findFirst().orElseThrow();
            assertThat(v11.path("description").asText()).isEqualTo("Better recall");
            assertThat(v11.path("tags")).extracting(t -> t.path("key").asText() + "=" + t.path("value").asText())
                    .contains("commit=" + b.name(), "registeredBy=Ada Lovelace <ada@example.com>");
            assertThat(model.path("before").isNull()).isTrue();
            assertThat(model.path("between").path("version").asText()).isEqualTo("1.0.0");
            assertThat(model.path("current").path("version").asText()).isEqualTo("1.1.0");
            JsonNode then = model.path("history").get(0);
            assertThat(then.path("modelVersion").path("version").asText()).isEqualTo("1.0.0");
            assertThat(OffsetDateTime.parse(then.path("since").asText()).toInstant()).isEqualTo(promoted);
            assertThat(OffsetDateTime.parse(then.path("until").asText()).toInstant()).isEqualTo(moved);
            assertThat(model.path("now").get(0).path("until").isNull()).isTrue();

            Map<String, Long> rows = catalog.rowCounts();
            catalog.resetCheckpoints("acme-git");
            assertThat(catalog.poll("acme-git").ok()).isTrue();
            assertThat(catalog.rowCounts()).as("replaying the tags changes nothing").isEqualTo(rows);
        }
    }

    @Test
    void aBrokenRepositoryShowsAsFailingWithTheReasonAndTheCatalogStillAnswers() {
        Path missing = tmp.resolve("not-mounted-yet");
        try (TestingCatalog catalog = catalog(missing)) {
            PollOutcome outcome = catalog.poll("acme-git");

            assertThat(outcome.ok()).isFalse();
            assertThat(outcome.error()).contains("repository " + missing + " does not exist");
            JsonNode plugin = catalog.query("{ plugins { instance type status lastError checkpoint { partition } } }").path("plugins").get(0);
            assertThat(plugin.path("instance").asText()).isEqualTo("acme-git");
            assertThat(plugin.path("type").asText()).isEqualTo("git");
            assertThat(plugin.path("status").asText()).isEqualTo("FAILING");
            assertThat(plugin.path("lastError").asText()).contains("does not exist");
            assertThat(plugin.path("checkpoint")).isEmpty();
            assertThat(catalog.query("{ models { totalCount } }").path("models").path("totalCount").asInt()).isZero();

            try (TestRepo repo = TestRepo.init(missing, false)) { // mounted after all: the next poll recovers
                repo.commit("main", "first");
                assertThat(catalog.poll("acme-git").ok()).isTrue();
                assertThat(catalog.query("{ plugins { status lastError } }").path("plugins").get(0).path("status").asText())
                        .isEqualTo("OK");
            }
        }
    }

    private static void upsertRun(TestingCatalog catalog, String name, String repository, ObjectId commit) {
        catalog.query("""
                mutation($input: RunInput!) { upsertRun(input: $input) { id } }""", Map.of("input", Map.of(
                "namespace", "risk", "name", name, "status", "SUCCEEDED", "repository", repository, "commit", commit.name())));
    }

    private static List<String> texts(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}
