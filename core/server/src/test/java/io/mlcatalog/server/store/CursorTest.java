package io.mlcatalog.server.store;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.ErrorCode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorTest {
    @Test
    void aCursorSurvivesTheRoundTrip() {
        for (String time : List.of("2026-03-01T10:00:00.123456Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z",
                "1900-01-01T00:00:00Z", "9999-12-30T23:59:59.999999Z")) {
            Cursor c = new Cursor(OffsetDateTime.parse(time), UUID.randomUUID());

            assertThat(Cursor.decode(c.encode(), "after")).as(time).isEqualTo(c);
        }
    }

    @Test
    void anInstantWithAnOffsetComesBackAsTheSameInstantInUtc() {
        Cursor c = new Cursor(OffsetDateTime.parse("2026-03-01T12:00:00.5+02:00"), UUID.randomUUID());

        Cursor back = Cursor.decode(c.encode(), "after");

        assertThat(back.at().toInstant()).isEqualTo(c.at().toInstant());
        assertThat(back.id()).isEqualTo(c.id());
    }

    @Test
    void anEncodedCursorIsSafeInAUrl() {
        String encoded = new Cursor(OffsetDateTime.parse("2026-03-01T10:00:00.123456Z"), UUID.randomUUID()).encode();

        assertThat(encoded).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void noCursorIsNoCursor() {
        assertThat(Cursor.decode(null, "after")).isNull();
    }

    @Test
    void garbageIsRefusedWithTheField() {
        List<String> garbage = List.of("garbage!", "", "====", b64("no slash"), b64("123/not-a-uuid"), b64("abc/" + UUID.randomUUID()),
                b64("/" + UUID.randomUUID()), b64("99999999999999999999/" + UUID.randomUUID()), "%%%");
        for (String text : garbage) {
            assertThatThrownBy(() -> Cursor.decode(text, "after")).as(text).isInstanceOfSatisfying(CatalogException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
                assertThat(e.field()).isEqualTo("after");
            });
        }
    }

    private static String b64(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }
}
