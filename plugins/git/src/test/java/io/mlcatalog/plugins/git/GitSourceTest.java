package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.testkit.Poll;
import io.mlcatalog.testkit.SourceHarness;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Commits as code versions, polled as the host polls: checkpoints committed between polls. */
class GitSourceTest {
    @TempDir
    Path tmp;

    private SourceHarness harness(Path repository) {
        return SourceHarness.builder(new GitSourceFactory()).instance("acme-git").setting("repository", repository.toString())
                .workDirectory(tmp.resolve("work")).build();
    }

    private static Map<String, CodeVersionRecord> byCommit(Poll poll) {
        return poll.records(CodeVersionRecord.class).stream().collect(Collectors.toMap(CodeVersionRecord::commit, Function.identity()));
    }

    private static String name(Path dir) {
        return "file://" + dir.toAbsolutePath().normalize();
    }

    @Test
    void linearHistoryIsRecordedCommitByCommit() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            ObjectId a = repo.commit("main", "first");
            ObjectId b = repo.commit("main", "Second commit\n\nWith a body.");
            ObjectId c = repo.commit("main", "third");

            Poll poll = harness(repo.dir()).poll();

            assertThat(poll.ok()).as("%s", poll.failure()).isTrue();
            assertThat(poll.records(CodeVersionRecord.class)).extracting(CodeVersionRecord::commit)
                    .containsExactly(a.name(), b.name(), c.name());
            CodeVersionRecord second = byCommit(poll).get(b.name());
            assertThat(second.repository()).isEqualTo(name(repo.dir()));
            assertThat(second.author()).isEqualTo("Ada Lovelace <ada@example.com>");
            assertThat(second.message()).isEqualTo("Second commit\n\nWith a body.");
            assertThat(second.committedAt()).isEqualTo(TestRepo.START.plusSeconds(120));
            assertThat(second.branches()).containsExactly("main");
            assertThat(second.externalId()).isEqualTo(b.name());
            assertThat(poll.checkpoints()).containsEntry(Map.of("branch", "main"), Map.of("commit", c.name()));
        }
    }

    @Test
    void aMessageWithControlCharactersIsRecordedWithThemReplacedRatherThanRefused() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            repo.commit("main", "Colour the \u001b[31mred\u001b[0m output\tneatly");

            Poll poll = harness(repo.dir()).poll();

            assertThat(poll.ok()).as("%s", poll.failure()).isTrue();
            assertThat(poll.records(CodeVersionRecord.class).get(0).message()).isEqualTo("Colour the \uFFFD[31mred\uFFFD[0m output\tneatly");
        }
    }

    @Test
    void commitsOnTwoBranchesAndTheirMergeCarryBothBranchNames() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            ObjectId a = repo.commit("main", "base");
            repo.setBranch("feature", a);
            ObjectId f = repo.commit("feature", "feature work");
            ObjectId b = repo.commit("main", "main work");
            ObjectId m = repo.merge("main", "feature", "Merge feature");

            Map<String, CodeVersionRecord> commits = byCommit(harness(repo.dir()).poll());

            assertThat(commits.get(a.name()).branches()).containsExactly("feature", "main");
            assertThat(commits.get(f.name()).branches()).containsExactly("feature", "main");
            assertThat(commits.get(b.name()).branches()).containsExactly("main");
            assertThat(commits.get(m.name()).branches()).containsExactly("main");
        }
    }

    @Test
    void aMergeAfterTheBranchWasIngestedAddsTheTargetBranchToTheMergedCommits() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            ObjectId a = repo.commit("main", "base");
            repo.setBranch("feature", a);
            ObjectId f = repo.commit("feature", "feature work");
            SourceHarness harness = harness(repo.dir());
            assertThat(byCommit(harness.poll()).get(f.name()).branches()).containsExactly("feature");

            ObjectId m = repo.merge("main", "feature", "Merge feature");
            Poll next = harness.poll();

            assertThat(next.records(CodeVersionRecord.class)).extracting(CodeVersionRecord::commit).containsExactly(f.name(), m.name());
            assertThat(byCommit(next).get(f.name()).branches()).containsExactly("main");
            assertThat(byCommit(next).get(m.name()).branches()).containsExactly("main");
        }
    }

    @Test
    void tagsAreRecordedOnTheCommitsTheyPointAt() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            ObjectId a = repo.commit("main", "first");
            ObjectId b = repo.commit("main", "second");
            repo.lightweightTag("v0.1", a);
            repo.tag("v1.0", b, "Release 1.0", repo.tick());
            repo.tag("release-candidate", b, "RC", repo.tick());

            Map<String, CodeVersionRecord> commits = byCommit(harness(repo.dir()).poll());

            assertThat(commits.get(a.name()).tags()).containsExactly("v0.1");
            assertThat(commits.get(b.name()).tags()).containsExactlyInAnyOrder("v1.0", "release-candidate");
        }
    }

    @Test
    void aTagAddedLaterToAnIngestedCommitIsRecordedOnTheNextPoll() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            ObjectId a = repo.commit("main", "first");
            repo.commit("main", "second");
            SourceHarness harness = harness(repo.dir());
            harness.poll();

            repo.tag("v1.0", a, "Release 1.0", repo.tick());
            Poll next = harness.poll();

            assertThat(next.records(CodeVersionRecord.class)).singleElement()
                    .satisfies(r -> assertThat(r.commit()).isEqualTo(a.name()))
                    .satisfies(r -> assertThat(r.tags()).containsExactly("v1.0"))
                    .satisfies(r -> assertThat(r.message()).isEqualTo("first"));
            assertThat(harness.poll().records()).isEmpty();
        }
    }

    @Test
    void theNextPollEmitsOnlyTheNewCommits() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            repo.commits("main", 5, "old");
            SourceHarness harness = harness(repo.dir());
            assertThat(harness.poll().records()).hasSize(5);

            List<ObjectId> fresh = repo.commits("main", 2, "new");
            Poll next = harness.poll();

            assertThat(next.records(CodeVersionRecord.class)).extracting(CodeVersionRecord::commit)
                    .containsExactly(fresh.get(0).name(), fresh.get(1).name());
            assertThat(harness.committed()).containsEntry(Map.of("branch", "main"), Map.of("commit", fresh.get(1).name()));
            assertThat(harness.poll().records()).isEmpty();
        }
    }

    @Test
    void afterAForcePushOnlyTheNewCommitsAreEmittedAndTheCheckpointMovesToTheNewHead() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            List<ObjectId> old = repo.commits("main", 4, "old");
            SourceHarness harness = harness(repo.dir());
            List<String> emitted = new ArrayList<>(commits(harness.poll()));

            repo.setBranch("main", old.get(1)); // git reset --hard HEAD~2 …
            List<ObjectId> rewritten = repo.commits("main", 3, "rewritten"); // … new commits, git push --force
            Poll afterPush = harness.poll();
            emitted.addAll(commits(afterPush));
            emitted.addAll(commits(harness.poll()));

            assertThat(commits(afterPush)).containsExactlyElementsOf(rewritten.stream().map(ObjectId::name).toList());
            assertThat(emitted).doesNotHaveDuplicates().hasSize(7);
            assertThat(harness.committed()).containsEntry(Map.of("branch", "main"), Map.of("commit", rewritten.get(2).name()));
        }
    }

    @Test
    void aBranchResetToAnAncestorEmitsNothingAndMovesItsCheckpointBack() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            List<ObjectId> old = repo.commits("main", 3, "old");
            SourceHarness harness = harness(repo.dir());
            harness.poll();

            repo.setBranch("main", old.get(0));
            Poll poll = harness.poll();

            assertThat(poll.records()).isEmpty();
            assertThat(harness.committed()).containsEntry(Map.of("branch", "main"), Map.of("commit", old.get(0).name()));
        }
    }

    @Test
    void aCheckpointedCommitThatNoLongerExistsMeansIngestingTheBranchAgain() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            repo.commits("main", 3, "c");
            SourceHarness harness = harness(repo.dir());
            harness.commit(Map.of("branch", "main"), Map.of("commit", "0123456789abcdef0123456789abcdef01234567"));

            Poll poll = harness.poll();

            assertThat(poll.ok()).isTrue();
            assertThat(poll.records()).hasSize(3);
        }
    }

    @Test
    void aNewBranchFromIngestedHistoryEmitsOnlyItsOwnCommits() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            repo.commits("main", 3, "main");
            SourceHarness harness = harness(repo.dir());
            harness.poll();

            repo.setBranch("feature/x", repo.head("main"));
            ObjectId f = repo.commit("feature/x", "feature");
            Poll poll = harness.poll();

            assertThat(poll.records(CodeVersionRecord.class)).singleElement()
                    .satisfies(r -> assertThat(r.commit()).isEqualTo(f.name()))
                    .satisfies(r -> assertThat(r.branches()).containsExactly("feature/x"));
        }
    }

    @Test
    void onlyTheConfiguredBranchesAreIngested() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            ObjectId base = repo.commit("main", "base");
            repo.setBranch("release/1.0", base);
            ObjectId r = repo.commit("release/1.0", "release fix");
            repo.setBranch("experiment", base);
            repo.commit("experiment", "wild idea");
            SourceHarness harness = SourceHarness.builder(new GitSourceFactory()).setting("repository", repo.dir().toString())
                    .setting("branches", List.of("main", "release/*")).workDirectory(tmp.resolve("work")).build();

            Poll poll = harness.poll();

            assertThat(commits(poll)).containsExactlyInAnyOrder(base.name(), r.name());
            assertThat(byCommit(poll).get(base.name()).branches()).containsExactly("main", "release/1.0");
            assertThat(poll.checkpoints()).containsOnlyKeys(Map.of("branch", "main"), Map.of("branch", "release/1.0"));
        }
    }

    @Test
    void aBareRepositoryIsReadInPlace() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn.git"), true)) {
            ObjectId a = repo.commit("main", "first");

            Poll poll = harness(repo.dir()).poll();

            assertThat(commits(poll)).containsExactly(a.name());
            assertThat(poll.records(CodeVersionRecord.class).get(0).repository()).isEqualTo(name(tmp.resolve("churn")));
        }
    }

    @Test
    void anEmptyRepositoryPollsFineWithNothingToEmit() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("empty"), false)) {
            Poll poll = harness(repo.dir()).poll();

            assertThat(poll.ok()).as("%s", poll.failure()).isTrue();
            assertThat(poll.records()).isEmpty();
            assertThat(poll.checkpoints()).isEmpty();
        }
    }

    @Test
    void aMissingPathFailsThePollWithAClearMessageAndCommitsNoCheckpoint() {
        SourceHarness harness = harness(tmp.resolve("nowhere"));

        Poll poll = harness.poll();

        assertThat(poll.ok()).isFalse();
        assertThat(poll.failure()).hasMessage("repository " + tmp.resolve("nowhere") + " does not exist");
        assertThat(harness.committed()).isEmpty();
    }

    @Test
    void aDirectoryThatIsNoRepositoryFailsThePoll() throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        Files.writeString(plain.resolve("README"), "not a repository");
        SourceHarness harness = harness(plain);

        Poll poll = harness.poll();

        assertThat(poll.ok()).isFalse();
        assertThat(poll.failure().getMessage()).contains(plain.toString(), "is not a Git repository");
        assertThat(harness.committed()).isEmpty();
    }

    @Test
    void aCorruptRepositoryFailsThePollNamingTheMissingObject() throws Exception {
        try (TestRepo repo = TestRepo.init(tmp.resolve("churn"), false)) {
            List<ObjectId> ids = repo.commits("main", 3, "c");
            String sha = ids.get(1).name();
            Files.delete(repo.dir().resolve(".git/objects/" + sha.substring(0, 2) + "/" + sha.substring(2)));
            SourceHarness harness = harness(repo.dir());

            Poll poll = harness.poll();

            assertThat(poll.ok()).isFalse();
            assertThat(poll.failure().getMessage()).contains("is corrupt or incomplete", sha);
            assertThat(harness.committed()).isEmpty();
        }
    }

    private static List<String> commits(Poll poll) {
        return poll.records(CodeVersionRecord.class).stream().map(CodeVersionRecord::commit).toList();
    }
}
