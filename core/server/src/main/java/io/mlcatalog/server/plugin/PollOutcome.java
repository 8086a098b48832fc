package io.mlcatalog.server.plugin;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one poll of a source did.
 *
 * @param emitted     records emitted, by kind ({@code RunRecord} → 3)
 * @param written     records written
 * @param rejected    why records were refused (PER_RECORD sources), or the one reason a batch was refused
 * @param checkpoints the offsets committed (or, on failure, that would have been)
 * @param error       why the poll failed, or null
 * @param problems    the parts the source could not read and left out of a poll that succeeded ({@code RecordSink.problem})
 */
public record PollOutcome(String instance, boolean ok, Map<String, Integer> emitted, int written, List<String> rejected,
                          Map<Map<String, String>, Map<String, String>> checkpoints, String error, Duration took, List<String> problems) {
    public PollOutcome {
        emitted = Map.copyOf(emitted);
        rejected = List.copyOf(rejected);
        checkpoints = Map.copyOf(checkpoints);
        problems = List.copyOf(problems);
    }
}
