package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.record.AliasRecord;
import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.testkit.Poll;
import io.mlcatalog.testkit.SourceHarness;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** A model registry kept in Git tags, GTO style, read as model versions and alias changes. */
class GtoTagsTest {
    @TempDir
    Path tmp;

    private SourceHarness harness(TestRepo repo) {
        return SourceHarness.builder(new GitSourceFactory()).setting("repository", repo.dir().toString())
                .setting("namespace", "risk").workDirectory(tmp.resolve("work")).build();
    }

    @Test
    void versionTagsRegisterVersionsAndStageTagsMoveAliasesAtTheTagTimes() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("registry"), false)) {
            ObjectId a = repo.commit("main", "train v1");
            ObjectId b = repo.commit("main", "train v2");
            Instant t1 = repo.tick();
            repo.tag("churn@v1.0.0", a, "Registering churn v1.0.0", t1);
            Instant t2 = repo.tick();
            repo.tag("churn@v1.1.0", b, "Better recall", t2);
            Instant t3 = repo.tick();
            repo.tag("churn#prod#1", a, "Promote", t3);
            repo.tag("churn#staging#1", b, "Stage", t3);
            Instant t4 = repo.tick();
            repo.tag("churn#prod#2", b, "Promote v1.1.0", t4);
            Instant t5 = repo.tick();
            repo.tag("churn#prod!#3", b, "Roll back", t5);

            Poll poll = harness(repo).poll();

            assertThat(poll.ok()).as("%s", poll.failure()).isTrue();
            assertThat(poll.records(ModelVersionRecord.class))
                    .extracting(ModelVersionRecord::namespace, ModelVersionRecord::model, ModelVersionRecord::version,
                            ModelVersionRecord::description, ModelVersionRecord::createdAt, ModelVersionRecord::externalId)
                    .containsExactly(
                            tuple("risk", "churn", "1.0.0", "Registering churn v1.0.0", t1, "churn@v1.0.0"),
                            tuple("risk", "churn", "1.1.0", "Better recall", t2, "churn@v1.1.0"));
            assertThat(poll.records(ModelVersionRecord.class).get(1).tags()).containsAllEntriesOf(Map.of(
                    "commit", b.name(), "registeredBy", "Ada Lovelace <ada@example.com>", "gitTag", "churn@v1.1.0",
                    "repository", "file://" + repo.dir()));
            // unassigning the version prod pointed at moves it back to the version that still holds the stage
            assertThat(poll.records(AliasRecord.class))
                    .extracting(AliasRecord::model, AliasRecord::alias, AliasRecord::version, AliasRecord::at)
                    .containsExactly(
                            tuple("churn", "prod", "1.0.0", t3),
                            tuple("churn", "prod", "1.1.0", t4),
                            tuple("churn", "prod", "1.0.0", t5),
                            tuple("churn", "staging", "1.1.0", t3));
            assertThat(poll.records(CodeVersionRecord.class)).filteredOn(r -> r.commit().equals(b.name())).singleElement()
                    .satisfies(r -> assertThat(r.tags()).containsExactlyInAnyOrder("churn@v1.1.0", "churn#staging#1",
                            "churn#prod#2", "churn#prod!#3"));
        }
    }

    @Test
    void unassigningTheOnlyVersionRemovesTheAlias() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("registry"), false)) {
            ObjectId a = repo.commit("main", "train");
            repo.tag("fraud@v2.0.0", a, "v2", repo.tick());
            Instant on = repo.tick();
            repo.tag("fraud#prod#1", a, "on", on);
            Instant off = repo.tick();
            repo.tag("fraud#prod!#2", a, "off", off);

            Poll poll = harness(repo).poll();

            assertThat(poll.records(AliasRecord.class)).extracting(AliasRecord::version, AliasRecord::at)
                    .containsExactly(tuple("2.0.0", on), tuple(null, off));
        }
    }

    @Test
    void stageTagsWithoutAVersionAtTheirCommitAndLightweightTagsAreNotRegistryEntries() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("registry"), false)) {
            ObjectId a = repo.commit("main", "train");
            ObjectId b = repo.commit("main", "more");
            repo.lightweightTag("churn@v9.0.0", a);
            repo.tag("churn@v1.0.0", a, "v1", repo.tick());
            repo.tag("churn#prod#1", b, "no version at b", repo.tick());
            repo.tag("v1.0", a, "an ordinary release tag", repo.tick());

            Poll poll = harness(repo).poll();

            assertThat(poll.ok()).isTrue();
            assertThat(poll.records(ModelVersionRecord.class)).extracting(ModelVersionRecord::version).containsExactly("1.0.0");
            assertThat(poll.records(AliasRecord.class)).isEmpty();
        }
    }

    @Test
    void theRegistryIsEmittedAgainOnlyWhenTheTagsChange() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("registry"), false)) {
            ObjectId a = repo.commit("main", "train");
            repo.tag("churn@v1.0.0", a, "v1", repo.tick());
            SourceHarness harness = harness(repo);
            assertThat(harness.poll().records(ModelVersionRecord.class)).hasSize(1);
            assertThat(harness.poll().records()).isEmpty();

            Instant at = repo.tick();
            repo.tag("churn#prod#1", a, "ship it", at);
            Poll next = harness.poll();

            assertThat(next.records(AliasRecord.class)).extracting(AliasRecord::version, AliasRecord::at).containsExactly(tuple("1.0.0", at));
            assertThat(harness.poll().records()).isEmpty();
        }
    }

    @Test
    void severalChangesOfAnAliasWithinOneSecondRecordTheirOutcome() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("registry"), false)) {
            ObjectId a = repo.commit("main", "a");
            ObjectId b = repo.commit("main", "b");
            repo.tag("churn@v1.0.0", a, "v1", repo.tick());
            repo.tag("churn@v2.0.0", b, "v2", repo.tick());
            Instant same = repo.tick();
            repo.tag("churn#prod#1", a, "", same);
            repo.tag("churn#prod#2", b, "", same);

            assertThat(harness(repo).poll().records(AliasRecord.class)).extracting(AliasRecord::version, AliasRecord::at)
                    .containsExactly(tuple("2.0.0", same));
        }
    }

    @Test
    void tagNamesFollowGtoConventions() {
        assertThat(GtoTag.parse("churn@v1.2.0")).contains(new GtoTag.Registration("churn", Semver.parse("1.2.0")));
        assertThat(GtoTag.parse("models/churn@v1.2.0-rc.1")).get().extracting(GtoTag::model).isEqualTo("models/churn");
        assertThat(GtoTag.parse("churn#prod#3")).contains(new GtoTag.Stage("churn", "prod", false, 3));
        assertThat(GtoTag.parse("churn#prod!#4")).contains(new GtoTag.Stage("churn", "prod", true, 4));
        assertThat(GtoTag.parse("churn#prod")).contains(new GtoTag.Stage("churn", "prod", false, 0));
        assertThat(GtoTag.parse("churn@v1.0.0-" + "a".repeat(130))).as("a version the catalog would refuse").isEmpty();
        for (String ordinary : List.of("v1.2.0", "churn@1.2.0", "churn@v1.2", "churn@v1.2.0!", "churn@deprecated", "release-2026")) {
            assertThat(GtoTag.parse(ordinary)).as(ordinary).isEmpty();
        }
    }

    @Test
    void versionsOrderBySemverPrecedence() {
        List<String> sorted = Arrays.asList("1.10.0", "1.2.0", "1.2.0-rc.2", "1.2.0-rc.10", "1.2.0-alpha", "0.9.9");
        assertThat(sorted.stream().map(Semver::parse).sorted().map(Semver::text))
                .containsExactly("0.9.9", "1.2.0-alpha", "1.2.0-rc.2", "1.2.0-rc.10", "1.2.0", "1.10.0");
    }
}
