package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.testkit.Poll;
import io.mlcatalog.testkit.SourceHarness;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A history larger than one poll may emit is ingested over several polls, each commit once. */
class ManyCommitsTest {
    @TempDir
    Path tmp;

    @Test
    void tenThousandCommitsOverSeveralBoundedPollsThenTenNewOnesInOne() {
        try (TestRepo repo = TestRepo.init(tmp.resolve("big"), true)) {
            List<ObjectId> history = repo.commitsInPack("main", 10_000, "commit");
            SourceHarness harness = SourceHarness.builder(new GitSourceFactory()).setting("repository", repo.dir().toString())
                    .setting("maxRecordsPerPoll", "4000").workDirectory(tmp.resolve("work")).build();

            Set<String> seen = new HashSet<>();
            int[] sizes = new int[4];
            for (int i = 0; i < sizes.length; i++) {
                Poll poll = harness.poll();
                assertThat(poll.ok()).as("%s", poll.failure()).isTrue();
                sizes[i] = poll.records().size();
                poll.records(CodeVersionRecord.class).forEach(r -> assertThat(seen.add(r.commit())).as("emitted twice: %s", r.commit()).isTrue());
            }

            assertThat(sizes).containsExactly(4000, 4000, 2000, 0);
            assertThat(seen).hasSize(10_000).contains(history.get(0).name(), history.get(9_999).name());

            List<ObjectId> fresh = repo.commits("main", 10, "new");
            Poll next = harness.poll();
            assertThat(next.records(CodeVersionRecord.class)).extracting(CodeVersionRecord::commit)
                    .containsExactlyElementsOf(fresh.stream().map(ObjectId::name).toList());
        }
    }
}
