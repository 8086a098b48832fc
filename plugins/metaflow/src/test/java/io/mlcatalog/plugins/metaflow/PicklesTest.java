package io.mlcatalog.plugins.metaflow;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Scalars out of pickles, as Python 3.11's pickle.dumps(value, protocol=4) writes them (bytes taken from Python). */
class PicklesTest {
    private static Object value(String hex) {
        return Pickles.scalar(HexFormat.of().parseHex(hex)).orElseThrow().value();
    }

    @Test
    void stringsNumbersBooleansAndNone() {
        // pickle.dumps('0.1,0.05', 4)
        assertThat(value("8004950c000000000000008c08302e312c302e3035942e")).isEqualTo("0.1,0.05");
        // pickle.dumps(0.83, 4)
        assertThat(value("8004950a00000000000000473fea8f5c28f5c28f2e")).isEqualTo(0.83);
        assertThat(value("8004882e")).isEqualTo(true);
        assertThat(value("8004892e")).isEqualTo(false);
        assertThat(value("80044e2e")).isNull();
        // 7, 300, 70000, -2 and 2**40
        assertThat(value("80044b072e")).isEqualTo(7L);
        assertThat(value("80049504000000000000004d2c012e")).isEqualTo(300L);
        assertThat(value("80049506000000000000004a701101002e")).isEqualTo(70000L);
        assertThat(value("80049506000000000000004afeffffff2e")).isEqualTo(-2L);
        assertThat(value("80049509000000000000008a060000000000012e")).isEqualTo(1L << 40);
    }

    @Test
    void containersAndObjectsAreNotRead() {
        // pickle.dumps({'a': 1}, 4) and pickle.dumps([1, 2], 4)
        assertThat(Pickles.scalar(HexFormat.of().parseHex("8004950a000000000000007d948c0161944b01732e"))).isEmpty();
        assertThat(Pickles.scalar(HexFormat.of().parseHex("80049509000000000000005d94284b014b02652e"))).isEmpty();
        assertThat(Pickles.scalar(new byte[] {1, 2, 3})).isEmpty();
        assertThat(Pickles.scalar(new byte[0])).isEmpty();
    }
}
