package io.mlcatalog.plugins.metaflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus's datastore on S3, as Metaflow lays it out under METAFLOW_DATASTORE_SYSROOT_S3, served by a real
 * S3-compatible server (S3Proxy, in memory, requests signed).
 */
class MetaflowS3IT {
    static final String KEY = "metaflow-test-key";
    static final String SECRET = "metaflow-test-secret";
    static final BlobStore store = new TransientNio2BlobStore();
    static S3Proxy proxy;
    static URI endpoint;

    @BeforeAll
    static void start() throws Exception {
        Path datastore = MetaflowCorpusIT.corpus();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        endpoint = URI.create("http://127.0.0.1:" + port);
        proxy = S3Proxy.builder().blobStore(store).endpoint(endpoint)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET).build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        // The corpus goes into the server's store directly, not through 1,560 signed PUTs: what is tested is the
        // plugin's reading over HTTP, and the uploads alone took most of the test's time (and once failed in CI).
        upload(datastore, "ml-lake", null);
        // a second copy where one run's task record is cut short, as an interrupted upload leaves it
        upload(datastore, "ml-lake-damaged", DAMAGED);
    }

    static final String DAMAGED = "ChurnTrainFlow/1796479757975798/train/3/_meta/_self.json";

    private static void upload(Path datastore, String bucket, String truncate) throws IOException {
        try (Stream<Path> files = Files.walk(datastore)) {
            store.createContainer(bucket);
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String relative = datastore.relativize(f).toString().replace('\\', '/');
                byte[] bytes = Files.readAllBytes(f);
                if (relative.equals(truncate)) {
                    bytes = java.util.Arrays.copyOf(bytes, bytes.length / 2);
                }
                store.putBlob(PutObjectRequest.builder().bucket(bucket).key("metaflow/" + relative).contentLength((long) bytes.length).build(),
                        new java.io.ByteArrayInputStream(bytes));
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
    }

    private static TestingCatalog catalog(String secret) {
        return catalog("ml-lake", secret);
    }

    private static TestingCatalog catalog(String bucket, String secret) {
        return TestingCatalog.builder()
                .instance("mf-s3", "metaflow", Map.of("root", "s3://" + bucket + "/metaflow", "endpoint", endpoint.toString(), "pathStyle", "true",
                        "accessKeyId", KEY, "secretAccessKey", secret, "namespace", "growth", "models", List.of("model"),
                        "model", "churn-classifier"))
                .start();
    }

    @Test
    void aDatastoreOnS3ReadsAsTheLocalOne() {
        try (TestingCatalog catalog = catalog(SECRET)) {
            PollOutcome outcome = catalog.poll("mf-s3");
            assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
            assertThat(catalog.count("select count(*) from run where namespace = 'growth' and parent_id is null")).isEqualTo(5);
            JsonNode run = catalog.query("""
                    { run(namespace: "growth", name: "ChurnTrainFlow/1796479757975798") { status user params codeVersion { commit } } }""")
                    .path("run");
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.path("params").path("dataset_uri").asText()).isEqualTo("s3://acme-lake/churn/customers/2026-12-04.parquet");
            assertThat(run.path("codeVersion").path("commit").asText()).isEqualTo("1ff4654f119b9f0055f5ccefa943dddc87fed5c4");
            assertThat(catalog.count("select count(*) from model_version")).isEqualTo(3);
            assertThat(catalog.strings("select a.uri from lineage_edge e join artifact a on a.id = e.from_id join run r on r.id = e.to_id "
                    + "where e.kind = 'CONSUMED' and r.name = 'ChurnScoreFlow/1796479761339103/start/1'"))
                    .containsExactly("metaflow://ChurnTrainFlow/1796479757975798/train/3/model");
            Map<String, Long> before = catalog.rowCounts();
            assertThat(catalog.poll("mf-s3").ok()).isTrue();
            assertThat(catalog.rowCounts()).isEqualTo(before);
        }
    }

    @Test
    void aDamagedObjectIsNamedByItsS3UriAndTheOtherRunsAreWritten() {
        try (TestingCatalog catalog = catalog("ml-lake-damaged", SECRET)) {
            PollOutcome outcome = catalog.poll("mf-s3");
            assertThat(outcome.ok()).isTrue();
            assertThat(outcome.problems()).singleElement().asString().contains("s3://ml-lake-damaged/metaflow/" + DAMAGED)
                    .contains("not readable JSON");
            assertThat(catalog.strings("select name from run where parent_id is null")).hasSize(4)
                    .doesNotContain("ChurnTrainFlow/1796479757975798");
        }
    }

    @Test
    void wrongCredentialsFailThePollNamingTheBucketAndWriteNothing() {
        try (TestingCatalog catalog = catalog("not-the-secret")) {
            Map<String, Long> before = catalog.rowCounts();
            PollOutcome outcome = catalog.poll("mf-s3");
            assertThat(outcome.ok()).isFalse();
            assertThat(outcome.error()).contains("s3://ml-lake/metaflow").contains("access denied");
            assertThat(catalog.rowCounts()).isEqualTo(before);
        }
    }
}
