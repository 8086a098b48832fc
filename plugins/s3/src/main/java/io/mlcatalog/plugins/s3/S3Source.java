package io.mlcatalog.plugins.s3;

import io.mlcatalog.plugins.storage.KindRules;
import io.mlcatalog.plugins.storage.PassState;
import io.mlcatalog.plugins.storage.Sidecar;
import io.mlcatalog.plugins.storage.SidecarRecords;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The {@code s3} source: the objects of S3 (or S3-compatible) buckets as artifacts.
 *
 * <p><b>Unversioned buckets</b> (the default). Partition {@code {bucket, prefix}}. A <i>pass</i> pages through the
 * listing ({@code ListObjectsV2}, 1,000 keys a request, in key order) and compares each object with what the previous
 * complete pass listed, read as a stream from a state file in the work directory ({@link PassState}: ETag, size,
 * last-modified per key); memory holds one page, whatever the size of the bucket. A new or changed object (another
 * ETag or last-modified) is emitted with digest {@code etag:<ETag>}; when the ETag changed the previous one is
 * emitted as gone (an overwrite is a new artifact version); a key the previous pass had and this one does not is
 * emitted as gone (a delete: an unversioned bucket shows a delete only as a missing key, so deletions are found by
 * this comparison, at the end of each pass). Both are timed by the poll's clock. A poll stops after
 * {@code maxRecordsPerPoll} emitted objects and checkpoints the last key; the next poll lists from there
 * ({@code StartAfter}).
 *
 * <p><b>Versioned buckets</b> ({@code listVersions}). Every version is an artifact of its own, digest
 * {@code s3-version:<id>} (its ETag in the {@code s3} facet), present from its last-modified and gone from the
 * last-modified of the next newer version or delete marker of its key ({@link VersionWalk}): S3's own times, so
 * history is exact. A pass emits what changed since the previous pass started (a watermark, less a
 * {@link #CLOCK_MARGIN} for clocks that disagree; what is emitted twice changes nothing); the checkpoint holds the
 * watermark and the key and version markers where the pass under way stopped.
 *
 * <p><b>Sidecars and metadata.</b> A sidecar object ({@code <key>.mlcatalog.json}, {@code MLmodel},
 * {@code model-card.md}) is read (GET) when it is new or changed, and applied to the object(s) it describes as they
 * are then (HEAD): write the sidecar after the object. With {@code readMetadata}, each new or changed object costs a HEAD
 * request for its {@code x-amz-meta-mlcatalog-*} metadata.
 *
 * <p><b>Failures.</b> Wrong credentials, a missing bucket or an endpoint that does not answer fail the poll with a
 * message that says which and what to check (the SDK retries a request a few times first); the host retries the poll
 * with backoff and shows the instance as FAILING meanwhile. Nothing of a failed poll is written.
 */
final class S3Source implements IngestSource {
    static final String BUCKET = "bucket";
    static final String PREFIX = "prefix";
    static final String SINCE = "since";
    static final String PASS_STARTED = "passStarted";
    static final String KEY_MARKER = "keyMarker";
    static final String VERSION_ID_MARKER = "versionIdMarker";
    static final String SUCCESSOR = "successor";
    /** Versions written up to this long before a pass started are listed again by the next pass: clocks disagree. */
    static final Duration CLOCK_MARGIN = Duration.ofMinutes(5);
    /** S3 lists keys in the order of their UTF-8 bytes. */
    static final Comparator<String> KEY_ORDER = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
            b.getBytes(StandardCharsets.UTF_8));
    private static final String SIDECAR_KIND = "SIDECAR";

    private final SourceContext context;
    private final S3Settings settings;
    private S3Client client;

    S3Source(SourceContext context, S3Settings settings) {
        this.context = requireNonNull(context, "context is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    public Atomicity atomicity() {
        return Atomicity.PER_RECORD;
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        Instant now = context.clock().instant();
        int budget = settings.maxRecordsPerPoll();
        for (String bucket : settings.buckets()) {
            for (String prefix : settings.prefixes()) {
                if (budget <= 0) {
                    return;
                }
                Map<String, String> partition = Map.of(BUCKET, bucket, PREFIX, prefix);
                Map<String, String> committed = context.checkpoints().offset(partition).orElse(Map.of());
                try {
                    budget -= settings.listVersions() ? versions(bucket, prefix, partition, committed, sink, now, budget)
                            : objects(bucket, prefix, partition, committed, sink, now, budget);
                } catch (S3Exception e) {
                    throw explain(bucket, e);
                } catch (SdkClientException e) {
                    throw new S3SourceException("cannot reach " + endpointText() + " for bucket " + bucket + ": " + e.getMessage(), e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ unversioned

    private int objects(String bucket, String prefix, Map<String, String> partition, Map<String, String> committed, RecordSink sink,
                        Instant now, int budget) throws IOException {
        int emitted = 0;
        try (PassState state = PassState.open(context.workDirectory().resolve("bucket-" + shortHash(bucket + "\0" + prefix)), committed,
                KEY_ORDER)) {
            if (!state.trusted()) {
                context.logger().log(System.Logger.Level.WARNING, "the state of s3://{0}/{1} was missing or incomplete: every object is "
                        + "listed as new, and objects deleted before now are not noticed", bucket, prefix);
            }
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).maxKeys(1000);
            if (!prefix.isEmpty()) {
                request.prefix(prefix);
            }
            if (!state.cursor().isEmpty()) {
                request.startAfter(state.cursor());
            }
            String token = null;
            do {
                ListObjectsV2Response page = client().listObjectsV2((token == null ? request : request.continuationToken(token)).build());
                for (S3Object o : page.contents()) {
                    String key = o.key();
                    for (PassState.Entry deleted : state.takeBefore(key)) {
                        emitted += gone(bucket, deleted, sink, now);
                    }
                    PassState.Entry old = state.take(key);
                    String etag = unquote(o.eTag());
                    String lastModified = o.lastModified().toString();
                    if (old != null && old.field(0).equals(etag) && old.field(2).equals(lastModified)) {
                        state.keep(old);
                        continue;
                    }
                    String name = lastSegment(key);
                    if (settings.sidecars() && Sidecar.isSidecarName(name)) {
                        emitted += applySidecar(bucket, key, name, o.size(), sink, now);
                        state.keep(new PassState.Entry(key, List.of(etag, Long.toString(o.size()), lastModified, SIDECAR_KIND)));
                    } else {
                        if (old != null && !old.field(0).equals(etag)) {
                            emitted += gone(bucket, old, sink, now); // overwritten: the previous content is no longer there
                        }
                        ArtifactKind kind = settings.kinds().kind(name);
                        ArtifactRecord artifact = artifact(bucket, key, "etag:" + etag, o.size(), kind, o.lastModified(), now, null);
                        Sidecar metadata = settings.readMetadata() ? metadata(bucket, key, null) : null;
                        SidecarRecords.of(artifact, metadata, settings.namespace()).forEach(sink::emit);
                        state.keep(new PassState.Entry(key, List.of(etag, Long.toString(o.size()), lastModified, kind.name())));
                        emitted++;
                    }
                    if (emitted >= budget) {
                        sink.checkpoint(partition, state.progress(key));
                        return emitted;
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            for (PassState.Entry deleted : state.takeRest()) {
                emitted += gone(bucket, deleted, sink, now);
            }
            sink.checkpoint(partition, state.finished());
        }
        return emitted;
    }

    private int gone(String bucket, PassState.Entry e, RecordSink sink, Instant now) {
        if (SIDECAR_KIND.equals(e.field(3)) || e.field(0).isEmpty()) {
            return 0; // a sidecar is metadata, not an artifact
        }
        ArtifactKind kind;
        try {
            kind = ArtifactKind.valueOf(e.field(3));
        } catch (IllegalArgumentException ex) {
            kind = ArtifactKind.OTHER;
        }
        Instant lastModified = parseInstant(e.field(2));
        // gone when noticed, but never before the version was written (the clocks of S3 and of the catalog may differ)
        Instant at = lastModified != null && !now.isAfter(lastModified) ? lastModified.plusMillis(1) : now;
        sink.emit(ArtifactRecord.builder(settings.namespace(), uri(bucket, e.key())).name(lastSegment(e.key())).digest("etag:" + e.field(0))
                .sizeBytes(parseLong(e.field(1))).mediaType(KindRules.mediaType(e.key())).kind(kind).createdAt(lastModified)
                .externalId(externalId(e.key())).observedAt(now).goneAt(at).build());
        return 1;
    }

    // ------------------------------------------------------------------ versioned

    private int versions(String bucket, String prefix, Map<String, String> partition, Map<String, String> committed, RecordSink sink,
                         Instant now, int budget) {
        Instant since = parseInstant(committed.get(SINCE));
        Instant passStarted = committed.containsKey(PASS_STARTED) ? parseInstant(committed.get(PASS_STARTED)) : now;
        String keyMarker = committed.get(KEY_MARKER);
        String versionIdMarker = committed.get(VERSION_ID_MARKER);
        VersionWalk walk = new VersionWalk(since, keyMarker, parseInstant(committed.get(SUCCESSOR)));
        int emitted = 0;
        while (true) {
            String km = keyMarker;
            String vm = versionIdMarker;
            ListObjectVersionsResponse page = client().listObjectVersions(r -> r.bucket(bucket).prefix(prefix.isEmpty() ? null : prefix)
                    .maxKeys(1000).keyMarker(km).versionIdMarker(km == null ? null : vm));
            for (VersionEntry v : VersionEntry.inListingOrder(page)) {
                if (v.deleteMarker()) {
                    walk.deleteMarker(v.key(), v.lastModified());
                } else {
                    VersionWalk.Decision d = walk.version(v.key(), v.lastModified());
                    if (d.emit() && !(settings.sidecars() && Sidecar.isSidecarName(lastSegment(v.key())))) {
                        ArtifactKind kind = settings.kinds().kind(lastSegment(v.key()));
                        ArtifactRecord a = artifact(bucket, v.key(), "s3-version:" + v.versionId(), v.size(), kind, v.lastModified(),
                                v.lastModified(), Map.of("s3", Map.of("etag", v.etag(), "versionId", v.versionId())));
                        if (d.goneAt() != null) {
                            sink.emit(a.asGone(d.goneAt()));
                        } else {
                            Sidecar metadata = settings.readMetadata() ? metadata(bucket, v.key(), v.versionId()) : null;
                            SidecarRecords.of(a, metadata, settings.namespace()).forEach(sink::emit);
                        }
                        emitted++;
                    } else if (d.emit() && d.goneAt() == null && v.lastModified() != null) {
                        emitted += applySidecar(bucket, v.key(), lastSegment(v.key()), v.size(), sink, now);
                    }
                }
                keyMarker = v.key();
                versionIdMarker = v.versionId();
                if (emitted >= budget) {
                    Map<String, String> offset = new LinkedHashMap<>();
                    if (since != null) {
                        offset.put(SINCE, since.toString());
                    }
                    offset.put(PASS_STARTED, passStarted.toString());
                    offset.put(KEY_MARKER, keyMarker);
                    offset.put(VERSION_ID_MARKER, versionIdMarker);
                    if (walk.successor() != null) {
                        offset.put(SUCCESSOR, walk.successor().toString());
                    }
                    sink.checkpoint(partition, offset);
                    return emitted;
                }
            }
            if (!Boolean.TRUE.equals(page.isTruncated())) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            versionIdMarker = page.nextVersionIdMarker();
        }
        sink.checkpoint(partition, Map.of(SINCE, passStarted.minus(CLOCK_MARGIN).toString()));
        return emitted;
    }

    // ------------------------------------------------------------------ sidecars and metadata

    /** Applies a new or changed sidecar object to what it describes; returns the number of objects emitted. */
    private int applySidecar(String bucket, String sidecarKey, String name, Long size, RecordSink sink, Instant now) {
        if (size != null && size > Sidecar.MAX_BYTES) {
            context.logger().log(System.Logger.Level.WARNING, "sidecar s3://{0}/{1} ignored: larger than {2} bytes", bucket, sidecarKey,
                    Sidecar.MAX_BYTES);
            return 0;
        }
        Sidecar sidecar;
        try {
            ResponseBytes<GetObjectResponse> bytes = client().getObjectAsBytes(r -> r.bucket(bucket).key(sidecarKey));
            sidecar = Sidecar.read(name, bytes.asByteArray());
        } catch (NoSuchKeyException e) {
            return 0; // deleted since the listing
        } catch (Sidecar.InvalidSidecarException e) {
            context.logger().log(System.Logger.Level.WARNING, "sidecar s3://{0}/{1} ignored: {2}", bucket, sidecarKey, e.getMessage());
            return 0;
        }
        List<String> targets = new ArrayList<>();
        if (name.endsWith(Sidecar.SUFFIX)) {
            targets.add(sidecarKey.substring(0, sidecarKey.length() - Sidecar.SUFFIX.length()));
        } else {
            String dir = sidecarKey.substring(0, sidecarKey.length() - name.length());
            for (S3Object o : client().listObjectsV2(r -> r.bucket(bucket).prefix(dir).delimiter("/").maxKeys(1000)).contents()) {
                String n = lastSegment(o.key());
                if (!Sidecar.isSidecarName(n) && settings.kinds().kind(n) == ArtifactKind.MODEL) {
                    targets.add(o.key());
                }
            }
            if (targets.size() != 1 && sidecar.model() != null) {
                sidecar = new Sidecar(sidecar.run(), null, sidecar.kind(), sidecar.facets(), sidecar.origin());
            }
        }
        int emitted = 0;
        for (String target : targets) {
            HeadObjectResponse head;
            try {
                head = client().headObject(r -> r.bucket(bucket).key(target));
            } catch (NoSuchKeyException e) {
                context.logger().log(System.Logger.Level.INFO, "sidecar s3://{0}/{1} describes s3://{0}/{2}, which does not exist",
                        bucket, sidecarKey, target);
                continue;
            }
            String versionId = settings.listVersions() && head.versionId() != null && !"null".equals(head.versionId()) ? head.versionId() : null;
            String digest = versionId != null ? "s3-version:" + versionId : "etag:" + unquote(head.eTag());
            Map<String, Object> facets = versionId == null ? null : Map.of("s3", Map.of("etag", unquote(head.eTag()), "versionId", versionId));
            ArtifactRecord a = artifact(bucket, target, digest, head.contentLength(), settings.kinds().kind(lastSegment(target)),
                    head.lastModified(), versionId != null ? head.lastModified() : now, facets);
            SidecarRecords.of(a, sidecar, settings.namespace()).forEach(sink::emit);
            emitted++;
        }
        return emitted;
    }

    private Sidecar metadata(String bucket, String key, String versionId) {
        try {
            HeadObjectResponse head = client().headObject(r -> r.bucket(bucket).key(key).versionId(versionId));
            return Sidecar.metadata("s3://" + bucket + "/" + key, head.metadata());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (Sidecar.InvalidSidecarException e) {
            context.logger().log(System.Logger.Level.WARNING, "metadata of s3://{0}/{1} ignored: {2}", bucket, key, e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------ records

    private ArtifactRecord artifact(String bucket, String key, String digest, Long size, ArtifactKind kind, Instant lastModified,
                                    Instant observedAt, Map<String, Object> facets) {
        return ArtifactRecord.builder(settings.namespace(), uri(bucket, key)).name(lastSegment(key)).digest(digest).sizeBytes(size)
                .mediaType(KindRules.mediaType(key)).kind(kind).createdAt(lastModified).externalId(externalId(key))
                .observedAt(observedAt).facets(facets).build();
    }

    /** {@code s3://bucket/key}, the key percent-encoded where a URI needs it (spaces, %, non-ASCII stay readable otherwise). */
    static String uri(String bucket, String key) {
        StringBuilder b = new StringBuilder("s3://").append(bucket).append('/');
        for (byte c : key.getBytes(StandardCharsets.UTF_8)) {
            int u = c & 0xff;
            if (u <= 0x20 || u == '%' || u >= 0x7f || u == '#' || u == '?' || u == '"' || u == '<' || u == '>' || u == '\\') {
                b.append('%').append(String.format("%02X", u));
            } else {
                b.append((char) u);
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ the client

    private synchronized S3Client client() {
        if (client == null) {
            S3ClientBuilder b = S3Client.builder()
                    .region(Region.of(settings.region()))
                    .forcePathStyle(settings.pathStyle())
                    .credentialsProvider(credentials())
                    .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                            .socketTimeout(settings.networkTimeout()))
                    .overrideConfiguration(c -> c.apiCallTimeout(settings.networkTimeout()));
            if (settings.endpoint() != null) {
                b.endpointOverride(settings.endpoint());
            }
            client = b.build();
        }
        return client;
    }

    private AwsCredentialsProvider credentials() {
        if (settings.accessKeyId() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(settings.sessionToken() == null
                ? AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())
                : AwsSessionCredentials.create(settings.accessKeyId(), settings.secretAccessKey(), settings.sessionToken()));
    }

    private S3SourceException explain(String bucket, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        String what;
        if (status == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code) || "AccessDenied".equals(code)) {
            what = "access denied: check the credentials (accessKeyId and secretAccessKey, or the default credentials chain) and that "
                    + "they may list and read the bucket";
        } else if (status == 404 || "NoSuchBucket".equals(code)) {
            what = "no such bucket";
        } else {
            what = "the store answered an error";
        }
        return new S3SourceException("bucket " + bucket + " at " + endpointText() + ": " + what + " (HTTP " + status
                + (code == null ? "" : ", " + code) + ")", e);
    }

    private String endpointText() {
        return settings.endpoint() != null ? settings.endpoint().toString() : "AWS S3 (" + settings.region() + ")";
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    // ------------------------------------------------------------------ small helpers

    static String lastSegment(String key) {
        int slash = key.lastIndexOf('/', key.length() - 2);
        return slash < 0 ? key : key.substring(slash + 1);
    }

    private static String unquote(String etag) {
        if (etag == null) {
            return "";
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    private static String externalId(String key) {
        return key.getBytes(StandardCharsets.UTF_8).length <= 1024 ? key : null;
    }

    private static Instant parseInstant(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String shortHash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unused")
    private static boolean isClientError(SdkException e) {
        return e instanceof SdkClientException;
    }
}
