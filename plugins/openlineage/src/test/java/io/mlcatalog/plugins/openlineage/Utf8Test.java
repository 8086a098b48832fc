package io.mlcatalog.plugins.openlineage;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The UTF-8 check says what the JDK's strict decoder says, on text and on every kind of broken sequence. */
class Utf8Test {
    @Test
    void wellFormedTextIsAccepted() {
        for (String s : new String[]{"", "plain ascii {\"a\": 1}", "café", "日本語", "\uD83D\uDE00 emoji", "\u0000", "\uFFFF\u0800\u07FF"}) {
            assertThat(Utf8.isWellFormed(s.getBytes(StandardCharsets.UTF_8))).as(s).isTrue();
        }
    }

    @Test
    void jsonTextHasNoNulByteWhileUtf8MayHaveOne() {
        byte[] utf16 = "{\"a\": 1}".getBytes(StandardCharsets.UTF_16LE);
        assertThat(Utf8.isWellFormed(utf16)).isTrue();
        assertThat(Utf8.checkJsonText(utf16)).isEqualTo(Utf8.Check.NUL);
        assertThat(Utf8.checkJsonText("{\"caf\u00e9\": \"\\u0000\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo(Utf8.Check.OK);
        assertThat(Utf8.checkJsonText(new byte[]{'{', (byte) 0xC3, '}'})).isEqualTo(Utf8.Check.NOT_UTF8);
    }

    @Test
    void brokenSequencesAreRefused() {
        int[][] broken = {
                {0x80}, {0xBF}, {0xC0, 0x80}, {0xC1, 0xBF}, {0xC3}, {0xC3, 0x28}, {0xE0, 0x80, 0x80}, {0xE0, 0x9F, 0xBF},
                {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xE2, 0x82}, {0xF0, 0x80, 0x80, 0x80}, {0xF0, 0x8F, 0xBF, 0xBF},
                {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xFF}, {0xF0, 0x9F, 0x98}};
        for (int[] seq : broken) {
            byte[] b = new byte[seq.length + 2];
            b[0] = 'a';
            for (int i = 0; i < seq.length; i++) {
                b[i + 1] = (byte) seq[i];
            }
            b[b.length - 1] = 'z';
            assertThat(Utf8.isWellFormed(b)).as(java.util.Arrays.toString(seq)).isFalse();
            assertThat(strictDecoderAccepts(b)).isFalse();
        }
    }

    @Test
    void randomBytesAreJudgedAsTheStrictDecoderJudgesThem() {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[1 + random.nextInt(12)];
            for (int i = 0; i < b.length; i++) {
                // mostly high bytes, where the rules are
                b[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(128) : 0x80 + random.nextInt(128));
            }
            assertThat(Utf8.isWellFormed(b)).as(java.util.Arrays.toString(b)).isEqualTo(strictDecoderAccepts(b));
        }
    }

    private static boolean strictDecoderAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
