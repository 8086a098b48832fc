package io.mlcatalog.server.http;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BodyBytesTest {

    @Test
    void chunksAreJoinedInOrderIntoAnArrayOfTheExactSize() {
        IngestHandler.BodyBytes body = new IngestHandler.BodyBytes(10);

        assertThat(body.add(Buffer.buffer("abc"))).isTrue();
        assertThat(body.add(Buffer.buffer(""))).isTrue();
        assertThat(body.add(Buffer.buffer("defghij"))).isTrue();

        assertThat(body.tooLarge()).isFalse();
        assertThat(new String(body.bytes(), StandardCharsets.UTF_8)).isEqualTo("abcdefghij");
    }

    @Test
    void aBodyOverTheLimitIsRefusedFromTheByteThatPassesIt() {
        IngestHandler.BodyBytes body = new IngestHandler.BodyBytes(10);

        assertThat(body.add(Buffer.buffer("abcdefghij"))).isTrue();
        assertThat(body.add(Buffer.buffer("k"))).isFalse();

        assertThat(body.tooLarge()).isTrue();
    }

    @Test
    void anEmptyBodyIsAnEmptyArray() {
        assertThat(new IngestHandler.BodyBytes(10).bytes()).isEmpty();
    }
}
