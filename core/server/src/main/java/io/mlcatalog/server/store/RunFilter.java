package io.mlcatalog.server.store;

import io.mlcatalog.server.model.RunStatus;

import java.time.OffsetDateTime;
import java.util.List;

/** The optional filters of a run listing; null means "any". */
public record RunFilter(String namespace, String pipeline, List<RunStatus> statuses, String tagKey, String tagValue,
                        OffsetDateTime startedAfter, OffsetDateTime startedBefore, String nameContains, String commitPrefix) {
    public static final RunFilter ALL = new RunFilter(null, null, null, null, null, null, null, null, null);
}
