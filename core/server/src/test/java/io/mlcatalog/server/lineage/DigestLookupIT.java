package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** artifact(digest:) and artifacts(filter: {digest}): everything recorded for one content hash, whatever URI it was stored under. */
class DigestLookupIT {
    private static final String DIGEST = "sha256:" + "5e".repeat(32);
    private static final String LIST = """
            query($digest: String!) { artifacts(filter: {digest: $digest}, first: 100) {
              totalCount edges { node { uri digest namespace producedBy { name } consumedBy { edges { node { name } } } } } } }""";

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        GraphWrites writes = new GraphWrites(catalog);
        Instant t = Instant.parse("2026-03-01T00:00:00Z");
        // one file, copied from the lake to a bucket of another team and to a laptop, each copy recorded by someone else
        writes.upsertRun(Map.of("namespace", "dig", "name", "export", "status", "SUCCEEDED", "startedAt", t.toString(),
                "endedAt", t.plusSeconds(60).toString(),
                "outputs", List.of(Map.of("namespace", "dig", "uri", "s3://lake/export/part-0.parquet", "digest", DIGEST,
                        "createdAt", t.plusSeconds(60).toString()))));
        writes.upsertRun(Map.of("namespace", "dig-b", "name", "copy", "status", "SUCCEEDED", "startedAt", t.plusSeconds(3600).toString(),
                "endedAt", t.plusSeconds(3660).toString(),
                "inputs", List.of(Map.of("namespace", "dig", "uri", "s3://lake/export/part-0.parquet", "digest", DIGEST)),
                "outputs", List.of(Map.of("namespace", "dig-b", "uri", "gs://team-b/copy.parquet", "digest", DIGEST.toUpperCase(),
                        "createdAt", t.plusSeconds(3660).toString()))));
        catalog.graphql("""
                mutation($digest: String!) { logArtifact(input: {namespace: "dig", uri: "file:///home/ana/copy.parquet", digest: $digest,
                  createdAt: "2026-03-02T00:00:00Z"}) { id } }""", Map.of("digest", DIGEST)).ok();
        // the same URI with other content is another artifact, not a match
        catalog.graphql("""
                mutation { logArtifact(input: {namespace: "dig", uri: "s3://lake/export/part-0.parquet", digest: "sha256:%s"}) { id } }"""
                .formatted("00".repeat(32))).ok();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void everyCopyOfTheContentIsFoundWhateverItsUriOrNamespace() {
        JsonNode list = catalog.graphql(LIST, Map.of("digest", DIGEST)).ok().path("artifacts");

        List<String> uris = new ArrayList<>();
        list.path("edges").forEach(e -> uris.add(e.path("node").path("uri").asText()));
        // newest first
        assertThat(uris).containsExactly("file:///home/ana/copy.parquet", "gs://team-b/copy.parquet", "s3://lake/export/part-0.parquet");
        assertThat(list.path("totalCount").asInt()).isEqualTo(3);
        list.path("edges").forEach(e -> assertThat(e.path("node").path("digest").asText()).isEqualTo(DIGEST));
        JsonNode lake = list.path("edges").path(2).path("node");
        assertThat(lake.path("producedBy").path(0).path("name").asText()).isEqualTo("export");
        assertThat(lake.path("consumedBy").path("edges").path(0).path("node").path("name").asText()).isEqualTo("copy");
        assertThat(list.path("edges").path(1).path("node").path("namespace").asText()).isEqualTo("dig-b");
    }

    @Test
    void aDigestIsMatchedWhateverCaseOrQuotingItArrivesIn() {
        String shouted = "SHA256:" + "5E".repeat(32);
        assertThat(catalog.graphql(LIST, Map.of("digest", shouted)).ok().path("artifacts").path("totalCount").asInt()).isEqualTo(3);
        assertThat(catalog.graphql(LIST, Map.of("digest", "  " + DIGEST + " ")).ok().path("artifacts").path("totalCount").asInt()).isEqualTo(3);
    }

    @Test
    void artifactByDigestIsTheNewestCopy() {
        JsonNode found = catalog.graphql("query($d: String!) { artifact(digest: $d) { uri digest } }", Map.of("d", DIGEST)).ok().path("artifact");
        assertThat(found.path("uri").asText()).isEqualTo("file:///home/ana/copy.parquet");

        JsonNode byBoth = catalog.graphql("query($d: String!) { artifact(uri: \"s3://lake/export/part-0.parquet\", digest: $d) { uri digest } }",
                Map.of("d", DIGEST)).ok().path("artifact");
        assertThat(byBoth.path("digest").asText()).isEqualTo(DIGEST);
    }

    @Test
    void anUnknownDigestFindsNothingAndAMalformedOneIsRefused() {
        String unknown = "sha256:" + "77".repeat(32);
        assertThat(catalog.graphql(LIST, Map.of("digest", unknown)).ok().path("artifacts").path("totalCount").asInt()).isZero();
        assertThat(catalog.graphql("query($d: String!) { artifact(digest: $d) { uri } }", Map.of("d", unknown)).ok().path("artifact").isNull())
                .isTrue();

        Result bad = catalog.graphql(LIST, Map.of("digest", "sha256:abc"));
        assertThat(bad.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(bad.errorField()).isEqualTo("filter.digest");
        Result badOne = catalog.graphql("query { artifact(digest: \"nonsense\") { uri } }");
        assertThat(badOne.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(badOne.errorField()).isEqualTo("digest");
    }
}
