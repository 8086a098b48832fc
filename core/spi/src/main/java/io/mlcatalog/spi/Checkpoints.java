package io.mlcatalog.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The offsets the host has committed for a source, per partition, in the style of Kafka Connect:
 * a partition is what a source reads from (a branch, a bucket prefix), an offset how far it got (a
 * commit sha, a last-modified time). Both are small string maps.
 *
 * <p>Offsets are committed in the same transaction as the records of the poll that reported them, so
 * they never run ahead of what is stored. Read them at the start of every poll, not once: after a
 * failed poll (a crash, a database outage) they are still the last committed ones, and reading them
 * again is how a source resumes from there.
 */
public interface Checkpoints {

    /** The committed offset of a partition, if any. */
    Optional<Map<String, String>> offset(Map<String, String> partition);

    /** Every partition with a committed offset. */
    Map<Map<String, String>, Map<String, String>> all();
}
