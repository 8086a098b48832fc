package io.mlcatalog.plugins.s3;

import io.mlcatalog.plugins.storage.KindRules;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * An {@code s3} instance's checked settings.
 *
 * @param accessKeyId null: the SDK's default credentials provider chain
 */
record S3Settings(URI endpoint, String region, boolean pathStyle, List<String> buckets, List<String> prefixes, String accessKeyId,
                  String secretAccessKey, String sessionToken, String namespace, KindRules kinds, int maxRecordsPerPoll,
                  boolean listVersions, boolean readMetadata, boolean sidecars, Duration networkTimeout) {
    S3Settings {
        buckets = List.copyOf(buckets);
        prefixes = List.copyOf(prefixes);
    }

    @Override
    public String toString() {
        // never the secret
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", buckets=" + buckets + ", prefixes=" + prefixes + "]";
    }
}
