package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming writer of GraphQL responses gives, byte for byte, what Jackson's map serializer gave before it. */
class ResponseJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void everyKindOfValueAnAnswerHoldsIsWrittenAsTheMapperWritesIt() throws Exception {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", "Run:0b7c");
        run.put("name", "quote \" backslash \\ newline \n tab \t control \u0001 unicode é 漢 \uD83D\uDE00 </script>");
        run.put("status", "SUCCEEDED");
        run.put("endedAt", null);
        run.put("attempt", 3);
        run.put("bytes", 12_345_678_901L);
        run.put("share", 0.1 + 0.2);
        run.put("notANumber", Double.NaN);
        run.put("huge", Double.POSITIVE_INFINITY);
        run.put("small", 1.5f);
        run.put("exact", new BigDecimal("1.10"));
        run.put("big", new BigInteger("123456789012345678901234567890"));
        run.put("ok", true);
        run.put("params", mapper.readTree("{\"lr\": 0.001, \"layers\": [1, 2, {\"a\": null}], \"name\": \"x\"}"));
        run.put("metrics", new TreeMap<>(Map.of("loss", 0.25, "epochs", 10)));
        run.put("byNumber", new LinkedHashMap<>(Map.of(1, "one")));
        run.put("inputs", List.of(Map.of("uri", "s3://b/k", "digest", "md5:00"), List.of(), Arrays.asList(null, "a")));
        run.put("empty", Map.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errors", List.of(Map.of("message", "no", "extensions", Map.of("code", "NOT_FOUND"))));
        body.put("data", Map.of("runs", Map.of("edges", List.of(Map.of("node", run)))));

        assertThat(ResponseJson.write(mapper, body).getBytes()).isEqualTo(mapper.writeValueAsBytes(body));
    }

    @Test
    void anAnswerLargerThanTheGeneratorsBufferIsWrittenWhole() throws Exception {
        List<Map<String, Object>> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            nodes.add(Map.of("uri", "s3://bucket/path/" + i, "n", i));
        }
        Map<String, Object> body = Map.of("data", Map.of("nodes", nodes));

        byte[] written = ResponseJson.write(mapper, body).getBytes();
        assertThat(written.length).isGreaterThan(100_000);
        assertThat(written).isEqualTo(mapper.writeValueAsBytes(body));
    }
}
