package io.mlcatalog.server.intake;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BodyCodecTest {

    @Test
    void aBatchIsStoredCompressedAndReadBackAsReceived() {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            batch.append(i > 0 ? "," : "").append("{\"eventType\": \"COMPLETE\", \"run\": {\"runId\": \"").append(i)
                    .append("\"}, \"job\": {\"namespace\": \"team\", \"name\": \"caf\u00e9-").append(i % 7).append("\"}}");
        }
        byte[] body = batch.append("]").toString().getBytes(StandardCharsets.UTF_8);

        BodyCodec.Encoded stored = BodyCodec.encode(body);

        assertThat(stored.encoding()).isEqualTo("lz4");
        assertThat(stored.bytes().length).isLessThan(body.length / 4);
        assertThat(BodyCodec.decode(stored.encoding(), stored.bytes(), body.length)).isEqualTo(body);
    }

    @Test
    void smallAndIncompressibleBodiesAreStoredAsTheyAre() {
        byte[] small = "{\"eventType\": \"START\"}".getBytes(StandardCharsets.UTF_8);
        byte[] noise = new byte[64 * 1024];
        new Random(7).nextBytes(noise);

        for (byte[] body : new byte[][]{small, noise, new byte[0]}) {
            BodyCodec.Encoded stored = BodyCodec.encode(body);
            assertThat(stored.encoding()).isNull();
            assertThat(stored.bytes()).isSameAs(body);
            assertThat(BodyCodec.decode(null, stored.bytes(), body.length)).isEqualTo(body);
        }
        // rows stored before bodies were compressed have no length beside them
        assertThat(BodyCodec.decode(null, small, null)).isEqualTo(small);
    }

    @Test
    void aDamagedOrMislabelledBodyIsRefusedNotMisread() {
        byte[] body = "{\"a\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}".repeat(20)
                .getBytes(StandardCharsets.UTF_8);
        BodyCodec.Encoded stored = BodyCodec.encode(body);
        byte[] cut = java.util.Arrays.copyOf(stored.bytes(), stored.bytes().length - 3);

        assertThatThrownBy(() -> BodyCodec.decode("lz4", cut, body.length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LZ4 body");
        assertThatThrownBy(() -> BodyCodec.decode("lz4", stored.bytes(), body.length + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LZ4 body");
        assertThatThrownBy(() -> BodyCodec.decode("lz4", stored.bytes(), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BodyCodec.decode("zstd", stored.bytes(), body.length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown body encoding 'zstd'");
        assertThatThrownBy(() -> BodyCodec.decode(null, body, body.length - 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
