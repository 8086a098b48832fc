package io.mlcatalog.plugins.storage;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a storage source knew about every file or object of one partition at the end of its last complete pass, and
 * how far the pass under way got: a sorted state file per pass in the instance's work directory, read and written as
 * streams, so that a folder or bucket of any size costs a few buffers of memory, not one entry per file.
 *
 * <p><b>Why not in the checkpoint.</b> A checkpoint is a small string map, committed by the host with the poll's
 * records. The state of 100,000 files does not fit there; it lives here, and the checkpoint holds just enough to
 * tell which part of the files here is committed: {@code generation} (the last complete pass, whose file
 * {@code pass-<generation>} is the state the pass under way compares against), {@code cursor} (the last key the pass
 * under way has handled, in the source's order) and {@code written} (how many bytes of {@code pass-<generation+1>},
 * the state the pass under way is writing, belong to committed polls).
 *
 * <p><b>Crashes.</b> A poll appends to {@code pass-<g+1>} as it goes, ahead of the host's commit. When the host does not
 * commit the poll (the poll failed, the batch was refused, the process died), the next poll finds the old checkpoint:
 * it truncates {@code pass-<g+1>} back to {@code written} and starts again from {@code cursor}, so the failed poll is
 * done again completely, and nothing it saw is lost. A finished pass moves the checkpoint to {@code generation g+1};
 * only a poll that sees that committed deletes {@code pass-<g>}. When a state file is missing or shorter than the
 * checkpoint says (the work directory was wiped, or restored from an older backup), the source cannot trust it: the
 * pass starts over, everything is hashed or listed again, which is idempotent, and only deletions that happened
 * before are not noticed.
 *
 * <p>One instance serves one poll of one partition; not thread-safe.
 */
public final class PassState implements AutoCloseable {
    public static final String GENERATION = "generation";
    public static final String CURSOR = "cursor";
    public static final String WRITTEN = "written";

    /** One line of a state file: a key (a relative path, an object key) and the source's fields about it. */
    public record Entry(String key, List<String> fields) {
        public Entry {
            Objects.requireNonNull(key, "key is null");
            fields = List.copyOf(fields);
        }

        public String field(int i) {
            return i < fields.size() ? fields.get(i) : "";
        }
    }

    private final Path dir;
    private final Comparator<String> order;
    private final long generation;
    private final String cursor;
    private final BufferedReader previous;
    private final FileChannel nextChannel;
    private final BufferedWriter next;
    private final boolean trusted;
    private Entry lookahead;

    private PassState(Path dir, Comparator<String> order, long generation, String cursor, BufferedReader previous, FileChannel nextChannel,
                      boolean trusted) {
        this.dir = dir;
        this.order = order;
        this.generation = generation;
        this.cursor = cursor;
        this.previous = previous;
        this.nextChannel = nextChannel;
        this.next = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(nextChannel), StandardCharsets.UTF_8), 1 << 16);
        this.trusted = trusted;
    }

    /**
     * Opens the state of a partition for a poll, from its committed offset (empty: none yet).
     *
     * @param dir   the partition's own directory under the work directory
     * @param order the order the source visits keys in (the order of its listing)
     */
    public static PassState open(Path dir, Map<String, String> committed, Comparator<String> order) throws IOException {
        Files.createDirectories(dir);
        long g = parse(committed.get(GENERATION));
        String cursor = committed.getOrDefault(CURSOR, "");
        long written = parse(committed.get(WRITTEN));
        removeOtherPasses(dir, g);
        Path previousFile = file(dir, g);
        boolean trusted = true;
        if (g > 0 && !Files.exists(previousFile)) {
            // the state of the last complete pass is gone: compare against nothing, and say so
            g = 0;
            cursor = "";
            written = 0;
            trusted = false;
        }
        Path nextFile = file(dir, g + 1);
        FileChannel channel = FileChannel.open(nextFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (channel.size() < written) {
            // less than the committed polls wrote: restart the pass from the beginning
            cursor = "";
            written = 0;
            trusted = false;
        }
        channel.truncate(written); // drop what polls that were never committed appended
        channel.position(written);
        BufferedReader reader = g == 0 ? null : Files.newBufferedReader(previousFile, StandardCharsets.UTF_8);
        PassState state = new PassState(dir, order, g, cursor, reader, channel, trusted);
        state.skipThrough(cursor);
        return state;
    }

    /** False when the state was missing or damaged and the pass started over: deletions before now cannot be noticed. */
    public boolean trusted() {
        return trusted;
    }

    /** The key the pass under way handled last ({@code ""}: it starts now); the source resumes after it. */
    public String cursor() {
        return cursor;
    }

    /** The generation of the last complete pass (0: none). */
    public long generation() {
        return generation;
    }

    /**
     * The entries of the previous pass with keys before {@code key} that are still unread: keys the source no longer
     * has (deleted). Reads them and moves past them.
     */
    public List<Entry> takeBefore(String key) throws IOException {
        List<Entry> gone = new ArrayList<>();
        while (peek() != null && order.compare(peek().key(), key) < 0) {
            gone.add(take());
        }
        return gone;
    }

    /** The previous pass's entry for {@code key}, or null; call {@link #takeBefore} with the same key first. */
    public Entry take(String key) throws IOException {
        Entry e = peek();
        if (e != null && e.key().equals(key)) {
            return take();
        }
        return null;
    }

    /** Every unread entry of the previous pass: at the end of a pass, those are the keys that went away. */
    public List<Entry> takeRest() throws IOException {
        List<Entry> rest = new ArrayList<>();
        while (peek() != null) {
            rest.add(take());
        }
        return rest;
    }

    /** Records a key as the pass under way found it. Keys must come in the source's order. */
    public void keep(Entry entry) throws IOException {
        next.write(escape(entry.key()));
        for (String f : entry.fields()) {
            next.write('\t');
            next.write(escape(f));
        }
        next.write('\n');
    }

    /** The offset to checkpoint when the poll stops with the pass under way, after handling {@code lastKey}. */
    public Map<String, String> progress(String lastKey) throws IOException {
        next.flush();
        Map<String, String> offset = new LinkedHashMap<>();
        offset.put(GENERATION, Long.toString(generation));
        offset.put(CURSOR, lastKey);
        offset.put(WRITTEN, Long.toString(nextChannel.size()));
        return offset;
    }

    /** The offset to checkpoint when the pass under way is complete: it becomes the state the next pass compares against. */
    public Map<String, String> finished() throws IOException {
        next.flush();
        nextChannel.force(false);
        Map<String, String> offset = new LinkedHashMap<>();
        offset.put(GENERATION, Long.toString(generation + 1));
        offset.put(CURSOR, "");
        offset.put(WRITTEN, "0");
        return offset;
    }

    @Override
    public void close() throws IOException {
        try {
            next.flush();
            nextChannel.force(false);
        } finally {
            nextChannel.close();
            if (previous != null) {
                previous.close();
            }
        }
    }

    private void skipThrough(String key) throws IOException {
        if (key.isEmpty()) {
            return;
        }
        while (peek() != null && order.compare(peek().key(), key) <= 0) {
            take();
        }
    }

    private Entry peek() throws IOException {
        if (lookahead == null && previous != null) {
            String line = previous.readLine();
            if (line != null && !line.isEmpty()) {
                String[] parts = line.split("\t", -1);
                List<String> fields = new ArrayList<>(parts.length - 1);
                for (String p : Arrays.asList(parts).subList(1, parts.length)) {
                    fields.add(unescape(p));
                }
                lookahead = new Entry(unescape(parts[0]), fields);
            }
        }
        return lookahead;
    }

    private Entry take() throws IOException {
        Entry e = peek();
        lookahead = null;
        return e;
    }

    private static Path file(Path dir, long generation) {
        return dir.resolve("pass-" + generation);
    }

    /** Every pass file but the committed one and the one under way after it: leftovers of older or abandoned passes. */
    private static void removeOtherPasses(Path dir, long committed) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "pass-*")) {
            for (Path f : files) {
                long g = parse(f.getFileName().toString().substring("pass-".length()));
                if (g != committed && g != committed + 1) {
                    try {
                        Files.delete(f);
                    } catch (NoSuchFileException ignored) {
                        // removed meanwhile: what we wanted
                    }
                }
            }
        }
    }

    private static long parse(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(text));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String escape(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
