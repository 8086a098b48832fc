package io.mlcatalog.server.model;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Instants are written as the pattern formatter wrote them before {@link Times#format} did it by hand. */
class TimesTest {
    private static final DateTimeFormatter PATTERN = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX");

    @Test
    void everyInstantIsWrittenInUtcWithSixFractionDigitsAsThePatternWritesIt() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long second = random.nextLong(OffsetDateTime.of(-5, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toEpochSecond(),
                    OffsetDateTime.of(12000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toEpochSecond());
            int nanos = random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000);
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(random.nextInt(3) == 0 ? 0 : random.nextInt(-18 * 3600, 18 * 3600) / 60 * 60);
            OffsetDateTime t = OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(second, nanos), offset);
            assertThat(Times.format(t)).as("%s", t).isEqualTo(PATTERN.format(t.withOffsetSameInstant(ZoneOffset.UTC)));
        }
    }

    @Test
    void theEdgesOfTheDayAndOfTheRangeAreWrittenInFull() {
        assertThat(Times.format(OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC))).isEqualTo("1900-01-01T00:00:00.000000Z");
        assertThat(Times.format(OffsetDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_999, ZoneOffset.ofHours(2))))
                .isEqualTo("9999-12-31T21:59:59.999999Z");
        assertThat(Times.format(OffsetDateTime.of(9999, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-2))))
                .isEqualTo("+10000-01-01T01:00:00.000000Z");
        assertThat(Times.format(OffsetDateTime.of(2026, 3, 5, 7, 8, 9, 12_000, ZoneOffset.UTC))).isEqualTo("2026-03-05T07:08:09.000012Z");
    }
}
