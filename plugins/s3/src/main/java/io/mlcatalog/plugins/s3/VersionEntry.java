package io.mlcatalog.plugins.s3;

import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A version or a delete marker of a listing of object versions. */
record VersionEntry(String key, String versionId, Instant lastModified, boolean deleteMarker, String etag, Long size) {

    /**
     * The page's versions and delete markers in S3's listing order: by key, newest first within a key. (The SDK hands
     * them over as two lists, which loses how they interleave.)
     */
    static List<VersionEntry> inListingOrder(ListObjectVersionsResponse page) {
        List<VersionEntry> all = new ArrayList<>();
        for (ObjectVersion v : page.versions()) {
            all.add(new VersionEntry(v.key(), v.versionId(), v.lastModified(), false, unquote(v.eTag()), v.size()));
        }
        for (DeleteMarkerEntry d : page.deleteMarkers()) {
            all.add(new VersionEntry(d.key(), d.versionId(), d.lastModified(), true, "", null));
        }
        all.sort(Comparator.comparing(VersionEntry::key, S3Source.KEY_ORDER)
                .thenComparing(VersionEntry::lastModified, Comparator.reverseOrder()));
        return all;
    }

    private static String unquote(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") ? etag.substring(1, etag.length() - 1) : etag == null ? "" : etag;
    }
}
