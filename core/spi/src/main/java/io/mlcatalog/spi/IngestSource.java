package io.mlcatalog.spi;

import java.util.List;

/**
 * A pull source: polled by the host on the instance's schedule.
 *
 * <p><b>Threading.</b> {@link #poll} is called on a worker thread, never on the server's event loop,
 * and never concurrently with itself for one instance; it may block (file system, network). The thread's
 * context class loader is the plugin's own, so libraries that load through it find the plugin's jar. A poll that
 * runs past the instance's timeout is abandoned: the host interrupts the thread, writes nothing of it,
 * and reports the timeout. {@link #close} may be called from another thread than {@link #poll}.
 *
 * <p><b>What a poll writes.</b> Everything a poll emits, and the checkpoints it reports, are written in
 * one transaction when {@code poll} returns normally. If {@code poll} throws, nothing of it is written,
 * the checkpoints stay where they were, and the host polls again later with backoff. Records are
 * idempotent, so re-emitting after a failure is always safe.
 */
public interface IngestSource extends AutoCloseable {

    /** Emits what is new since the committed {@link Checkpoints}, and the new offsets. */
    void poll(RecordSink sink) throws Exception;

    /**
     * What happens to a poll that emitted an invalid record (one the catalog refuses, say a
     * malformed digest). By default the whole poll is refused: nothing written, checkpoints kept, the
     * reason in the instance's status. A source that emits independent facts may choose
     * {@link Atomicity#PER_RECORD}: invalid records are skipped and reported, the rest and the
     * checkpoints are written.
     */
    default Atomicity atomicity() {
        return Atomicity.ALL_OR_NOTHING;
    }

    /**
     * Called after the records and checkpoints of this source's last poll were committed, with the records
     * the catalog refused (their {@link InvalidRecordException#index() index} is their position in that
     * poll's emissions; only a {@link Atomicity#PER_RECORD PER_RECORD} source has any: they were skipped, the
     * rest written). Not called when the poll failed, timed out or its batch was refused: then nothing of it
     * was written, and a source that keeps state between polls (a watch's buffered changes, records it
     * retries until the catalog takes them) emits it again. Called on the host's thread, never concurrently
     * with {@link #poll}; by default it does nothing.
     */
    default void committed(List<InvalidRecordException> rejected) {
    }

    /** Releases what the source holds (connections, clients). Called once, at shutdown. */
    @Override
    default void close() throws Exception {
    }
}
