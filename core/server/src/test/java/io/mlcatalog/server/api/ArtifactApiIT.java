package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Artifacts as a client sees them: identity by URI and content digest, lookups, filters, and who asserted them. */
class ArtifactApiIT {
    private static final String LOG = """
            mutation($input: ArtifactInput!) { logArtifact(input: $input) {
              id namespace name uri digest sizeBytes mediaType kind createdAt } }""";
    private static final String LIST = """
            query($filter: ArtifactFilter) { artifacts(filter: $filter, first: 100) { totalCount edges { node { uri digest name } } } }""";

    private static final String HEX = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void loggingTheSameArtifactTwiceReturnsItAndChangesNothing() {
        Map<String, Object> input = Map.of("namespace", "art-twice", "uri", "s3://data/twice/train.parquet",
                "digest", "sha256:" + HEX.toLowerCase(), "sizeBytes", 1234, "mediaType", "application/parquet", "kind", "DATASET");
        String id = log(input).path("id").asText();
        Map<String, Long> before = catalog.rowCounts();

        JsonNode again = log(input);

        assertThat(again.path("id").asText()).isEqualTo(id);
        assertThat(again.path("sizeBytes").asLong()).isEqualTo(1234);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void anUpperCaseHexDigestIsTheSameAsItsLowerCaseForm() {
        JsonNode upper = log(Map.of("namespace", "art-digest", "uri", "s3://data/digest/a.csv", "digest", "sha256:" + HEX));
        Map<String, Long> before = catalog.rowCounts();
        JsonNode lower = log(Map.of("namespace", "art-digest", "uri", "s3://data/digest/a.csv", "digest", "sha256:" + HEX.toLowerCase()));

        assertThat(lower.path("id").asText()).isEqualTo(upper.path("id").asText());
        assertThat(upper.path("digest").asText()).isEqualTo("sha256:" + HEX.toLowerCase());
        assertThat(catalog.rowCounts()).isEqualTo(before);
        JsonNode found = catalog.graphql("query($d: String!) { artifact(digest: $d) { id } }", Map.of("d", "sha256:" + HEX)).ok();
        assertThat(found.path("artifact").path("id").asText()).isEqualTo(upper.path("id").asText());
    }

    @Test
    void theSameUriWithNewContentIsANewArtifactAndBothAreKept() {
        String uri = "s3://data/versions/train.parquet";
        JsonNode v1 = log(Map.of("namespace", "art-versions", "uri", uri, "digest", "etag:\"aaa111\"", "createdAt", "2026-01-01T00:00:00Z"));
        JsonNode v2 = log(Map.of("namespace", "art-versions", "uri", uri, "digest", "etag:bbb222", "createdAt", "2026-01-02T00:00:00Z"));

        assertThat(v2.path("id").asText()).isNotEqualTo(v1.path("id").asText());
        assertThat(v1.path("digest").asText()).isEqualTo("etag:aaa111");
        assertThat(uris(Map.of("uriPrefix", uri))).hasSize(2);
        JsonNode newest = catalog.graphql("query($u: String!) { artifact(uri: $u) { id digest } }", Map.of("u", uri)).ok();
        assertThat(newest.path("artifact").path("digest").asText()).isEqualTo("etag:bbb222");
        JsonNode byDigest = catalog.graphql("query($d: String!) { artifact(digest: $d) { id } }", Map.of("d", "etag:aaa111")).ok();
        assertThat(byDigest.path("artifact").path("id").asText()).isEqualTo(v1.path("id").asText());
        JsonNode both = catalog.graphql("query($u: String!, $d: String!) { artifact(uri: $u, digest: $d) { id } }",
                Map.of("u", uri, "d", "etag:aaa111")).ok();
        assertThat(both.path("artifact").path("id").asText()).isEqualTo(v1.path("id").asText());
    }

    @Test
    void anUnknownDigestOrUriFindsNothing() {
        JsonNode found = catalog.graphql("""
                { byDigest: artifact(digest: "md5:ffffffffffffffffffffffffffffffff") { id }
                  byUri: artifact(uri: "s3://nowhere/x") { id } }""").ok();
        assertThat(found.path("byDigest").isNull()).isTrue();
        assertThat(found.path("byUri").isNull()).isTrue();
    }

    @Test
    void aMalformedDigestIsRefusedWithItsField() {
        Map<String, Long> before = catalog.rowCounts();
        Result r = catalog.graphql(LOG, Map.of("input", Map.of("namespace", "art-bad", "uri", "s3://x/y", "digest", "sha256:abc")));

        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(r.errorField()).isEqualTo("input.digest");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void artifactsFilterByEachField() {
        log(Map.of("namespace", "art-filter", "uri", "s3://filter/data/train.parquet", "kind", "DATASET", "digest", "md5:" + "ab".repeat(16)));
        log(Map.of("namespace", "art-filter", "uri", "s3://filter/data/test.parquet", "kind", "DATASET"));
        log(Map.of("namespace", "art-filter", "uri", "s3://filter/models/model.pkl", "kind", "MODEL", "name", "Churn_Model"));
        log(Map.of("namespace", "art-filter-other", "uri", "s3://filter/other/notes.txt"));

        assertThat(uris(Map.of("namespace", "art-filter"))).containsExactlyInAnyOrder(
                "s3://filter/data/train.parquet", "s3://filter/data/test.parquet", "s3://filter/models/model.pkl");
        assertThat(uris(Map.of("uriPrefix", "s3://filter/data/"))).containsExactlyInAnyOrder(
                "s3://filter/data/train.parquet", "s3://filter/data/test.parquet");
        assertThat(uris(Map.of("uriPrefix", "s3://filter/"))).hasSize(4);
        assertThat(uris(Map.of("namespace", "art-filter", "kind", "MODEL"))).containsExactly("s3://filter/models/model.pkl");
        assertThat(uris(Map.of("digest", "md5:" + "AB".repeat(16)))).containsExactly("s3://filter/data/train.parquet");
        assertThat(uris(Map.of("nameContains", "churn_m"))).containsExactly("s3://filter/models/model.pkl");
        assertThat(uris(Map.of("namespace", "art-filter", "nameContains", "T.PAR"))).containsExactly("s3://filter/data/test.parquet");
    }

    @Test
    void theNameDefaultsToTheLastSegmentOfTheUri() {
        assertThat(log(Map.of("namespace", "art-name", "uri", "s3://bucket/path/to/train.parquet")).path("name").asText())
                .isEqualTo("train.parquet");
        assertThat(log(Map.of("namespace", "art-name", "uri", "gs://bucket/dir/")).path("name").asText()).isEqualTo("dir");
        assertThat(log(Map.of("namespace", "art-name", "uri", "bigquery:project.dataset.table")).path("name").asText())
                .isEqualTo("project.dataset.table");
        assertThat(log(Map.of("namespace", "art-name", "uri", "s3://bucket/x.csv", "name", "explicit")).path("name").asText())
                .isEqualTo("explicit");
    }

    @Test
    void aLaterAssertionOnlyFillsInWhatWasUnknown() {
        Map<String, Object> first = Map.of("namespace", "art-fill", "uri", "s3://fill/a.bin", "digest", "md5:" + "2".repeat(32));
        log(first);
        JsonNode filled = log(Map.of("namespace", "art-fill", "uri", "s3://fill/a.bin", "digest", "md5:" + "2".repeat(32),
                "sizeBytes", 42, "kind", "MODEL"));
        JsonNode kept = log(Map.of("namespace", "art-fill", "uri", "s3://fill/a.bin", "digest", "md5:" + "2".repeat(32),
                "sizeBytes", 99, "kind", "DATASET"));

        assertThat(filled.path("sizeBytes").asLong()).isEqualTo(42);
        assertThat(filled.path("kind").asText()).isEqualTo("MODEL");
        assertThat(kept.path("sizeBytes").asLong()).isEqualTo(42);
        assertThat(kept.path("kind").asText()).isEqualTo("MODEL");
    }

    @Test
    void assertedByNamesTheApiClient() {
        String uri = "s3://asserted/a.csv";
        String id = log(Map.of("namespace", "art-asserted", "uri", uri)).path("id").asText();
        JsonNode plain = assertedBy(id);
        assertThat(plain.findValuesAsText("source")).containsExactly("api");

        Result named = catalog.post(body(LOG, Map.of("input", Map.of("namespace", "art-asserted", "uri", uri))), Map.of(
                "Content-Type", "application/json", "Accept", "application/graphql-response+json", "X-MLCatalog-Client", "nightly-etl"));
        named.ok();

        JsonNode both = assertedBy(id);
        assertThat(both.findValuesAsText("source")).containsExactlyInAnyOrder("api", "api:nightly-etl");
        for (JsonNode a : both) {
            assertThat(a.path("observedAt").asText()).isNotEmpty();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode log(Map<String, ?> input) {
        return catalog.graphql(LOG, Map.of("input", input)).ok().path("logArtifact");
    }

    private static List<String> uris(Map<String, ?> filter) {
        JsonNode artifacts = catalog.graphql(LIST, Map.of("filter", filter)).ok().path("artifacts");
        List<String> uris = artifacts.path("edges").findValuesAsText("uri");
        assertThat(artifacts.path("totalCount").asInt()).isEqualTo(uris.size());
        return uris;
    }

    private static JsonNode assertedBy(String id) {
        return catalog.graphql("query($id: ID!) { node(id: $id) { ... on Artifact { assertedBy { source externalId observedAt } } } }",
                Map.of("id", id)).ok().path("node").path("assertedBy");
    }

    private static String body(String query, Map<String, ?> variables) {
        ObjectNode body = TestCatalog.JSON.createObjectNode();
        body.put("query", query);
        body.set("variables", TestCatalog.JSON.valueToTree(new LinkedHashMap<>(variables)));
        return body.toString();
    }
}
