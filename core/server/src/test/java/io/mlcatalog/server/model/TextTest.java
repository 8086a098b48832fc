package io.mlcatalog.server.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextTest {

    @Test
    void aNameIsStripped() {
        assertThat(Text.name("input.name", "  train  ", 10)).isEqualTo("train");
    }

    @Test
    void aMissingOrBlankNameIsRefusedWithItsField() {
        assertRefused(() -> Text.name("input.name", null, 10), "input.name", "required");
        assertRefused(() -> Text.name("input.name", " \t ", 10), "input.name", "blank");
    }

    @Test
    void anOptionalNameMayBeAbsentOrBlank() {
        assertThat(Text.optionalName("input.user", null, 10)).isNull();
        assertThat(Text.optionalName("input.user", "   ", 10)).isNull();
        assertThat(Text.optionalName("input.user", " ada ", 10)).isEqualTo("ada");
    }

    @Test
    void controlCharactersInANameAreRefusedWithTheirPosition() {
        assertRefused(() -> Text.name("input.namespace", "team\u0001a", 100), "input.namespace", "U+0001", "position 4");
        assertRefused(() -> Text.name("input.namespace", "team\u0000", 100), "input.namespace", "U+0000");
        assertRefused(() -> Text.name("input.namespace", "a\nb", 100), "input.namespace", "U+000A");
        assertRefused(() -> Text.name("input.namespace", "a\u007Fb", 100), "input.namespace", "U+007F");
        assertRefused(() -> Text.name("input.namespace", "a\u0085b", 100), "input.namespace", "U+0085");
    }

    @Test
    void unicodeNamesAreKeptExactly() {
        for (String name : new String[] {"训练", "🚀 launch", "مرحبا\u200F", "ñandú", "a\u200Db", "👩‍👩‍👧"}) {
            assertThat(Text.name("input.name", name, 512)).isEqualTo(name);
        }
    }

    @Test
    void theLengthLimitCountsUtf8Bytes() {
        assertThat(Text.name("input.name", "é".repeat(5), 10)).hasSize(5); // 10 bytes
        assertRefused(() -> Text.name("input.name", "é".repeat(5) + "a", 10), "input.name", "at most 10 bytes", "got 11");
        assertThat(Text.name("input.name", "🚀".repeat(2), 8)).isEqualTo("🚀🚀"); // 4 UTF-16 units, 8 bytes
        assertRefused(() -> Text.name("input.name", "🚀".repeat(3), 8), "input.name", "got 12");
        assertRefused(() -> Text.name("input.name", "n".repeat(100 * 1024), 512), "input.name", "too long");
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        assertRefused(() -> Text.name("input.name", "a\uD83Db", 100), "input.name", "not valid Unicode", "position 1");
        assertRefused(() -> Text.name("input.name", "a\uDE80", 100), "input.name", "not valid Unicode");
        assertRefused(() -> Text.name("input.name", "ab\uD83D", 100), "input.name", "not valid Unicode");
        assertRefused(() -> Text.freeText("input.description", "x\uD83D", 100), "input.description", "not valid Unicode");
        assertRefused(() -> Text.jsonString("input.params.k", "x\uDE80"), "input.params.k", "not valid Unicode");
    }

    @Test
    void freeTextKeepsLineBreaksAndTabsButNoOtherControls() {
        assertThat(Text.freeText("input.message", "line one\r\n\tline two", 100)).isEqualTo("line one\r\n\tline two");
        assertThat(Text.freeText("input.message", null)).isNull();
        assertRefused(() -> Text.freeText("input.message", "bell\u0007", 100), "input.message", "U+0007");
        assertRefused(() -> Text.freeText("input.message", "x".repeat(101), 100), "input.message", "at most 100 bytes");
    }

    @Test
    void jsonStringsMayHoldAnythingButNul() {
        Text.jsonString("input.params.k", "tab\tbell\u0007 🚀");
        assertRefused(() -> Text.jsonString("input.params.k", "a\u0000"), "input.params.k", "NUL");
    }

    @Test
    void anExcerptIsShortAndPrintable() {
        assertThat(Text.excerpt(null)).isEqualTo("null");
        assertThat(Text.excerpt("a\u0000b\u0001")).isEqualTo("a?b?");
        assertThat(Text.excerpt("x".repeat(100))).isEqualTo("x".repeat(60) + "…");
        assertThat(Text.excerpt("x".repeat(60))).isEqualTo("x".repeat(60));
    }

    /** An excerpt goes into an error message as JSON: half an emoji would make it invalid Unicode there. */
    @Test
    void anExcerptNeverCutsACharacterInHalf() {
        String excerpt = Text.excerpt("x".repeat(59) + "🚀".repeat(10));
        assertThat(excerpt).startsWith("x".repeat(59)).endsWith("…");
        // codePoints() joins pairs and yields a lone surrogate as itself
        assertThat(excerpt.codePoints().filter(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)).isEmpty();
    }

    private static void assertRefused(Runnable check, String field, String... mentioned) {
        assertThatThrownBy(check::run)
                .isInstanceOfSatisfying(CatalogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(mentioned);
                });
    }
}
