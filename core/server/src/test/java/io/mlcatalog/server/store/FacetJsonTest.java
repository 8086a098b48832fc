package io.mlcatalog.server.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A facet document is stored under the SHA-256 of its text: the encoder must write every document byte for byte as
 * {@link JsonObject#encode} did when the stored documents were written, or the same facet would be stored twice.
 */
class FacetJsonTest {

    private static void assertSameAsJackson(Map<String, Object> document) {
        assertThat(FacetJson.encode(document)).isEqualTo(new JsonObject(document).encode());
    }

    @Test
    void everyCharacterIsWrittenAsJacksonWritesIt() {
        for (int c = 0; c <= 0x3000; c++) {
            String s = "a" + (char) c + "b" + (char) c;
            Map<String, Object> document = new LinkedHashMap<>();
            document.put(s, s);
            assertSameAsJackson(document);
        }
        Map<String, Object> unicode = new LinkedHashMap<>();
        unicode.put("emoji", "\uD83D\uDE00 ok");
        unicode.put("lone surrogate", "x\uD800y");
        unicode.put("separators", "\u2028\u2029\uFEFF\uFFFF");
        unicode.put("quotes", "\"\\/\"\\");
        assertSameAsJackson(unicode);
    }

    @Test
    void numbersBooleansNullsAndNestingAreWrittenAsJacksonWritesThem() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("longs", List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 42L));
        document.put("ints", List.of(7, Integer.MIN_VALUE));
        document.put("doubles", List.of(0.1, -2.5, 1.0E-7, 1.2345678901234567E21, Double.MIN_VALUE, Double.MAX_VALUE, -0.0, 3.0));
        document.put("booleans", List.of(true, false));
        document.put("null", null);
        document.put("empty map", Map.of());
        document.put("empty list", List.of());
        List<Object> withNull = new ArrayList<>(Arrays.asList(1L, null, "x"));
        document.put("list with null", withNull);
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("_producer", "https://github.com/apache/airflow/tree/providers-openlineage/1.8.0");
        inner.put("_schemaURL", "https://openlineage.io/spec/facets/1-0-0/ParentRunFacet.json#/$defs/ParentRunFacet");
        inner.put("run", Map.of("runId", "01931f9a-3c7a-7d6e-9a3f-3e1b7d2f6a11"));
        inner.put("deeper", List.of(List.of(Map.of("k", List.of())), "tail"));
        document.put("parent", inner);
        assertSameAsJackson(document);
    }

    @Test
    void randomDocumentsAreWrittenAsJacksonWritesThem() {
        Random random = new Random(16);
        for (int n = 0; n < 500; n++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> document = (Map<String, Object>) randomValue(random, 0, true);
            assertSameAsJackson(document);
        }
    }

    /** The buffer each thread reuses: a document's text holds nothing of the one before, large or small. */
    @Test
    void eachDocumentIsWrittenAloneWhateverCameBefore() {
        Map<String, Object> large = new LinkedHashMap<>();
        large.put("text", "x".repeat(3 << 20));
        Map<String, Object> small = new LinkedHashMap<>();
        small.put("a", 1L);
        assertSameAsJackson(large);
        assertThat(FacetJson.encode(small)).isEqualTo("{\"a\":1}");
        assertSameAsJackson(large);
        Map<String, Object> notPlain = new LinkedHashMap<>();
        notPlain.put("decimal", new BigDecimal("2.50"));
        assertSameAsJackson(notPlain);
        assertThat(FacetJson.encode(small)).isEqualTo("{\"a\":1}");
    }

    @Test
    void valuesOutsideThePlainOnesAreLeftToJackson() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("decimal", new BigDecimal("1.50"));
        document.put("float", 1.5f);
        document.put("nan", Double.NaN);
        document.put("infinite", Double.NEGATIVE_INFINITY);
        document.put("instant", Instant.parse("2026-12-08T01:00:00Z"));
        document.put("object", new JsonObject().put("a", 1));
        document.put("array", new JsonArray().add("b"));
        document.put("bytes", new byte[]{1, 2, 3});
        Map<Object, Object> numberKeys = new LinkedHashMap<>();
        numberKeys.put(1, "one");
        document.put("number keys", numberKeys);
        for (var e : document.entrySet()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("before", "x");
            one.put(e.getKey(), e.getValue());
            assertSameAsJackson(one);
        }
    }

    private static Object randomValue(Random random, int depth, boolean object) {
        int kind = object ? 5 : random.nextInt(depth > 4 ? 5 : 7);
        switch (kind) {
            case 0:
                return null;
            case 1:
                return random.nextBoolean();
            case 2:
                return random.nextBoolean() ? (Object) random.nextLong() : (Object) (random.nextInt(2_000_000) - 1_000_000L);
            case 3:
                double d = random.nextBoolean() ? random.nextDouble() * Math.pow(10, random.nextInt(40) - 20) : random.nextGaussian();
                return random.nextBoolean() ? d : -d;
            case 4:
                return randomText(random);
            case 5: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = random.nextInt(6); i > 0; i--) {
                    m.put(randomText(random), randomValue(random, depth + 1, false));
                }
                return m;
            }
            default: {
                List<Object> l = new ArrayList<>();
                for (int i = random.nextInt(6); i > 0; i--) {
                    l.add(randomValue(random, depth + 1, false));
                }
                return l;
            }
        }
    }

    private static String randomText(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(20); i > 0; i--) {
            int pick = random.nextInt(10);
            s.append(pick < 6 ? (char) ('a' + random.nextInt(26)) : pick < 8 ? (char) random.nextInt(0x80) : (char) random.nextInt(0x10000));
        }
        return s.toString();
    }
}
