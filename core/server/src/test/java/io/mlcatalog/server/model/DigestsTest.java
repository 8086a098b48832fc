package io.mlcatalog.server.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DigestsTest {
    private static final String SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void hexDigestsOfEachAlgorithmAreAcceptedAndLowerCased() {
        assertThat(Digests.normalize("d", "sha256:" + SHA256.toUpperCase())).isEqualTo("sha256:" + SHA256);
        assertThat(Digests.normalize("d", "sha512:" + "Ab".repeat(64))).isEqualTo("sha512:" + "ab".repeat(64));
        assertThat(Digests.normalize("d", "sha1:" + "C0".repeat(20))).isEqualTo("sha1:" + "c0".repeat(20));
        assertThat(Digests.normalize("d", "md5:" + "F".repeat(32))).isEqualTo("md5:" + "f".repeat(32));
    }

    @Test
    void theAlgorithmNameIsReadInAnyCase() {
        assertThat(Digests.normalize("d", "SHA256:" + SHA256)).isEqualTo("sha256:" + SHA256);
        assertThat(Digests.normalize("d", "ETag:abc")).isEqualTo("etag:abc");
    }

    @Test
    void upperAndLowerCaseHexNameTheSameContent() {
        assertThat(Digests.normalize("d", "sha256:" + SHA256.toUpperCase())).isEqualTo(Digests.normalize("d", "sha256:" + SHA256));
    }

    @Test
    void opaqueDigestsAreKeptAsGiven() {
        assertThat(Digests.normalize("d", "etag:9b2cf535f27731c974343645a3985328")).isEqualTo("etag:9b2cf535f27731c974343645a3985328");
        assertThat(Digests.normalize("d", "etag:AbC-12")).isEqualTo("etag:AbC-12");
        assertThat(Digests.normalize("d", "s3-version:3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")).isEqualTo("s3-version:3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
        assertThat(Digests.normalize("d", "gcs-generation:1700000000000000")).isEqualTo("gcs-generation:1700000000000000");
        // MLflow's own digest of a dataset (8 hex digits of an MD5 for pandas data; any text from a custom dataset), kept as sent
        assertThat(Digests.normalize("d", "MLflow-Dataset:d7C5e1a2")).isEqualTo("mlflow-dataset:d7C5e1a2");
    }

    @Test
    void theQuotesOfAnHttpEtagAreNotPartOfIt() {
        assertThat(Digests.normalize("d", "etag:\"abc123\"")).isEqualTo("etag:abc123");
        assertThat(Digests.normalize("d", "etag:W/\"abc\"")).isEqualTo("etag:W/\"abc\"");
    }

    @Test
    void surroundingWhitespaceIsIgnoredAndBlankIsNone() {
        assertThat(Digests.normalize("d", "  md5:" + "a".repeat(32) + "\n")).isEqualTo("md5:" + "a".repeat(32));
        assertThat(Digests.normalize("d", null)).isNull();
        assertThat(Digests.normalize("d", "")).isNull();
        assertThat(Digests.normalize("d", "   ")).isNull();
    }

    @Test
    void malformedDigestsAreRefusedWithTheField() {
        List<String> refused = List.of(
                "sha256:" + SHA256.substring(1),           // too short
                "sha256:" + SHA256 + "0",                  // too long
                "sha1:" + SHA256,                          // length of another algorithm
                "md5:" + "g".repeat(32),                   // not hex
                "sha256:",                                 // no value
                "sha384:" + "a".repeat(96),                // unknown algorithm
                SHA256,                                    // no algorithm
                ":" + SHA256,
                "etag:",                                   // empty opaque value
                "etag:\"\"",                               // only quotes
                "etag:a b",                                // whitespace inside
                "etag:a\u0000b",                           // control character
                "etag:caf\u00e9",                          // non-ASCII
                "etag:" + "x".repeat(257),                 // too long
                "s3-version");
        for (String digest : refused) {
            assertThatThrownBy(() -> Digests.normalize("input.digest", digest)).as(digest)
                    .isInstanceOfSatisfying(CatalogException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
                        assertThat(e.field()).isEqualTo("input.digest");
                    });
        }
    }
}
