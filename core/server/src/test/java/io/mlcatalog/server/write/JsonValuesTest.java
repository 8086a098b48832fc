package io.mlcatalog.server.write;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.ErrorCode;
import io.mlcatalog.server.model.JsonNumbers;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonValuesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void equalNumbersHaveOneForm() {
        List<Object> ones = List.of(1, 1L, 1.0, 1.0f, (short) 1, (byte) 1, new BigDecimal("1"), new BigDecimal("1.000"),
                new BigDecimal("0.1e1"), BigInteger.ONE);
        for (Object one : ones) {
            assertThat(value(one)).as(one + " (" + one.getClass().getSimpleName() + ")").isEqualTo(1L);
        }
        assertThat(value(-0.0)).isEqualTo(0L);
        assertThat(value(2.5)).isEqualTo(2.5);
        assertThat(value(new BigDecimal("2.5"))).isEqualTo(2.5);
    }

    @Test
    void largeWholeNumbersHaveOneFormToo() {
        assertThat(value(1e15)).isEqualTo(value(1_000_000_000_000_000L)).isEqualTo(value(new BigDecimal("1e15")));
        assertThat(value(2.5e15)).isEqualTo(2_500_000_000_000_000L);
        assertThat(value(4e18)).isEqualTo(4_000_000_000_000_000_000L);
        assertThat(value(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(value(1e20)).isEqualTo(value(new BigInteger("100000000000000000000"))).isEqualTo(1e20);
    }

    @Test
    void aDoubleEqualsWhatTheDatabaseReturnsForItsJsonText() throws Exception {
        // the database stores the decimal a JSON writer prints for the double, and returns it as an integer
        for (double d : new double[] {1e15, 2.5e15, 0x1p53 + 2, 0x1p60, 4e18, 9.2e18, -7e17, 1e20, 123.25}) {
            Number fromDatabase = JsonNumbers.normalize(new BigDecimal(JSON.writeValueAsString(d)));
            assertThat(value(d)).as(Double.toString(d)).isEqualTo(fromDatabase);
        }
    }

    @Test
    void aDocumentAlreadyInNormalFormIsTakenAsItIsAndAnyOtherIsCopiedInOrder() {
        Map<String, Object> normal = new java.util.LinkedHashMap<>();
        normal.put("s", "text");
        normal.put("n", 7L);
        normal.put("list", new ArrayList<>(List.of(2.5, "x", true)));
        normal.put("none", null);
        assertThat(JsonValues.object("facets", normal, JsonValues.MAX_FACET_ELEMENTS)).isSameAs(normal);

        Map<String, Object> mixed = new java.util.LinkedHashMap<>();
        mixed.put("first", "a");
        mixed.put("second", List.of("b", 3));
        mixed.put("third", 4.0);
        mixed.put("fourth", "d");
        Map<String, Object> out = JsonValues.object("facets", mixed, JsonValues.MAX_FACET_ELEMENTS);
        assertThat(out).isNotSameAs(mixed).isEqualTo(Map.of("first", "a", "second", List.of("b", 3L), "third", 4L, "fourth", "d"));
        assertThat(new ArrayList<>(out.keySet())).containsExactly("first", "second", "third", "fourth");
        assertThat(mixed.get("second")).isEqualTo(List.of("b", 3)); // what the caller gave is left as it was
    }

    @Test
    void nestedValuesAreNormalizedToo() {
        Map<String, Object> in = Map.of("list", List.of(1.0, Map.of("x", 2.0f)), "map", Map.of("y", new BigDecimal("3")));

        Map<String, Object> out = JsonValues.object("params", in);

        assertThat(out).isEqualTo(Map.of("list", List.of(1L, Map.of("x", 2L)), "map", Map.of("y", 3L)));
    }

    @Test
    void nonFiniteNumbersAreRefusedWithTheirPath() {
        for (Object n : List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.NaN)) {
            assertRefused(Map.of("a", Map.of("b", n)), "params.a.b");
        }
        assertRefused(Map.of("xs", List.of(1, Double.NaN)), "params.xs[1]");
    }

    @Test
    void aNulCharacterIsRefusedInValuesAndKeys() {
        assertRefused(Map.of("a", "x\u0000y"), "params.a");
        assertRefused(Map.of("a\u0000", "x"), "params");
        assertRefused(Map.of("a", List.of("ok", "\u0000")), "params.a[1]");
    }

    @Test
    void anUnpairedSurrogateIsRefused() {
        assertRefused(Map.of("a", "x\uD800"), "params.a");
        assertThat(JsonValues.object("params", Map.of("a", "\uD83D\uDE00"))).containsEntry("a", "\uD83D\uDE00");
    }

    @Test
    void onlyAnObjectIsAccepted() {
        assertThat(JsonValues.object("params", null)).isNull();
        for (Object notAnObject : List.of(List.of(1), "text", 1, true)) {
            assertRefused(notAnObject, "params");
        }
        assertRefused(Map.of("a", new Object()), "params.a");
    }

    @Test
    void depthAndSizeAreBounded() {
        Object allowed = 1L;
        for (int i = 0; i < JsonValues.MAX_DEPTH; i++) {
            allowed = Map.of("d", allowed);
        }
        assertThat(JsonValues.object("params", allowed)).isEqualTo(allowed);
        assertRefused(Map.of("d", allowed), "params" + ".d".repeat(JsonValues.MAX_DEPTH + 1));

        List<Object> big = new ArrayList<>();
        for (int i = 0; i < JsonValues.MAX_ELEMENTS; i++) {
            big.add(i);
        }
        assertRefused(Map.of("big", big), "params.big[9998]");
    }

    @Test
    void nullsAndBooleansAndStringsStayAsTheyAre() {
        Map<String, Object> in = new HashMap<>();
        in.put("n", null);
        in.put("b", true);
        in.put("s", "caf\u00e9 \uD83D\uDE00");

        assertThat(JsonValues.object("params", in)).isEqualTo(in);
    }

    private static Object value(Object n) {
        return JsonValues.object("params", Map.of("v", n)).get("v");
    }

    private static void assertRefused(Object value, String field) {
        assertThatThrownBy(() -> JsonValues.object("params", value)).isInstanceOfSatisfying(CatalogException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
            assertThat(e.field()).isEqualTo(field);
        });
    }
}
