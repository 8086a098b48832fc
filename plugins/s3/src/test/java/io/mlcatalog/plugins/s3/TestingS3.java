package io.mlcatalog.plugins.s3;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;

/**
 * A real S3-compatible server inside the test: S3Proxy on a free loopback port, objects in memory, requests signed
 * with {@link #ACCESS_KEY}/{@link #SECRET_KEY} (others are refused, as S3 refuses them). Stopping and starting it again
 * keeps the objects (the store outlives the server), for "the endpoint went down and came back".
 */
final class TestingS3 implements AutoCloseable {
    static final String ACCESS_KEY = "test-access-key";
    static final String SECRET_KEY = "test-secret-key";

    private final BlobStore store = new TransientNio2BlobStore();
    private final int port;
    private S3Proxy proxy;
    private final S3Client client;

    TestingS3() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start();
        client = S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    void start() throws Exception {
        proxy = S3Proxy.builder().blobStore(store).endpoint(endpoint())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    void stop() throws Exception {
        proxy.stop();
    }

    S3Client client() {
        return client;
    }

    void put(String bucket, String key, String content) {
        put(bucket, key, content, Map.of());
    }

    void put(String bucket, String key, String content, Map<String, String> metadata) {
        client.putObject(r -> r.bucket(bucket).key(key).metadata(metadata), RequestBody.fromString(content));
    }

    void delete(String bucket, String key) {
        client.deleteObject(r -> r.bucket(bucket).key(key));
    }

    /** The settings of an instance that reads this server's buckets with the right credentials. */
    Map<String, Object> settings(String bucket, Object... more) {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("endpoint", endpoint().toString());
        s.put("pathStyle", "true");
        s.put("buckets", bucket);
        s.put("accessKeyId", "${env:TEST_S3_KEY}");
        s.put("secretAccessKey", "${env:TEST_S3_SECRET}");
        for (int i = 0; i < more.length; i += 2) {
            s.put((String) more[i], more[i + 1]);
        }
        return s;
    }

    static Map<String, String> env() {
        return Map.of("TEST_S3_KEY", ACCESS_KEY, "TEST_S3_SECRET", SECRET_KEY, "WRONG_SECRET", "not-the-secret-key");
    }

    @Override
    public void close() throws Exception {
        client.close();
        proxy.stop();
    }
}
