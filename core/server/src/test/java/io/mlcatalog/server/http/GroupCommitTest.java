package io.mlcatalog.server.http;

import io.mlcatalog.server.plugin.BatchWriter;
import io.mlcatalog.server.plugin.Origin;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How {@link GroupCommit} groups requests into transactions, with a writer that records each transaction's records and
 * holds the first one open until the test lets it end (the writing itself is covered over HTTP by the receivers' tests).
 */
class GroupCommitTest {
    private static final Origin ORIGIN = Origin.of("hooks");
    private final ExecutorService senders = Executors.newFixedThreadPool(8);
    private final HoldingWriter writer = new HoldingWriter();
    private final List<Integer> transactions = Collections.synchronizedList(new ArrayList<>());
    private final GroupCommit commits = new GroupCommit("hooks", writer, Clock.systemUTC(), transactions::add, 64);

    @AfterEach
    void stop() {
        writer.firstMayEnd.countDown();
        senders.shutdownNow();
        commits.close();
    }

    @Test
    void smallRequestsArrivingWhileATransactionIsUnderWayGoTogetherIntoTheNext() throws Exception {
        Future<?> first = send(records("s3://a/0"));
        assertThat(writer.firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
        List<Future<?>> waiting = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            waiting.add(send(records("s3://a/" + i, "s3://a/" + i + "-b")));
        }
        awaitWaiting(5);
        assertThat(writer.calls()).as("no second transaction for 10 records").hasSize(1);

        writer.firstMayEnd.countDown();
        first.get(30, TimeUnit.SECONDS);
        for (Future<?> w : waiting) {
            w.get(30, TimeUnit.SECONDS);
        }
        assertThat(writer.calls()).containsExactly(1, 10);
        assertThat(transactions).containsExactly(1, 5);
    }

    @Test
    void aBatchWaitingStartsASecondTransactionAtOnce() throws Exception {
        Future<?> first = send(records("s3://b/0"));
        assertThat(writer.firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
        Future<?> batch = send(records(IntStream.range(0, 100).mapToObj(i -> "s3://b/batch-" + i).toArray(String[]::new)));

        batch.get(30, TimeUnit.SECONDS);
        assertThat(first.isDone()).as("the first transaction is still under way").isFalse();
        writer.firstMayEnd.countDown();
        first.get(30, TimeUnit.SECONDS);
        assertThat(writer.calls()).containsExactly(1, 100);
    }

    @Test
    void anInvalidRecordFailsOnlyItsOwnRequest() throws Exception {
        Future<?> first = send(records("s3://c/0"));
        assertThat(writer.firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
        Future<?> good = send(records("s3://c/1"));
        awaitWaiting(1);
        Future<?> bad = send(records("s3://c/2", "s3://c/bad"));
        awaitWaiting(2);
        Future<?> alsoGood = send(records("s3://c/3"));
        awaitWaiting(3);

        writer.firstMayEnd.countDown();
        first.get(30, TimeUnit.SECONDS);
        good.get(30, TimeUnit.SECONDS);
        alsoGood.get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("s3://c/bad");
        // the group of three was refused whole, then each written alone
        assertThat(writer.calls()).containsExactly(1, 4, 1, 2, 1);
        assertThat(writer.committed()).containsExactly("s3://c/0", "s3://c/1", "s3://c/3");
        assertThat(transactions).as("the transactions committed, by their requests").containsExactly(1, 1, 1);
    }

    private Future<?> send(List<MetadataRecord> records) {
        return senders.submit(() -> {
            commits.write(ORIGIN, records);
            return null;
        });
    }

    /** Waits until {@code n} requests wait in the queue (each sender blocks in it until its transaction commits). */
    private void awaitWaiting(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (commits.waiting() < n) {
            assertThat(System.nanoTime()).as("%d requests waiting", n).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static List<MetadataRecord> records(String... uris) {
        List<MetadataRecord> records = new ArrayList<>();
        for (String uri : uris) {
            records.add(ArtifactRecord.builder("ns", uri).build());
        }
        return records;
    }

    /** Records each transaction's size; the first is held open until {@link #firstMayEnd}; a record named bad is refused. */
    private static final class HoldingWriter implements BatchWriter {
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch firstMayEnd = new CountDownLatch(1);
        private final List<Integer> calls = new ArrayList<>();
        private final List<String> committed = new ArrayList<>();

        synchronized List<Integer> calls() {
            return List.copyOf(calls);
        }

        synchronized List<String> committed() {
            return committed.stream().sorted().toList();
        }

        @Override
        public Result write(Origin origin, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                            Atomicity atomicity, Instant receivedAt) throws Exception {
            boolean first;
            synchronized (this) {
                first = calls.isEmpty();
                calls.add(records.size());
            }
            if (first) {
                firstStarted.countDown();
                assertThat(firstMayEnd.await(30, TimeUnit.SECONDS)).isTrue();
            }
            for (int i = 0; i < records.size(); i++) {
                String uri = ((ArtifactRecord) records.get(i)).uri();
                if (uri.endsWith("/bad")) {
                    throw new InvalidRecordException(i, "uri", "refused: " + uri);
                }
            }
            synchronized (this) {
                records.forEach(r -> committed.add(((ArtifactRecord) r).uri()));
            }
            return new Result(records.size(), List.of());
        }

        @Override
        public Result write(String instance, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                            Atomicity atomicity, Instant receivedAt,
                            java.util.function.Function<io.vertx.sqlclient.SqlConnection, io.vertx.core.Future<Void>> alsoInTransaction) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Result write(Origin origin, List<MetadataRecord> records, List<Instant> receivedAt, Atomicity atomicity,
                            java.util.function.Function<io.vertx.sqlclient.SqlConnection, io.vertx.core.Future<Void>> alsoInTransaction) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void validate(Origin origin, List<MetadataRecord> records, Instant receivedAt) {
            throw new UnsupportedOperationException();
        }
    }
}
