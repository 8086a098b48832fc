package io.mlcatalog.plugins.filesystem;

import io.mlcatalog.plugins.storage.PassState;
import io.mlcatalog.plugins.storage.Sidecar;
import io.mlcatalog.plugins.storage.SidecarRecords;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The {@code filesystem} source: the files under the configured roots as artifacts.
 *
 * <p><b>What a poll does.</b> Each root is a partition, {@code {root: <absolute path>}}. A <i>pass</i> walks a root in a
 * fixed order (path segments compared one by one) and compares each file with what the previous complete pass saw
 * ({@link PassState}: size, modification time, digest, sidecar fingerprint per path, in a state file of the work
 * directory):
 * <ul>
 *   <li>same size and modification time: not hashed again, nothing emitted;</li>
 *   <li>new, or size or modification time changed: hashed (sha256, streaming, {@link Sha256}); an artifact with the new
 *       digest is emitted (a new version at the same URI), and, when the digest differs, the previous version is
 *       emitted as gone ({@code goneAt} = the poll's time): it stays in the catalog and in lineage;</li>
 *   <li>in the previous pass and no longer found: emitted as gone;</li>
 *   <li>only its sidecar changed: emitted again with the recorded digest, and the sidecar's links.</li>
 * </ul>
 * A pass spans as many polls as it needs: a poll stops after {@code maxFilesPerPoll} emitted files and checkpoints
 * where it got ({@link PassState#progress}); the next poll resumes after that path. A root that does not exist fails
 * the poll (the host retries): a folder that is not mounted must not read as "every file deleted".
 *
 * <p><b>Crashes.</b> See {@link PassState}: what a poll appends to the state file counts only once the host commits the
 * poll's checkpoint; a poll that was not committed is done again completely.
 *
 * <p>Atomicity is {@link Atomicity#PER_RECORD}: files are independent facts, so one that the catalog refuses (a sidecar
 * registering a version that exists with another file, say) is reported in the instance's status and the others are
 * recorded.
 */
final class FilesystemSource implements IngestSource {
    static final String ROOT = "root";
    /** The fields of a state entry, after the relative path. */
    private static final int SIZE = 0;
    private static final int MTIME = 1;
    private static final int DIGEST = 2;
    private static final int SIDECAR = 3;
    private static final int KIND = 4;

    /** Paths compared segment by segment: the order of a walk that visits each folder's entries sorted by name. */
    static final Comparator<String> ORDER = FilesystemSource::compareSegments;

    private final SourceContext context;
    private final FilesystemSettings settings;

    FilesystemSource(SourceContext context, FilesystemSettings settings) {
        this.context = requireNonNull(context, "context is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    public Atomicity atomicity() {
        return Atomicity.PER_RECORD;
    }

    @Override
    public void poll(RecordSink sink) throws IOException {
        Instant now = context.clock().instant();
        int budget = settings.maxFilesPerPoll();
        for (Path root : settings.roots()) {
            if (budget <= 0) {
                break; // the other roots in the next poll: their checkpoints stay where they are
            }
            if (!Files.isDirectory(root)) {
                throw new NoSuchFileException(root.toString(), null, "root is not a folder (missing, or not mounted?): nothing is marked "
                        + "gone while it is missing");
            }
            Map<String, String> partition = Map.of(ROOT, root.toString());
            Map<String, String> committed = context.checkpoints().offset(partition).orElse(Map.of());
            try (PassState state = PassState.open(stateDirectory(root), committed, ORDER)) {
                if (!state.trusted()) {
                    context.logger().log(System.Logger.Level.WARNING, "the state of {0} in {1} was missing or incomplete: every file is "
                            + "hashed again, and files deleted before now are not noticed", root, context.workDirectory());
                }
                Pass pass = new Pass(root, state, sink, now, budget);
                boolean complete = pass.walk(root, "");
                if (complete) {
                    for (PassState.Entry e : state.takeRest()) {
                        pass.gone(e);
                    }
                    sink.checkpoint(partition, state.finished());
                } else {
                    sink.checkpoint(partition, state.progress(pass.lastKey));
                }
                budget -= pass.emitted;
                context.logger().log(System.Logger.Level.DEBUG, "{0}: {1} files recorded, {2} hashed, pass {3}", root, pass.emitted,
                        pass.hashed, complete ? "complete" : "continues after " + pass.lastKey);
            }
        }
    }

    /** One directory of the work directory per root, named after it. */
    private Path stateDirectory(Path root) {
        return context.workDirectory().resolve("root-" + shortHash(root.toString()));
    }

    /** One poll's part of a pass over one root. */
    private final class Pass {
        final Path root;
        final PassState state;
        final RecordSink sink;
        final Instant now;
        final int budget;
        int emitted;
        int hashed;
        String lastKey = "";

        Pass(Path root, PassState state, RecordSink sink, Instant now, int budget) {
            this.root = root;
            this.state = state;
            this.sink = sink;
            this.now = now;
            this.budget = budget;
        }

        /** Walks a folder in order; false when the budget ran out (the pass continues in the next poll). */
        boolean walk(Path dir, String rel) throws IOException {
            String cursor = state.cursor();
            List<String> names = list(dir);
            DirectorySidecars sidecars = new DirectorySidecars(dir, names);
            for (String name : names) {
                String childRel = rel.isEmpty() ? name : rel + "/" + name;
                Path child = dir.resolve(name);
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // deleted while we walk: the next pass sees it gone
                }
                if (attrs.isDirectory()) {
                    if (settings.exclude().matches(childRel)) {
                        continue;
                    }
                    if (!cursor.isEmpty() && ORDER.compare(childRel, cursor) < 0 && !cursor.startsWith(childRel + "/")) {
                        continue; // handled in an earlier poll of this pass
                    }
                    if (!walk(child, childRel)) {
                        return false;
                    }
                } else if (attrs.isRegularFile()) {
                    if (!cursor.isEmpty() && ORDER.compare(childRel, cursor) <= 0) {
                        continue;
                    }
                    if (!recorded(childRel, name)) {
                        continue;
                    }
                    file(child, childRel, name, attrs, sidecars);
                    if (emitted >= budget) {
                        lastKey = childRel;
                        return false;
                    }
                }
                // symbolic links and special files are not followed nor recorded
            }
            return true;
        }

        private boolean recorded(String rel, String name) {
            if (settings.sidecars() && Sidecar.isSidecarName(name)) {
                return false; // metadata about files, not an artifact
            }
            return settings.include().matches(rel) && !settings.exclude().matches(rel);
        }

        private void file(Path file, String rel, String name, BasicFileAttributes attrs, DirectorySidecars sidecars) throws IOException {
            for (PassState.Entry deleted : state.takeBefore(rel)) {
                gone(deleted);
            }
            PassState.Entry old = state.take(rel);
            String size = Long.toString(attrs.size());
            String mtime = Long.toString(attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS));
            ArtifactKind kind = settings.kinds().kind(name);
            Path sidecarFile = settings.sidecars() ? sidecars.of(name, kind) : null;
            String fingerprint = sidecarFile == null ? "" : fingerprint(sidecarFile, sidecars);
            boolean sameContent = old != null && old.field(SIZE).equals(size) && old.field(MTIME).equals(mtime);
            if (sameContent && old.field(SIDECAR).equals(fingerprint)) {
                state.keep(old);
                return;
            }
            String digest;
            if (sameContent && !old.field(DIGEST).isEmpty()) {
                digest = old.field(DIGEST); // only the sidecar changed
            } else {
                digest = Sha256.of(file);
                hashed++;
                BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (after.size() != attrs.size() || !after.lastModifiedTime().equals(attrs.lastModifiedTime())) {
                    // written to while we read it: what we hashed may be no version at all; the next pass tries again
                    if (old != null) {
                        state.keep(old);
                    }
                    return;
                }
            }
            if (old != null && !old.field(DIGEST).equals(digest)) {
                gone(old); // the previous content is no longer at this URI
            }
            ArtifactRecord artifact = ArtifactRecord.builder(settings.namespace(), uri(file)).name(name).digest(digest)
                    .sizeBytes(attrs.size()).mediaType(io.mlcatalog.plugins.storage.KindRules.mediaType(name)).kind(kind)
                    .createdAt(attrs.lastModifiedTime().toInstant()).externalId(externalId(rel)).observedAt(now).build();
            Sidecar sidecar = null;
            if (sidecarFile != null) {
                sidecar = sidecars.read(sidecarFile, name, kind);
            }
            SidecarRecords.of(artifact, sidecar, settings.namespace()).forEach(sink::emit);
            state.keep(new PassState.Entry(rel, List.of(size, mtime, digest, fingerprint,
                    sidecar != null && sidecar.kind() != null ? sidecar.kind().name() : kind.name())));
            emitted++;
        }

        /** Emits a file the previous pass saw as no longer there (deleted, or its content replaced). */
        void gone(PassState.Entry e) {
            if (e.field(DIGEST).isEmpty()) {
                return;
            }
            Path file = root.resolve(e.key());
            ArtifactKind kind;
            try {
                kind = ArtifactKind.valueOf(e.field(KIND));
            } catch (IllegalArgumentException ex) {
                kind = ArtifactKind.OTHER;
            }
            sink.emit(ArtifactRecord.builder(settings.namespace(), uri(file)).name(file.getFileName().toString()).digest(e.field(DIGEST))
                    .sizeBytes(parseLong(e.field(SIZE))).mediaType(io.mlcatalog.plugins.storage.KindRules.mediaType(e.key())).kind(kind)
                    .externalId(externalId(e.key())).observedAt(now).goneAt(now).build());
            emitted++;
        }

        private String fingerprint(Path sidecarFile, DirectorySidecars sidecars) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(sidecarFile, BasicFileAttributes.class);
                return sidecarFile.getFileName() + ":" + a.size() + ":" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS)
                        + (Sidecar.isDirectorySidecar(sidecarFile.getFileName().toString()) ? ":" + sidecars.modelFiles : "");
            } catch (NoSuchFileException e) {
                return "";
            }
        }
    }

    /** The sidecars of one folder: each file's own, and the folder's MLmodel or model-card.md for its model files. */
    private final class DirectorySidecars {
        final Path dir;
        final java.util.Set<String> names;
        final String directorySidecar;
        final int modelFiles;

        DirectorySidecars(Path dir, List<String> names) {
            this.dir = dir;
            this.names = new java.util.HashSet<>(names);
            this.directorySidecar = this.names.contains(Sidecar.MLMODEL) ? Sidecar.MLMODEL
                    : this.names.contains(Sidecar.MODEL_CARD) ? Sidecar.MODEL_CARD : null;
            int models = 0;
            for (String n : names) {
                if (!Sidecar.isSidecarName(n) && settings.kinds().kind(n) == ArtifactKind.MODEL) {
                    models++;
                }
            }
            this.modelFiles = models;
        }

        Path of(String name, ArtifactKind kind) {
            if (names.contains(name + Sidecar.SUFFIX)) {
                return dir.resolve(name + Sidecar.SUFFIX);
            }
            return kind == ArtifactKind.MODEL && directorySidecar != null ? dir.resolve(directorySidecar) : null;
        }

        /** The sidecar, or null (logged) when it cannot be read: the file is recorded without it. */
        Sidecar read(Path sidecarFile, String name, ArtifactKind kind) {
            String sidecarName = sidecarFile.getFileName().toString();
            try {
                if (Files.size(sidecarFile) > Sidecar.MAX_BYTES) {
                    throw new Sidecar.InvalidSidecarException(sidecarFile.toString(), "larger than " + Sidecar.MAX_BYTES + " bytes");
                }
                Sidecar s = Sidecar.read(sidecarName, Files.readAllBytes(sidecarFile));
                if (Sidecar.isDirectorySidecar(sidecarName) && s.model() != null && modelFiles != 1) {
                    // one model card, several model files: which one is the version is not said; link them to the run only
                    context.logger().log(System.Logger.Level.INFO, "{0} names model {1} but {2} holds {3} model files: no version "
                            + "registered for {4}", sidecarFile, s.model().name(), dir, modelFiles, name);
                    s = new Sidecar(s.run(), null, s.kind(), s.facets(), s.origin());
                }
                return s;
            } catch (Sidecar.InvalidSidecarException e) {
                context.logger().log(System.Logger.Level.WARNING, "sidecar of {0} ignored: {1}", dir.resolve(name), e.getMessage());
                return null;
            } catch (IOException e) {
                context.logger().log(System.Logger.Level.WARNING, "sidecar {0} could not be read: {1}", sidecarFile, e.toString());
                return null;
            }
        }
    }

    private static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                names.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            return List.of(); // removed while we walk
        }
        names.sort(String::compareTo);
        return names;
    }

    private static String uri(Path file) {
        return file.toUri().toString();
    }

    private static String externalId(String rel) {
        return rel.getBytes(StandardCharsets.UTF_8).length <= 1024 ? rel : null;
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static int compareSegments(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ea = a.indexOf('/', i);
            int eb = b.indexOf('/', j);
            String sa = a.substring(i, ea < 0 ? a.length() : ea);
            String sb = b.substring(j, eb < 0 ? b.length() : eb);
            int c = sa.compareTo(sb);
            if (c != 0) {
                return c;
            }
            i = ea < 0 ? a.length() : ea + 1;
            j = eb < 0 ? b.length() : eb + 1;
            if (ea < 0 || eb < 0) {
                return (ea < 0 ? 0 : 1) - (eb < 0 ? 0 : 1); // the shorter path (a folder) first
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static String shortHash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
