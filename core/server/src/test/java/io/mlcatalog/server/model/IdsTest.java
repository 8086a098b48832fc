package io.mlcatalog.server.model;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    /** Ids are stored: the digest reused per thread must give exactly the ids {@link UUID#nameUUIDFromBytes} gave. */
    @Test
    void nameUuidIsTheJdksNameUuid() {
        Random random = new Random(16);
        for (int n = 0; n < 2_000; n++) {
            byte[] name = new byte[random.nextInt(300)];
            random.nextBytes(name);
            assertThat(Ids.nameUuid(name)).isEqualTo(UUID.nameUUIDFromBytes(name));
        }
        assertThat(Ids.nameUuid(new byte[0])).isEqualTo(UUID.nameUUIDFromBytes(new byte[0]));
    }

    @Test
    void idsOfNaturalKeysAreThoseOfTheJdksNameUuid() {
        assertThat(Ids.run("ns", "train", "ext-1"))
                .isEqualTo(UUID.nameUUIDFromBytes("run\0ns\0train\0ext-1".getBytes(StandardCharsets.UTF_8)));
        assertThat(Ids.artifact("s3://b/k", null))
                .isEqualTo(UUID.nameUUIDFromBytes("artifact\0s3://b/k\0".getBytes(StandardCharsets.UTF_8)));
        // asked twice on one thread: the reused digest starts afresh each time
        assertThat(Ids.job("ns", "é")).isEqualTo(Ids.job("ns", "é"))
                .isEqualTo(UUID.nameUUIDFromBytes("job\0ns\0é".getBytes(StandardCharsets.UTF_8)));
    }
}
