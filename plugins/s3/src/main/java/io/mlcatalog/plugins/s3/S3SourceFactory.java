package io.mlcatalog.plugins.s3;

import io.mlcatalog.plugins.storage.KindRules;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Creates {@code s3} sources. Nothing is contacted here: an endpoint that is down, or credentials that are wrong, are
 * found out by the first poll, which the host retries and reports, so that the catalog always starts.
 */
public final class S3SourceFactory implements SourceFactory {
    public static final String TYPE = "s3";

    static final String BUCKETS = "buckets";
    static final String PREFIXES = "prefixes";
    static final String ENDPOINT = "endpoint";
    static final String REGION = "region";
    static final String PATH_STYLE = "pathStyle";
    static final String ACCESS_KEY_ID = "accessKeyId";
    static final String SECRET_ACCESS_KEY = "secretAccessKey";
    static final String SESSION_TOKEN = "sessionToken";
    static final String NAMESPACE = "namespace";
    static final String MODEL_EXTENSIONS = "modelExtensions";
    static final String DATASET_EXTENSIONS = "datasetExtensions";
    static final String MAX_RECORDS_PER_POLL = "maxRecordsPerPoll";
    static final String LIST_VERSIONS = "listVersions";
    static final String READ_METADATA = "readMetadata";
    static final String SIDECARS = "sidecars";
    static final String NETWORK_TIMEOUT = "networkTimeout";

    private static final List<Setting> SETTINGS = List.of(
            Setting.required(BUCKETS, Setting.Type.LIST, "the buckets to read"),
            Setting.optional(PREFIXES, Setting.Type.LIST, null, "key prefixes to read in each bucket (default: the whole bucket)"),
            Setting.optional(ENDPOINT, Setting.Type.STRING, null,
                    "the endpoint of an S3-compatible store (MinIO, Ceph, …), e.g. http://minio:9000; default: AWS"),
            Setting.optional(REGION, Setting.Type.STRING, "us-east-1", "the region to sign requests for"),
            Setting.optional(PATH_STYLE, Setting.Type.BOOLEAN, "false",
                    "path-style URLs (http://host/bucket/key), as most S3-compatible stores want"),
            Setting.secret(ACCESS_KEY_ID, false, "the access key id; give it as ${env:NAME}. Without it: the default credentials chain"),
            Setting.secret(SECRET_ACCESS_KEY, false, "the secret access key, with accessKeyId; give it as ${env:NAME}"),
            Setting.secret(SESSION_TOKEN, false, "a session token for temporary credentials, with accessKeyId"),
            Setting.optional(NAMESPACE, Setting.Type.STRING, "default", "the namespace to file the artifacts under"),
            Setting.optional(MODEL_EXTENSIONS, Setting.Type.LIST, String.join(",", KindRules.DEFAULT_MODEL_EXTENSIONS),
                    "the extensions of objects recorded as MODEL"),
            Setting.optional(DATASET_EXTENSIONS, Setting.Type.LIST, String.join(",", KindRules.DEFAULT_DATASET_EXTENSIONS),
                    "the extensions of objects recorded as DATASET (any other object is OTHER)"),
            Setting.optional(MAX_RECORDS_PER_POLL, Setting.Type.INT, "5000",
                    "the most objects one poll records; a larger bucket is recorded over several polls"),
            Setting.optional(LIST_VERSIONS, Setting.Type.BOOLEAN, "false",
                    "for versioned buckets: every version is an artifact (digest s3-version:<id>), delete markers make them gone"),
            Setting.optional(READ_METADATA, Setting.Type.BOOLEAN, "false",
                    "read each new or changed object's x-amz-meta-mlcatalog-* metadata (one HEAD request per object)"),
            Setting.optional(SIDECARS, Setting.Type.BOOLEAN, "true", "read sidecar objects (<key>.mlcatalog.json, MLmodel, model-card.md)"),
            Setting.optional(NETWORK_TIMEOUT, Setting.Type.DURATION, "30s", "how long one request may take, retries included"));

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Setting> settings() {
        return SETTINGS;
    }

    @Override
    public IngestSource create(SourceContext context) {
        return new S3Source(context, settings(context.config()));
    }

    static S3Settings settings(PluginConfig config) {
        List<String> buckets = new ArrayList<>(new LinkedHashSet<>(config.getList(BUCKETS).stream().map(String::strip)
                .filter(b -> !b.isEmpty()).toList()));
        if (buckets.isEmpty()) {
            throw new PluginConfigException(BUCKETS, "names no bucket");
        }
        for (String b : buckets) {
            if (b.contains("/")) {
                throw new PluginConfigException(BUCKETS, "has '" + b + "': a bucket name has no '/' (put key prefixes in prefixes)");
            }
        }
        List<String> prefixes = new ArrayList<>(new LinkedHashSet<>(config.getList(PREFIXES)));
        if (prefixes.isEmpty()) {
            prefixes.add("");
        }
        for (String a : prefixes) {
            for (String b : prefixes) {
                if (!a.equals(b) && b.startsWith(a)) {
                    throw new PluginConfigException(PREFIXES, "has '" + b + "' inside '" + a + "': an object would be recorded twice");
                }
            }
        }
        URI endpoint = null;
        String e = config.get(ENDPOINT).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        if (e != null) {
            try {
                endpoint = URI.create(e);
            } catch (IllegalArgumentException ex) {
                throw new PluginConfigException(ENDPOINT, "is not a URL: " + ex.getMessage());
            }
            if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new PluginConfigException(ENDPOINT, "must be an http:// or https:// URL with a host, got " + e);
            }
        }
        String key = config.get(ACCESS_KEY_ID).filter(s -> !s.isBlank()).orElse(null);
        String secret = config.get(SECRET_ACCESS_KEY).filter(s -> !s.isBlank()).orElse(null);
        if ((key == null) != (secret == null)) {
            throw new PluginConfigException(key == null ? ACCESS_KEY_ID : SECRET_ACCESS_KEY,
                    "is missing: give accessKeyId and secretAccessKey together, or neither (the default credentials chain)");
        }
        String namespace = config.require(NAMESPACE).strip();
        if (namespace.isEmpty()) {
            throw new PluginConfigException(NAMESPACE, "must not be blank");
        }
        int max = config.getInt(MAX_RECORDS_PER_POLL);
        if (max < 1) {
            throw new PluginConfigException(MAX_RECORDS_PER_POLL, "must be at least 1, got " + max);
        }
        Duration timeout = config.getDuration(NETWORK_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new PluginConfigException(NETWORK_TIMEOUT, "must be a positive duration, got " + timeout);
        }
        return new S3Settings(endpoint, config.require(REGION).strip(), config.getBoolean(PATH_STYLE), buckets, prefixes, key, secret,
                config.get(SESSION_TOKEN).filter(s -> !s.isBlank()).orElse(null), namespace,
                KindRules.of(MODEL_EXTENSIONS, config.getList(MODEL_EXTENSIONS), DATASET_EXTENSIONS, config.getList(DATASET_EXTENSIONS)),
                max, config.getBoolean(LIST_VERSIONS), config.getBoolean(READ_METADATA), config.getBoolean(SIDECARS), timeout);
    }
}
