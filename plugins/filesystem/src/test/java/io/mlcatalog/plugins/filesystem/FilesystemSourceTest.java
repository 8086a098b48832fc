package io.mlcatalog.plugins.filesystem;

import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.spi.record.RunIoRecord;
import io.mlcatalog.testkit.Poll;
import io.mlcatalog.testkit.SourceHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The filesystem source as the host runs it, against a collecting sink. */
class FilesystemSourceTest {
    @TempDir
    Path tmp;

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("data"));
    }

    private SourceHarness harness(Path root, Path work, Object... settings) {
        SourceHarness.Builder b = SourceHarness.builder(new FilesystemSourceFactory()).setting("roots", root.toString())
                .setting("namespace", "fraud").workDirectory(work);
        for (int i = 0; i < settings.length; i += 2) {
            b.setting((String) settings[i], settings[i + 1]);
        }
        return b.build();
    }

    private static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static Map<String, ArtifactRecord> byName(List<ArtifactRecord> records) {
        Map<String, ArtifactRecord> m = new java.util.TreeMap<>();
        records.forEach(r -> m.put(r.name() + (r.goneAt() != null ? "(gone)" : ""), r));
        return m;
    }

    @Test
    void recordsFilesWithUriDigestSizeMediaTypeAndKindButNotSidecarsNorHiddenFiles() throws Exception {
        Path root = root();
        write(root.resolve("models/fraud.onnx"), "onnx bytes");
        write(root.resolve("data/train.parquet"), "parquet bytes");
        write(root.resolve("notes.txt"), "hello");
        write(root.resolve(".cache/x.onnx"), "hidden");
        write(root.resolve("models/fraud.onnx.mlcatalog.json"), "{\"kind\": \"MODEL\"}");

        Poll poll = harness(root, tmp.resolve("work")).poll();

        assertThat(poll.ok()).as("%s", poll.failure()).isTrue();
        Map<String, ArtifactRecord> artifacts = byName(poll.records(ArtifactRecord.class));
        assertThat(artifacts).containsOnlyKeys("fraud.onnx", "train.parquet", "notes.txt");
        ArtifactRecord model = artifacts.get("fraud.onnx");
        assertThat(model.uri()).isEqualTo(root.resolve("models/fraud.onnx").toUri().toString()).startsWith("file:///");
        // sha256 of "onnx bytes"
        assertThat(model.digest()).isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest("onnx bytes".getBytes(StandardCharsets.UTF_8))));
        assertThat(model.sizeBytes()).isEqualTo(10);
        assertThat(model.mediaType()).isEqualTo("application/onnx");
        assertThat(model.kind()).isEqualTo(ArtifactKind.MODEL);
        assertThat(model.namespace()).isEqualTo("fraud");
        assertThat(artifacts.get("train.parquet").kind()).isEqualTo(ArtifactKind.DATASET);
        assertThat(artifacts.get("notes.txt").kind()).isEqualTo(ArtifactKind.OTHER);
        assertThat(artifacts.get("notes.txt").mediaType()).isEqualTo("text/plain");
        assertThat(poll.checkpoints()).containsOnlyKeys(Map.of("root", root.toString()));
    }

    @Test
    void kindRulesAndGlobsComeFromSettings() throws Exception {
        Path root = root();
        write(root.resolve("a/model.ckpt"), "1");
        write(root.resolve("a/table.parquet"), "2");
        write(root.resolve("tmp/scratch.ckpt"), "3");

        Poll poll = harness(root, tmp.resolve("work"), "modelExtensions", List.of("ckpt"), "include", List.of("**/*.ckpt", "**/*.parquet"),
                "exclude", List.of("tmp")).poll();

        Map<String, ArtifactRecord> artifacts = byName(poll.records(ArtifactRecord.class));
        assertThat(artifacts).containsOnlyKeys("model.ckpt", "table.parquet");
        assertThat(artifacts.get("model.ckpt").kind()).isEqualTo(ArtifactKind.MODEL);
    }

    @Test
    void anUnchangedFileIsNotHashedAgainAChangedOneIsANewVersionAndTheOldOneGoesADeletedOneGoes() throws Exception {
        Path root = root();
        Path model = write(root.resolve("model.pt"), "v1");
        Path data = write(root.resolve("train.csv"), "a,b\n1,2\n");
        Path notes = write(root.resolve("notes.md"), "# notes");
        SourceHarness h = harness(root, tmp.resolve("work"));
        Map<String, ArtifactRecord> first = byName(h.poll().records(ArtifactRecord.class));
        assertThat(first).hasSize(3);

        assertThat(h.poll().records()).as("nothing changed").isEmpty();

        // same size and modification time, other bytes: the catalog trusts size and mtime and does not read the file
        FileTime mtime = Files.getLastModifiedTime(data);
        Files.writeString(data, "a,b\n3,4\n");
        Files.setLastModifiedTime(data, mtime);
        assertThat(h.poll().records()).as("not hashed again").isEmpty();

        Files.writeString(model, "v2");
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() + 5000));
        Files.delete(notes);
        Poll changes = h.poll();

        Map<String, ArtifactRecord> changed = byName(changes.records(ArtifactRecord.class));
        assertThat(changed).containsOnlyKeys("model.pt", "model.pt(gone)", "notes.md(gone)");
        assertThat(changed.get("model.pt").digest()).isNotEqualTo(first.get("model.pt").digest());
        assertThat(changed.get("model.pt").uri()).isEqualTo(first.get("model.pt").uri());
        assertThat(changed.get("model.pt(gone)").digest()).isEqualTo(first.get("model.pt").digest());
        assertThat(changed.get("notes.md(gone)").digest()).isEqualTo(first.get("notes.md").digest());
        assertThat(changed.get("notes.md(gone)").goneAt()).isNotNull();
        assertThat(h.poll().records()).as("a deletion is reported once").isEmpty();

        // back with the same content: present again, by a later observation
        write(notes, "# notes");
        ArtifactRecord back = h.poll().records(ArtifactRecord.class).get(0);
        assertThat(back.digest()).isEqualTo(first.get("notes.md").digest());
        assertThat(back.goneAt()).isNull();
    }

    @Test
    void aLargeFolderIsRecordedOverBoundedPollsAndDeletionsAreFoundInOrder() throws Exception {
        Path root = root();
        for (int i = 0; i < 7; i++) {
            write(root.resolve("d" + (i % 3) + "/f" + i + ".csv"), "row " + i);
        }
        SourceHarness h = harness(root, tmp.resolve("work"), "maxFilesPerPoll", "3");
        java.util.Set<String> seen = new java.util.TreeSet<>();
        int polls = 0;
        while (true) {
            Poll p = h.poll();
            assertThat(p.ok()).isTrue();
            assertThat(p.records().size()).isLessThanOrEqualTo(3);
            p.records(ArtifactRecord.class).forEach(r -> assertThat(seen.add(r.name())).as("emitted once: %s", r.name()).isTrue());
            polls++;
            if (p.records().isEmpty() || polls > 10) {
                break;
            }
        }
        assertThat(seen).hasSize(7);
        assertThat(polls).isEqualTo(4); // 3 + 3 + 1, then an empty pass

        Files.delete(root.resolve("d0/f0.csv"));
        Files.delete(root.resolve("d2/f5.csv"));
        List<String> gone = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            h.poll().records(ArtifactRecord.class).forEach(r -> gone.add(r.name() + (r.goneAt() != null ? " gone" : "")));
        }
        assertThat(gone).containsExactly("f0.csv gone", "f5.csv gone");
    }

    @Test
    void aPollTheHostDidNotCommitIsDoneAgainCompletely() throws Exception {
        Path root = root();
        write(root.resolve("a.csv"), "1");
        write(root.resolve("b.csv"), "2");
        Path work = tmp.resolve("work");
        SourceHarness h = harness(root, work);
        h.poll();
        Map<Map<String, String>, Map<String, String>> before = h.committed();

        write(root.resolve("a.csv"), "changed");
        Files.setLastModifiedTime(root.resolve("a.csv"), FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        Files.delete(root.resolve("b.csv"));
        write(root.resolve("c.csv"), "3");
        Poll lost = h.poll(); // its records and checkpoint were never committed: the process died, or the batch was refused

        // the catalog restarts with the checkpoint it had committed, and the same work directory
        SourceHarness restarted = harness(root, work);
        before.forEach(restarted::commit);
        Poll redone = restarted.poll();

        assertThat(redone.records()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("observedAt", "goneAt")
                .containsExactlyInAnyOrderElementsOf(lost.records());
        assertThat(redone.records(ArtifactRecord.class)).extracting(r -> r.name() + (r.goneAt() != null ? " gone" : ""))
                .containsExactlyInAnyOrder("a.csv", "a.csv gone", "b.csv gone", "c.csv");
        assertThat(restarted.poll().records()).isEmpty();
    }

    @Test
    void aLostStateFileMeansHashingEverythingAgainNotLosingFiles() throws Exception {
        Path root = root();
        write(root.resolve("a.onnx"), "1");
        Path work = tmp.resolve("work");
        SourceHarness h = harness(root, work);
        h.poll();
        try (var files = Files.walk(work)) {
            files.filter(Files::isRegularFile).forEach(f -> f.toFile().delete());
        }

        Poll again = h.poll();

        assertThat(again.ok()).isTrue();
        assertThat(again.records(ArtifactRecord.class)).extracting(ArtifactRecord::name).containsExactly("a.onnx");
    }

    @Test
    void aMissingRootFailsThePollInsteadOfMarkingEverythingGone() throws Exception {
        Path root = root();
        write(root.resolve("a.onnx"), "1");
        SourceHarness h = harness(root, tmp.resolve("work"));
        h.poll();
        Path moved = Files.move(root, tmp.resolve("unmounted"));

        Poll poll = h.poll();

        assertThat(poll.ok()).isFalse();
        assertThat(poll.failure()).hasMessageContaining(root.toString()).hasMessageContaining("not mounted");
        assertThat(poll.records()).isEmpty();
        Files.move(moved, root);
        assertThat(h.poll().records()).isEmpty();
    }

    @Test
    void sidecarsLinkTheFileToItsRunAndRegisterItsModelVersion() throws Exception {
        Path root = root();
        write(root.resolve("fraud/model.onnx"), "weights");
        write(root.resolve("fraud/model.onnx.mlcatalog.json"), """
                {"run": {"name": "train-42", "externalId": "abc"}, "model": {"name": "fraud-detector", "version": "7"}}""");
        write(root.resolve("mlflow/model.pkl"), "pickle");
        write(root.resolve("mlflow/MLmodel"), """
                artifact_path: model
                run_id: 0123456789abcdef
                model_uuid: 42
                flavors:
                  python_function: {loader_module: mlflow.sklearn}
                  sklearn: {sklearn_version: 1.5.0}
                """);
        write(root.resolve("hf/weights.safetensors"), "tensors");
        write(root.resolve("hf/model-card.md"), """
                ---
                model_name: churn
                version: "3"
                run_namespace: ml
                run_name: churn-train
                ---
                # Churn model
                """);
        write(root.resolve("bad/m.pt"), "x");
        write(root.resolve("bad/m.pt.mlcatalog.json"), "{not json");
        SourceHarness h = harness(root, tmp.resolve("work"));

        Poll poll = h.poll();

        assertThat(poll.ok()).isTrue();
        Map<String, RunIoRecord> links = new java.util.TreeMap<>();
        poll.records(RunIoRecord.class).forEach(l -> links.put(l.artifact().name(), l));
        assertThat(links).containsOnlyKeys("model.onnx", "model.pkl", "weights.safetensors");
        assertThat(links.values()).allSatisfy(l -> {
            assertThat(l.awaitRun()).isTrue();
            assertThat(l.direction()).isEqualTo(RunIoRecord.Direction.PRODUCED);
        });
        assertThat(links.get("model.onnx").run()).isEqualTo(io.mlcatalog.spi.record.RunRef.of("fraud", "train-42", "abc"));
        assertThat(links.get("model.pkl").run()).isEqualTo(io.mlcatalog.spi.record.RunRef.byExternalId(null, "0123456789abcdef"));
        assertThat(links.get("model.pkl").artifact().facets()).containsKey("mlflowModel");
        assertThat(links.get("weights.safetensors").run()).isEqualTo(io.mlcatalog.spi.record.RunRef.of("ml", "churn-train", null));
        assertThat(poll.records(ModelVersionRecord.class)).extracting(v -> v.model() + ":" + v.version() + ":" + v.artifact().name())
                .containsExactlyInAnyOrder("fraud-detector:7:model.onnx", "churn:3:weights.safetensors");
        assertThat(poll.records(ArtifactRecord.class)).extracting(ArtifactRecord::name).contains("m.pt"); // recorded without its bad sidecar

        // a changed sidecar alone re-emits the links, without hashing the file again
        write(root.resolve("fraud/model.onnx.mlcatalog.json"), """
                {"run": {"name": "train-43"}, "model": {"name": "fraud-detector", "version": "8"}}""");
        Poll again = h.poll();
        assertThat(again.records(ModelVersionRecord.class)).extracting(ModelVersionRecord::version).containsExactly("8");
        assertThat(again.records(ArtifactRecord.class)).extracting(ArtifactRecord::digest)
                .containsOnly(poll.records(ArtifactRecord.class).stream().filter(a -> a.name().equals("model.onnx")).findFirst()
                        .orElseThrow().digest());
    }

    @Test
    void settingsAreCheckedAsStartUpChecksThem() {
        SourceHarness.Builder nested = SourceHarness.builder(new FilesystemSourceFactory()).setting("roots", List.of("/data", "/data/models"));
        org.assertj.core.api.Assertions.assertThatThrownBy(nested::build).hasMessageContaining("roots").hasMessageContaining("inside");
        SourceHarness.Builder both = SourceHarness.builder(new FilesystemSourceFactory()).setting("roots", "/data")
                .setting("datasetExtensions", List.of("pt"));
        org.assertj.core.api.Assertions.assertThatThrownBy(both::build).hasMessageContaining("datasetExtensions");
        SourceHarness.Builder zero = SourceHarness.builder(new FilesystemSourceFactory()).setting("roots", "/data").setting("maxFilesPerPoll", "0");
        org.assertj.core.api.Assertions.assertThatThrownBy(zero::build).hasMessageContaining("maxFilesPerPoll");
    }
}
