package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Git repository the corpus's runs came from (its bundle, cloned), read by the Git source beside the Metaflow one:
 * the commit a run's git-info names is the Git source's code version, whichever source is polled first.
 */
class MetaflowGitJoinIT {

    @ParameterizedTest(name = "{0} first")
    @ValueSource(strings = {"metaflow", "git"})
    void aRunsCommitIsTheGitSourcesCodeVersion(String first, @TempDir Path tmp) throws Exception {
        Path datastore = MetaflowCorpusIT.corpus();
        Path bundle = datastore.getParent().resolve("churn-repo.bundle");
        Assumptions.assumeTrue(Files.isRegularFile(bundle), "skipped: no churn-repo.bundle beside the corpus's datastore");
        Path clone = tmp.resolve("churn.git");
        try (Git git = Git.cloneRepository().setURI(bundle.toUri().toString()).setDirectory(clone.toFile()).setBare(true)
                .setCloneAllBranches(true).call()) {
            assertThat(git.getRepository().getRefDatabase().getRefs()).isNotEmpty();
        }
        try (TestingCatalog catalog = TestingCatalog.builder()
                .instance("mf", "metaflow", Map.of("root", datastore.toString(), "namespace", "growth", "flows", List.of("ChurnTrainFlow")))
                .instance("churn-git", "git", Map.of("repository", clone.toString(), "repositoryName", "https://github.com/acme/churn.git",
                        "namespace", "growth"))
                .start()) {
            for (String instance : first.equals("git") ? List.of("churn-git", "mf") : List.of("mf", "churn-git")) {
                assertThat(catalog.poll(instance).ok()).as(instance).isTrue();
            }
            JsonNode cv = catalog.query("""
                    { run(namespace: "growth", name: "ChurnTrainFlow/1796479757975798") { codeVersion { repository commit author message
                      runs { totalCount } } } }""").path("run").path("codeVersion");
            assertThat(cv.path("commit").asText()).isEqualTo("1ff4654f119b9f0055f5ccefa943dddc87fed5c4");
            assertThat(cv.path("author").asText()).isNotBlank();
            assertThat(cv.path("message").asText()).isNotBlank();
            // the flow run and its tasks all ran that commit
            assertThat(cv.path("runs").path("totalCount").asInt()).isGreaterThanOrEqualTo(7);
            assertThat(catalog.count("select count(*) from code_version where commit_sha = '1ff4654f119b9f0055f5ccefa943dddc87fed5c4'")).isEqualTo(1);
        }
    }
}
