package io.mlcatalog.plugins.git;

import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.Poll;
import io.mlcatalog.testkit.SourceHarness;
import io.mlcatalog.testkit.TestingCatalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Commits ingested per second: a first poll of a 10,000-commit history and a poll of 10 new commits, with the
 * {@link SourceHarness} (the plugin alone) and with a {@link TestingCatalog} (the plugin and the database writes).
 * Not a test: nothing asserts on time. Run it with
 * {@code mvn -q -B -pl plugins/git -am verify -DskipTests -Pgit-benchmark} (see docs/benchmarks.md); an argument
 * ({@code -Dgit.benchmark.commits=50000}) changes the history's size.
 */
public final class GitIngestBenchmark {
    private static final int NEW_COMMITS = 10;

    private GitIngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("mlcatalog-git-benchmark");
        try (TestRepo repo = TestRepo.init(dir.resolve("history.git"), true)) {
            long t = System.nanoTime();
            repo.commitsInPack("main", commits, "commit");
            System.out.printf("repository of %,d commits written in %.1f s%n", commits, seconds(t));

            for (String run : new String[]{"cold JVM", "warm JVM"}) {
                SourceHarness harness = SourceHarness.builder(new GitSourceFactory()).setting("repository", repo.dir().toString())
                        .workDirectory(dir.resolve("work")).build();
                report("SourceHarness", "first poll(s), " + run, () -> drain(harness::poll));
                repo.commitsInPack("main", NEW_COMMITS, "new");
                report("SourceHarness", "incremental poll", () -> drain(harness::poll));
            }

            try (TestingCatalog catalog = TestingCatalog.builder()
                    .instance("bench", "git", Map.of("repository", repo.dir().toString())).start()) {
                report("TestingCatalog", "first poll(s)", () -> drainCatalog(catalog));
                repo.commitsInPack("main", NEW_COMMITS, "new");
                report("TestingCatalog", "incremental poll", () -> drainCatalog(catalog));
                System.out.printf("code_version rows: %,d%n", catalog.count("select count(*) from code_version"));
            }
        }
        System.exit(0);
    }

    /** Polls until a poll emits nothing; returns {records, polls that emitted}. */
    private static int[] drain(Supplier<Poll> poll) {
        int records = 0;
        int polls = 0;
        for (Poll p = poll.get(); !p.records().isEmpty(); p = poll.get()) {
            if (!p.ok()) {
                throw new IllegalStateException(p.failure());
            }
            records += p.records().size();
            polls++;
        }
        return new int[]{records, polls};
    }

    private static int[] drainCatalog(TestingCatalog catalog) {
        int records = 0;
        int polls = 0;
        for (PollOutcome p = catalog.poll("bench"); p.written() > 0; p = catalog.poll("bench")) {
            if (!p.ok()) {
                throw new IllegalStateException(p.error());
            }
            records += p.written();
            polls++;
        }
        return new int[]{records, polls};
    }

    private static void report(String how, String what, Supplier<int[]> work) {
        long t = System.nanoTime();
        int[] result = work.get();
        double s = seconds(t);
        System.out.printf("%-15s %-28s %,7d commits in %2d poll(s), %8.3f s: %,9.0f commits/s%n", how, what, result[0], result[1], s,
                result[0] / s);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
