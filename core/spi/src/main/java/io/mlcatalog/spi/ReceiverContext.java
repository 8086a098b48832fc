package io.mlcatalog.spi;

import java.time.Clock;

/** What the host hands a receiver. Thread-safe. */
public interface ReceiverContext {

    /** The instance name; the receiver is mounted under {@code /ingest/<instance>/}. */
    String instance();

    PluginConfig config();

    System.Logger logger();

    Clock clock();
}
