package io.mlcatalog.spi;

/**
 * A push receiver: the host mounts it under {@code /ingest/<instance>/} and hands it every request
 * there, after checking the request against the host's limits (body size) and, when the instance
 * configures one, its bearer token.
 *
 * <p><b>Threading.</b> {@link #handle} runs on a worker thread (it may block) and may be called
 * concurrently for different requests: implementations must be thread-safe. The thread's context class loader
 * is the plugin's own while it runs.
 */
public interface IngestReceiver extends AutoCloseable {

    /**
     * Turns a request into records, writes them with {@code writer} (each {@link RecordWriter#write}
     * call is one transaction), and says what to answer. An exception answers 500 and is logged.
     */
    ReceiverResponse handle(ReceivedRequest request, RecordWriter writer) throws Exception;

    /**
     * Whether {@link #handle} turns a request into the same records and the same answer whenever it is called
     * with it: no clock, no state, nothing read but the settings and the request's method, path, query, body and
     * {@code Content-Type} (the host stores nothing else of it: no credentials). Only then may an instance be
     * configured {@code acknowledge: queued}: the host stores each request it accepts, answers, and calls
     * {@code handle} with the stored request again later to write its records. Stored requests are written about in
     * the order they arrived, not exactly: the records must say the same whatever order they are written in (as
     * OpenLineage events, with their event times, do).
     */
    default boolean replayable() {
        return false;
    }

    /**
     * Whether {@link #handle} checks itself that each request comes from whom it should (a webhook's signature with a
     * shared secret). Under access control the host then hands it requests that carry no bearer token, written with the
     * instance's own identity; other receivers get only requests with the instance's token or a catalog token.
     */
    default boolean authenticatesRequests() {
        return false;
    }

    @Override
    default void close() throws Exception {
    }
}
