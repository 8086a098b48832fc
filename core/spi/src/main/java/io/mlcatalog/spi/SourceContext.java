package io.mlcatalog.spi;

import java.nio.file.Path;
import java.time.Clock;

/** What the host hands a source: who it is, its settings, and the host's services. Thread-safe. */
public interface SourceContext {

    /** The instance name from the configuration; unique among all instances. */
    String instance();

    PluginConfig config();

    /** A logger whose lines name the instance. Never log secrets. */
    System.Logger logger();

    /** The clock to read "now" from (tests may fix it). */
    Clock clock();

    /** The offsets committed so far; see {@link Checkpoints} for when to read them. */
    Checkpoints checkpoints();

    /** A directory of this instance's own that survives restarts (a clone, a cache), created on first use. */
    Path workDirectory();
}
