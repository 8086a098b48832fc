package io.mlcatalog.plugins.s3;

import io.mlcatalog.testkit.SourceHarness;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings as start-up checks them, and what a listing of versions means, without a server. */
class S3SourceTest {
    private static final Instant T1 = Instant.parse("2025-01-01T00:00:01Z");
    private static final Instant T2 = Instant.parse("2025-01-01T00:00:02Z");
    private static final Instant T3 = Instant.parse("2025-01-01T00:00:03Z");

    @Test
    void settingsAreCheckedAsStartUpChecksThem() {
        assertThatThrownBy(() -> SourceHarness.builder(new S3SourceFactory()).setting("buckets", "b").setting("accessKeyId", "k").build())
                .hasMessageContaining("secretAccessKey");
        assertThatThrownBy(() -> SourceHarness.builder(new S3SourceFactory()).setting("buckets", "b/models").build())
                .hasMessageContaining("buckets");
        assertThatThrownBy(() -> SourceHarness.builder(new S3SourceFactory()).setting("buckets", "b").setting("endpoint", "minio:9000").build())
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> SourceHarness.builder(new S3SourceFactory()).setting("buckets", "b")
                .setting("prefixes", List.of("a/", "a/b/")).build()).hasMessageContaining("prefixes");
        // nothing is contacted at creation: a store that is down must not stop the catalog from starting
        SourceHarness.builder(new S3SourceFactory()).setting("buckets", "b").setting("endpoint", "http://127.0.0.1:1").build();
    }

    @Test
    void theFirstPassEmitsEveryVersionEachGoneWhenTheNextEntryOfItsKeyWasWritten() {
        VersionWalk walk = new VersionWalk(null, null, null);
        // listing order: by key, newest first
        walk.deleteMarker("a", T3);
        assertThat(walk.version("a", T2)).isEqualTo(new VersionWalk.Decision(true, T3));
        assertThat(walk.version("a", T1)).isEqualTo(new VersionWalk.Decision(true, T2));
        assertThat(walk.version("b", T1)).isEqualTo(new VersionWalk.Decision(true, null));
    }

    @Test
    void aLaterPassEmitsOnlyNewVersionsAndThoseThatBecameNoncurrent() {
        VersionWalk walk = new VersionWalk(T2, null, null);
        assertThat(walk.version("a", T3)).isEqualTo(new VersionWalk.Decision(true, null));
        assertThat(walk.version("a", T1)).as("noncurrent since T3").isEqualTo(new VersionWalk.Decision(true, T3));
        assertThat(walk.version("b", T1)).as("unchanged").isEqualTo(VersionWalk.Decision.SKIP);
        VersionWalk resumed = new VersionWalk(T2, "a", T3);
        assertThat(resumed.version("a", T1)).as("a pass resumed within a key remembers the newer entry")
                .isEqualTo(new VersionWalk.Decision(true, T3));
    }

    @Test
    void objectUrisKeepKeysReadableAndEncodeWhatAUriCannotHold() {
        assertThat(S3Source.uri("b", "models/fraud v2/model.onnx")).isEqualTo("s3://b/models/fraud%20v2/model.onnx");
        assertThat(S3Source.uri("b", "a%b?c")).isEqualTo("s3://b/a%25b%3Fc");
    }
}
