package io.mlcatalog.dist;

import io.mlcatalog.server.testing.CatalogProcess;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in plugins ship inside mlcatalog.jar: configured, they run with nothing else installed. */
class BuiltInPluginsIT {

    @Test
    void theGitPluginRunsFromTheJarAlone(@TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve("churn-model");
        RevCommit commit;
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("train.py"), "print('train')\n");
            git.add().addFilepattern("train.py").call();
            commit = git.commit().setMessage("first model").setAuthor("Maria", "maria@acme.io").setCommitter("Maria", "maria@acme.io").call();
        }
        Path config = Files.writeString(tmp.resolve("mlcatalog.yaml"), """
                plugins:
                  - name: churn-repo
                    type: git
                    settings:
                      repository: %s
                """.formatted(repo));

        try (CatalogProcess ingest = CatalogProcess.start("ingest", "churn-repo", "--once", "--config", config.toString(),
                "--data-dir", tmp.resolve("data").toString(), "--plugins-dir", tmp.resolve("no-plugins").toString())) {
            assertThat(ingest.awaitExit(Duration.ofSeconds(120))).as(ingest.output()).isZero();
            assertThat(ingest.output()).contains("emitted      1 CodeVersionRecord").contains("written      1 records")
                    .contains(commit.getName());
        }
    }
}
