package io.mlcatalog.testkit.testplugin;

import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.DeploymentEndRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.spi.record.RunIoRecord;
import io.mlcatalog.spi.record.RunRef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A source over a pretend bucket holding objects {@code 1..count}: each poll emits the objects after
 * the committed position (at most {@code perPoll}) as artifacts, and checkpoints the position it reached.
 * Its settings make it misbehave the ways a test needs: throw, hang, emit invalid records.
 */
public final class CountingSource implements IngestSource {
    public static final String TYPE = "test-counter";
    public static final Map<String, String> PARTITION = Map.of("bucket", "testkit-bucket");

    private final SourceContext context;
    private final Controls controls;
    private final String namespace;
    private final int count;
    private final int perPoll;
    private final int failPolls;
    private final int hangPolls;
    private final boolean ignoreInterrupts;
    private final Map<Integer, String> invalid;
    private final Atomicity atomicity;
    private final boolean missingClass;

    private CountingSource(SourceContext context, Map<Integer, String> invalid, Atomicity atomicity) {
        this.context = context;
        this.controls = Controls.of(context.instance());
        this.namespace = context.config().require("namespace");
        this.count = context.config().getInt("count");
        this.perPoll = context.config().getInt("perPoll");
        this.failPolls = context.config().getInt("failPolls");
        this.hangPolls = context.config().getInt("hangPolls");
        this.ignoreInterrupts = context.config().getBoolean("ignoreInterrupts");
        this.invalid = invalid;
        this.atomicity = atomicity;
        this.missingClass = context.config().getBoolean("missingClass");
    }

    public static final class Factory implements SourceFactory {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public List<Setting> settings() {
            return List.of(
                    Setting.required("count", Setting.Type.INT, "how many objects the bucket holds"),
                    Setting.optional("namespace", Setting.Type.STRING, "testkit", "the namespace of the artifacts"),
                    Setting.optional("perPoll", Setting.Type.INT, "1000", "at most this many objects per poll"),
                    Setting.optional("failPolls", Setting.Type.INT, "0", "the first N polls throw"),
                    Setting.optional("hangPolls", Setting.Type.INT, "0", "the N polls after those block until interrupted"),
                    Setting.optional("ignoreInterrupts", Setting.Type.BOOLEAN, "false",
                            "a hanging poll ignores interrupts and waits until the test releases it"),
                    Setting.optional("invalid", Setting.Type.LIST, null,
                            "objects emitted as bad records: <n>:digest, <n>:unknown-run or <n>:unknown-deployment"),
                    Setting.optional("atomicity", Setting.Type.STRING, "ALL_OR_NOTHING", "ALL_OR_NOTHING or PER_RECORD"),
                    Setting.optional("missingClass", Setting.Type.BOOLEAN, "false",
                            "atomicity() fails as code built against a class the jar lacks does (NoClassDefFoundError)"),
                    Setting.optional("pollEvery", Setting.Type.DURATION, "1m", "unused; a duration to check"),
                    Setting.secret("apiToken", false, "a secret, never shown"));
        }

        @Override
        public IngestSource create(SourceContext context) {
            Atomicity atomicity;
            try {
                atomicity = Atomicity.valueOf(context.config().require("atomicity"));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException("atomicity", "must be ALL_OR_NOTHING or PER_RECORD");
            }
            Map<Integer, String> invalid = new LinkedHashMap<>();
            for (String entry : context.config().getList("invalid")) {
                String[] parts = entry.split(":", 2);
                if (parts.length != 2 || !List.of("digest", "unknown-run", "unknown-deployment").contains(parts[1])) {
                    throw new PluginConfigException("invalid", "entry '" + entry + "' is not <n>:digest|unknown-run|unknown-deployment");
                }
                invalid.put(Integer.parseInt(parts[0]), parts[1]);
            }
            return new CountingSource(context, invalid, atomicity);
        }
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        controls.pollThread.set(Thread.currentThread().getName());
        int poll = controls.polls.incrementAndGet();
        if (poll <= failPolls) {
            throw new IOException("the bucket is unreachable (poll " + poll + ")");
        }
        if (poll <= failPolls + hangPolls) {
            hang(sink);
        }
        int from = context.checkpoints().offset(PARTITION).map(o -> Integer.parseInt(o.get("position"))).orElse(0);
        int to = Math.min(count, from + perPoll);
        for (int i = from + 1; i <= to; i++) {
            sink.emit(record(i));
        }
        sink.checkpoint(PARTITION, Map.of("position", String.valueOf(to)));
    }

    private void hang(RecordSink sink) throws InterruptedException {
        if (!ignoreInterrupts) {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                controls.interrupted.countDown();
                throw e;
            }
        }
        while (true) {
            try {
                controls.release.await();
                break;
            } catch (InterruptedException e) {
                controls.interrupted.countDown();
            }
        }
        // released long after the host gave up on this poll: what it emits now must go nowhere
        try {
            sink.emit(artifact(10_000));
            sink.checkpoint(PARTITION, Map.of("position", "10000"));
        } catch (IllegalStateException e) {
            controls.zombieRefusal.set(e.getMessage());
        } finally {
            controls.zombieDone.countDown();
        }
        throw new InterruptedException("abandoned");
    }

    private MetadataRecord record(int i) {
        String bad = invalid.get(i);
        if (bad == null) {
            return artifact(i);
        }
        return switch (bad) {
            case "digest" -> ArtifactRecord.builder(namespace, uri(i)).digest("sha256:not-a-digest").externalId("obj-" + i).build();
            case "unknown-run" -> new RunIoRecord(RunRef.of(namespace, "never-recorded", null), artifact(i), RunIoRecord.Direction.PRODUCED,
                    "io-" + i, null);
            default -> new DeploymentEndRecord(namespace, "prod", "no-such-endpoint", "no-such-model", "1",
                    Instant.parse("2024-05-01T00:00:00Z"), false, "end-" + i, null);
        };
    }

    /** Object {@code i} of the bucket, as the artifact this source emits. */
    public ArtifactRecord artifact(int i) {
        return artifact(namespace, context.instance(), i);
    }

    public static ArtifactRecord artifact(String namespace, String instance, int i) {
        return ArtifactRecord.builder(namespace, uri(instance, i)).digest(digest(instance + "/" + i)).sizeBytes(100L * i)
                .kind(ArtifactKind.DATASET).externalId("obj-" + i).build();
    }

    private String uri(int i) {
        return uri(context.instance(), i);
    }

    public static String uri(String instance, int i) {
        return "s3://testkit-bucket/" + instance + "/part-" + i + ".parquet";
    }

    static String digest(String text) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Atomicity atomicity() {
        if (missingClass) {
            throw new NoClassDefFoundError("com/acme/Missing");
        }
        return atomicity;
    }
}
