package io.mlcatalog.plugins.metaflow;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A datastore under a prefix of an S3 bucket ({@code METAFLOW_DATASTORE_SYSROOT_S3}), in the same layout as on a disk:
 * folders are key prefixes up to a {@code /}. The client is made on first use, so that a catalog starts while S3 is
 * unreachable; every failure names the key and what S3 said.
 */
final class S3Store implements Store {
    /** Where the store is and how to reach it. */
    record Location(String bucket, String prefix, URI endpoint, String region, boolean pathStyle, String accessKeyId,
                    String secretAccessKey) {
        /** {@code s3://bucket/prefix} as a location; the rest from the settings. */
        static Location parse(String root, URI endpoint, String region, boolean pathStyle, String accessKeyId, String secretAccessKey) {
            String rest = root.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
            return new Location(bucket, prefix, endpoint, region, pathStyle, accessKeyId, secretAccessKey);
        }
    }

    private final Location location;
    private S3Client client;

    S3Store(Location location) {
        this.location = location;
    }

    private synchronized S3Client client() {
        if (client == null) {
            S3ClientBuilder b = S3Client.builder().region(Region.of(location.region())).forcePathStyle(location.pathStyle())
                    .credentialsProvider(credentials())
                    .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                            .socketTimeout(Duration.ofSeconds(30)))
                    .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(60)));
            if (location.endpoint() != null) {
                b.endpointOverride(location.endpoint());
            }
            client = b.build();
        }
        return client;
    }

    private AwsCredentialsProvider credentials() {
        if (location.accessKeyId() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(location.accessKeyId(), location.secretAccessKey()));
    }

    private String key(String path) {
        return location.prefix().isEmpty() ? path : path.isEmpty() ? location.prefix() : location.prefix() + "/" + path;
    }

    @Override
    public List<String> folders(String path) throws IOException {
        List<String> names = new ArrayList<>();
        list(path, r -> {
            for (CommonPrefix p : r.commonPrefixes()) {
                String name = p.prefix().substring(0, p.prefix().length() - 1);
                names.add(name.substring(name.lastIndexOf('/') + 1));
            }
        });
        names.sort(null);
        return names;
    }

    @Override
    public List<String> files(String path) throws IOException {
        List<String> names = new ArrayList<>();
        list(path, r -> {
            for (S3Object o : r.contents()) {
                names.add(o.key().substring(o.key().lastIndexOf('/') + 1));
            }
        });
        names.sort(null);
        return names;
    }

    private void list(String path, java.util.function.Consumer<ListObjectsV2Response> page) throws IOException {
        String prefix = key(path);
        prefix = prefix.isEmpty() ? "" : prefix + "/";
        String token = null;
        do {
            ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(location.bucket()).prefix(prefix).delimiter("/");
            if (token != null) {
                req.continuationToken(token);
            }
            ListObjectsV2Response r;
            try {
                r = client().listObjectsV2(req.build());
            } catch (SdkException e) {
                throw failure(prefix, e);
            }
            page.accept(r);
            String next = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
            if (next != null && next.equals(token)) {
                throw new IOException(describe(path) + ": S3 returned the same continuation token twice; stopped listing");
            }
            token = next;
        } while (token != null);
    }

    @Override
    public Optional<byte[]> read(String path) throws IOException {
        try {
            return Optional.of(client().getObjectAsBytes(r -> r.bucket(location.bucket()).key(key(path))).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure(key(path), e);
        }
    }

    private IOException failure(String key, SdkException e) {
        String what = e instanceof S3Exception s3 && s3.statusCode() == 403
                ? "access denied: check the credentials (accessKeyId and secretAccessKey, or the default chain)"
                : e.getMessage();
        return new IOException("s3://" + location.bucket() + "/" + key + ": " + what, e);
    }

    @Override
    public String describe(String path) {
        return "s3://" + location.bucket() + "/" + key(path);
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
