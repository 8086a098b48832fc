package io.mlcatalog.server.store;

import io.mlcatalog.server.model.RunStatus;

import java.time.OffsetDateTime;
import java.util.List;

/** The optional filters (and, in {@code readable}, the namespaces the caller may read: null for all) of a run listing; null means "any". */
public record RunFilter(String namespace, String pipeline, List<RunStatus> statuses, String tagKey, String tagValue,
                        OffsetDateTime startedAfter, OffsetDateTime startedBefore, String nameContains, String commitPrefix,
        String[] readable) {
    /** Without a limit on namespaces. */
    public RunFilter(String namespace, String pipeline, List<RunStatus> statuses, String tagKey, String tagValue,
                        OffsetDateTime startedAfter, OffsetDateTime startedBefore, String nameContains, String commitPrefix) {
        this(namespace, pipeline, statuses, tagKey, tagValue, startedAfter, startedBefore, nameContains, commitPrefix, null);
    }

    /** The same filter, over only the {@code readable} namespaces (null: all): what the caller may read. */
    public RunFilter withReadable(String[] readable) {
        return new RunFilter(namespace, pipeline, statuses, tagKey, tagValue, startedAfter, startedBefore, nameContains, commitPrefix, readable);
    }

    public static final RunFilter ALL = new RunFilter(null, null, null, null, null, null, null, null, null);
}
