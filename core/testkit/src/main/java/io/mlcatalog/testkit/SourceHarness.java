package io.mlcatalog.testkit;

import io.mlcatalog.server.plugin.InstanceSettings;
import io.mlcatalog.server.plugin.PluginConfigError;
import io.mlcatalog.server.plugin.RecordValidation;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.Checkpoints;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;
import io.mlcatalog.spi.record.MetadataRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a source as the host does, against a collecting sink: settings are checked against the
 * factory's declared ones (an unknown or missing key fails {@link Builder#build()} as it would fail
 * start-up), records are checked as the catalog checks them, and a poll's checkpoints are committed
 * only when the poll succeeds and its records are valid. No database.
 *
 * <pre>{@code
 * SourceHarness harness = SourceHarness.builder(new MySourceFactory())
 *         .setting("folder", dir.toString())
 *         .build();
 * Poll first = harness.poll();
 * assertEquals(3, first.records(ArtifactRecord.class).size());
 * assertTrue(harness.poll().records().isEmpty());       // resumed from the checkpoint
 * }</pre>
 */
public final class SourceHarness implements AutoCloseable {
    private final IngestSource source;
    private final MutableCheckpoints checkpoints;

    private SourceHarness(IngestSource source, MutableCheckpoints checkpoints) {
        this.source = source;
        this.checkpoints = checkpoints;
    }

    public static Builder builder(SourceFactory factory) {
        return new Builder(factory);
    }

    public static final class Builder {
        private final SourceFactory factory;
        private final Map<String, Object> settings = new LinkedHashMap<>();
        private String instance = "test";
        private Clock clock = Clock.systemUTC();
        private Path workDirectory;
        private Map<String, String> env = Map.of();

        private Builder(SourceFactory factory) {
            this.factory = factory;
        }

        public Builder instance(String name) {
            this.instance = name;
            return this;
        }

        public Builder setting(String key, Object value) {
            settings.put(key, value);
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public Builder workDirectory(Path dir) {
            this.workDirectory = dir;
            return this;
        }

        /** Resolves {@code ${env:NAME}} in settings. */
        public Builder env(Map<String, String> variables) {
            this.env = Map.copyOf(variables);
            return this;
        }

        /**
         * Checks the settings as the host does and creates the source.
         *
         * @throws PluginConfigError naming the instance and the key, as start-up would (also when the factory's
         *                           {@code create} refuses a value)
         */
        public SourceHarness build() {
            PluginConfig config = InstanceSettings.check(instance, factory.settings(), settings, env::get);
            Path work = workDirectory;
            if (work == null) {
                try {
                    work = Files.createTempDirectory("mlcatalog-harness-" + instance);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            MutableCheckpoints checkpoints = new MutableCheckpoints();
            Path dir = work;
            SourceContext context = new SourceContext() {
                @Override
                public String instance() {
                    return instance;
                }

                @Override
                public PluginConfig config() {
                    return config;
                }

                @Override
                public System.Logger logger() {
                    return System.getLogger("io.mlcatalog.plugin." + instance);
                }

                @Override
                public Clock clock() {
                    return clock;
                }

                @Override
                public Checkpoints checkpoints() {
                    return checkpoints;
                }

                @Override
                public Path workDirectory() {
                    return dir;
                }
            };
            try {
                return new SourceHarness(factory.create(context), checkpoints);
            } catch (PluginConfigException e) {
                // named as start-up names it, so a test can assert the message users will see
                throw PluginConfigError.of(instance, e);
            }
        }
    }

    /**
     * Polls once. When the poll returns and its records are valid, its checkpoints are committed (the
     * next poll sees them); when it throws or a record is invalid, nothing is committed and the
     * result says why. A {@link io.mlcatalog.spi.Atomicity#PER_RECORD PER_RECORD} source is treated as
     * the host treats it: its invalid records are {@link Poll#rejected() rejected}, and the poll still
     * succeeds and commits. (What only the database can check, such as whether a run a record names is
     * recorded, needs a {@link TestingCatalog}.) After a poll that commits, the source's
     * {@link IngestSource#committed} is called with the rejected records, as the host does.
     */
    public Poll poll() {
        Collected sink = new Collected();
        try {
            source.poll(sink);
        } catch (Exception e) {
            return new Poll(sink.records, sink.checkpoints, List.of(), e, sink.problems);
        }
        List<InvalidRecordException> invalid = RecordValidation.invalid(sink.records);
        if (!invalid.isEmpty() && source.atomicity() == Atomicity.ALL_OR_NOTHING) {
            return new Poll(sink.records, sink.checkpoints, List.of(), invalid.get(0), sink.problems);
        }
        checkpoints.commit(sink.checkpoints);
        try {
            source.committed(List.copyOf(invalid));
        } catch (RuntimeException e) {
            // the host logs it and goes on: the poll is written all the same
            System.getLogger(SourceHarness.class.getName()).log(System.Logger.Level.WARNING, "committed() failed", e);
        }
        return new Poll(sink.records, sink.checkpoints, invalid, null, sink.problems);
    }

    /** The offsets committed so far. */
    public Map<Map<String, String>, Map<String, String>> committed() {
        return checkpoints.all();
    }

    /** Sets a committed offset, to test resuming from it. */
    public void commit(Map<String, String> partition, Map<String, String> offset) {
        checkpoints.commit(Map.of(partition, offset));
    }

    /** Forgets every committed offset (a replay from the beginning). */
    public void resetCheckpoints() {
        checkpoints.clear();
    }

    @Override
    public void close() throws Exception {
        source.close();
    }

    private static final class Collected implements RecordSink {
        final List<MetadataRecord> records = new ArrayList<>();
        final Map<Map<String, String>, Map<String, String>> checkpoints = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public void problem(String message) {
            problems.add(java.util.Objects.requireNonNull(message, "message is null"));
        }

        @Override
        public void emit(MetadataRecord record) {
            records.add(java.util.Objects.requireNonNull(record, "record is null"));
        }

        @Override
        public void checkpoint(Map<String, String> partition, Map<String, String> offset) {
            checkpoints.put(Map.copyOf(partition), Map.copyOf(offset));
        }
    }

    private static final class MutableCheckpoints implements Checkpoints {
        private volatile Map<Map<String, String>, Map<String, String>> committed = Map.of();

        @Override
        public Optional<Map<String, String>> offset(Map<String, String> partition) {
            return Optional.ofNullable(committed.get(partition));
        }

        @Override
        public Map<Map<String, String>, Map<String, String>> all() {
            return committed;
        }

        synchronized void commit(Map<Map<String, String>, Map<String, String>> offsets) {
            Map<Map<String, String>, Map<String, String>> next = new LinkedHashMap<>(committed);
            next.putAll(offsets);
            committed = Map.copyOf(next);
        }

        synchronized void clear() {
            committed = Map.of();
        }
    }
}
