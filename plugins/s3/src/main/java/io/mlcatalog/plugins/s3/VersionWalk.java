package io.mlcatalog.plugins.s3;

import java.time.Instant;

/**
 * What a listing of object versions means for the catalog, one entry at a time, in the order S3 lists them: by key,
 * and within a key newest first, delete markers among the versions. A version is present until the next newer entry
 * of its key (a newer version, or a delete marker) was written; the newest version, if no delete marker is above it,
 * is present now.
 *
 * <p>Incremental: a version never changes, so a pass emits only what happened since the previous complete pass
 * started ({@code since}, the watermark): versions written since (present, or already gone at their successor's
 * time), and versions that became noncurrent since (gone at their successor's time). Older facts were emitted by
 * earlier passes. Entries written exactly at the watermark are emitted again (idempotent), so that an entry written
 * in the same instant the previous pass listed is never missed.
 */
final class VersionWalk {
    /** What to emit for one version: nothing, present, or gone since {@code goneAt}. */
    record Decision(boolean emit, Instant goneAt) {
        static final Decision SKIP = new Decision(false, null);
    }

    private final Instant since;
    private String key;
    private Instant successor;

    /**
     * @param since     the watermark: null for the first pass (everything is emitted)
     * @param key       the key of the last entry handled before this walk (a pass resumed in a later poll), or null
     * @param successor the time of that entry, or null
     */
    VersionWalk(Instant since, String key, Instant successor) {
        this.since = since;
        this.key = key;
        this.successor = successor;
    }

    /** A delete marker: the version below it is gone from its time on. */
    void deleteMarker(String k, Instant lastModified) {
        enter(k);
        successor = lastModified;
    }

    /** A version: whether and how to emit it. */
    Decision version(String k, Instant lastModified) {
        enter(k);
        Instant goneAt = successor;
        successor = lastModified;
        boolean isNew = since == null || !lastModified.isBefore(since);
        boolean becameNoncurrent = goneAt != null && (since == null || !goneAt.isBefore(since));
        if (isNew || becameNoncurrent) {
            return new Decision(true, goneAt);
        }
        return Decision.SKIP;
    }

    private void enter(String k) {
        if (!k.equals(key)) {
            key = k;
            successor = null;
        }
    }

    String key() {
        return key;
    }

    Instant successor() {
        return successor;
    }
}
