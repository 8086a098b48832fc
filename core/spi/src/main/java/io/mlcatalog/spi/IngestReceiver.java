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

    @Override
    default void close() throws Exception {
    }
}
