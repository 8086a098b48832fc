package io.mlcatalog.plugins.metaflow;

import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Polls of a datastore that changes: a copy of the corpus's, where a run is still running, then finishes; a run is
 * deleted; a file is damaged.
 */
class MetaflowIncrementalIT {
    static final String LAST = "ChurnTrainFlow/1796479757975798";
    TestingCatalog catalog;

    @AfterEach
    void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private TestingCatalog start(Path datastore) {
        catalog = TestingCatalog.builder()
                .instance("mf", "metaflow", Map.of("root", datastore.toString(), "namespace", "growth", "flows", java.util.List.of("ChurnTrainFlow")))
                .start();
        return catalog;
    }

    private String status(String run) {
        return catalog.strings("select status from run where namespace = 'growth' and name = '" + run + "'").stream().findFirst().orElse(null);
    }

    @Test
    void aRunningRunIsReadAgainUntilItIsDoneAndADeletedRunIsKept(@TempDir Path tmp) throws IOException {
        Path corpus = MetaflowCorpusIT.corpus();
        Path copy = tmp.resolve(".metaflow");
        copy(corpus, copy);
        // as the datastore was while the last run had not reached join and end
        Path join = copy.resolve(LAST).resolve("join");
        Path end = copy.resolve(LAST).resolve("end");
        Path joinKept = tmp.resolve("join");
        Path endKept = tmp.resolve("end");
        Files.move(join, joinKept);
        Files.move(end, endKept);

        start(tmp);
        PollOutcome first = catalog.poll("mf");
        assertThat(first.ok()).as(String.valueOf(first.error())).isTrue();
        assertThat(status(LAST)).isEqualTo("RUNNING");
        assertThat(catalog.status("mf").path("checkpoint").toString()).contains("\"pending\":\"1796479757975798\"");

        Files.move(joinKept, join);
        Files.move(endKept, end);
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(status(LAST)).isEqualTo("SUCCEEDED");
        assertThat(catalog.count("select count(*) from run where name like '" + LAST + "/end/%'")).isEqualTo(1);
        assertThat(catalog.status("mf").path("checkpoint").toString()).contains("\"pending\":\"\"");

        // the catalog does not forget a run the datastore no longer has
        delete(copy.resolve("ChurnTrainFlow/1796479748864319"));
        Map<String, Long> before = catalog.rowCounts();
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(catalog.rowCounts()).isEqualTo(before);
        assertThat(status("ChurnTrainFlow/1796479748864319")).isEqualTo("SUCCEEDED");
    }

    @Test
    void aDamagedRunIsSkippedAndTheOthersAreWritten(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve(".metaflow");
        copy(MetaflowCorpusIT.corpus(), copy);
        Path self = copy.resolve(LAST).resolve("train/3/_meta/_self.json");
        String json = Files.readString(self);
        Files.writeString(self, json.substring(0, json.length() / 2)); // truncated, as by a full disk

        start(tmp);
        PollOutcome outcome = catalog.poll("mf");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).singleElement().asString().contains(LAST).contains(self.toString()).contains("not readable JSON");
        assertThat(catalog.status("mf").path("lastError").asText()).contains(self.toString());
        assertThat(status(LAST)).isNull();
        assertThat(status("ChurnTrainFlow/1796479748864319")).isEqualTo("SUCCEEDED");
        assertThat(catalog.status("mf").path("checkpoint").toString()).contains("\"pending\":\"1796479757975798\"");

        Files.writeString(self, json); // mended: the next poll reads it
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(status(LAST)).isEqualTo("SUCCEEDED");
    }

    @Test
    void aRetriedTasksLastAttemptDecidesAndTheEarlierOnesAreKept(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve(".metaflow");
        copy(MetaflowCorpusIT.corpus(), copy);
        // as Metaflow leaves a task that failed once and succeeded on its retry (@retry): attempt 0 not ok, attempt 1 done
        Path task = copy.resolve(LAST).resolve("train/4");
        Files.writeString(task.resolve("_meta/sysmeta_attempt_ok_1796479759612.json"), """
                {"flow_id": "ChurnTrainFlow", "run_number": "1796479757975798", "step_name": "train", "task_id": "4", "field_name": "attempt_ok",
                 "type": "internal_attempt_status", "value": "False", "tags": ["attempt_id:0"], "user_name": "bob", "ts_epoch": 1796479759612}""");
        Files.copy(task.resolve("0.data.json"), task.resolve("1.data.json"));
        Files.copy(task.resolve("0.DONE.lock"), task.resolve("1.DONE.lock"));
        Files.writeString(task.resolve("_meta/sysmeta_attempt-done_1796479759900.json"), """
                {"flow_id": "ChurnTrainFlow", "run_number": "1796479757975798", "step_name": "train", "task_id": "4", "field_name": "attempt-done",
                 "type": "attempt-done", "value": "1", "tags": ["attempt_id:1"], "user_name": "bob", "ts_epoch": 1796479759900}""");

        start(tmp);
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(status(LAST + "/train/4")).isEqualTo("SUCCEEDED");
        assertThat(status(LAST)).isEqualTo("SUCCEEDED");
        var run = catalog.query("{ run(namespace: \"growth\", name: \"" + LAST + "/train/4\") { tags { key value } facets } }").path("run");
        assertThat(run.path("tags").toString()).contains("{\"key\":\"metaflow.attempt\",\"value\":\"1\"}");
        var attempts = run.path("facets").path("metaflowAttempts").path("attempts");
        assertThat(attempts.size()).as(run.toString()).isEqualTo(2);
        assertThat(attempts.path(0).path("ok").asBoolean(true)).isFalse();
        assertThat(attempts.path(1).path("ok").asBoolean()).isTrue();
        assertThat(attempts.path(1).path("doneAt").asText()).isEqualTo("2026-12-05T14:09:19.900Z");
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            all.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                        target.toFile().setWritable(true);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
