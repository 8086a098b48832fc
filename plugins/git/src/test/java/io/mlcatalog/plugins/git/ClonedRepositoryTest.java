package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.testkit.Poll;
import io.mlcatalog.testkit.SourceHarness;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A repository given by URL: cloned into the instance's work directory and fetched on every poll. */
class ClonedRepositoryTest {
    @TempDir
    Path tmp;

    private SourceHarness harness(String url) {
        return SourceHarness.builder(new GitSourceFactory()).instance("acme-git").setting("repository", url)
                .workDirectory(tmp.resolve("work")).build();
    }

    @Test
    void aUrlIsClonedThenFetchedAndCommitsAreRecordedUnderTheUrl() {
        try (TestRepo origin = TestRepo.init(tmp.resolve("origin.git"), true)) {
            ObjectId a = origin.commit("main", "first");
            origin.tag("churn@v1.0.0", a, "v1", origin.tick());
            String url = origin.dir().toUri().toString();
            SourceHarness harness = harness(url);

            Poll first = harness.poll();

            assertThat(first.ok()).as("%s", first.failure()).isTrue();
            assertThat(first.records(CodeVersionRecord.class)).singleElement()
                    .satisfies(r -> assertThat(r.repository()).isEqualTo(RepositoryLocation.normalizeName(url)))
                    .satisfies(r -> assertThat(r.tags()).containsExactly("churn@v1.0.0"));
            assertThat(first.records(ModelVersionRecord.class)).hasSize(1);
            assertThat(Files.isDirectory(tmp.resolve("work/clone.git"))).isTrue();

            ObjectId b = origin.commit("main", "second");
            assertThat(harness.poll().records(CodeVersionRecord.class)).extracting(CodeVersionRecord::commit).containsExactly(b.name());

            origin.setBranch("main", a); // force-push on the server
            ObjectId c = origin.commit("main", "rewritten");
            assertThat(harness.poll().records(CodeVersionRecord.class)).extracting(CodeVersionRecord::commit).containsExactly(c.name());
            assertThat(harness.committed()).containsEntry(Map.of("branch", "main"), Map.of("commit", c.name()));
        }
    }

    @Test
    void aBranchDeletedOnTheServerIsPrunedFromTheClone() {
        try (TestRepo origin = TestRepo.init(tmp.resolve("origin.git"), true)) {
            ObjectId a = origin.commit("main", "first");
            origin.setBranch("old-feature", a);
            SourceHarness harness = harness(origin.dir().toUri().toString());
            harness.poll();

            deleteBranch(origin, "old-feature");
            origin.setBranch("new-feature", a);
            ObjectId f = origin.commit("new-feature", "work");

            assertThat(harness.poll().records(CodeVersionRecord.class)).singleElement()
                    .satisfies(r -> assertThat(r.commit()).isEqualTo(f.name()))
                    .satisfies(r -> assertThat(r.branches()).containsExactly("new-feature"));
            assertThat(Files.exists(tmp.resolve("work/clone.git/refs/heads/old-feature"))).isFalse();
        }
    }

    @Test
    void aUrlThatDoesNotAnswerFailsThePollWithoutShowingThePassword() {
        SourceHarness harness = harness("https://bot:s3cr3t@127.0.0.1:1/acme/churn.git");

        Poll poll = harness.poll();

        assertThat(poll.ok()).isFalse();
        assertThat(poll.failure().getMessage()).startsWith("cannot fetch from https://bot:***@127.0.0.1:1/acme/churn.git: ")
                .doesNotContain("s3cr3t");
        assertThat(harness.committed()).isEmpty();
    }

    @Test
    void aFileUrlToNothingFailsThePoll() {
        Poll poll = harness(tmp.resolve("missing.git").toUri().toString()).poll();

        assertThat(poll.ok()).isFalse();
        assertThat(poll.failure().getMessage()).startsWith("cannot fetch from file:");
    }

    private static void deleteBranch(TestRepo repo, String branch) {
        try {
            var u = repo.repository().updateRef("refs/heads/" + branch);
            u.setForceUpdate(true);
            u.delete();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
