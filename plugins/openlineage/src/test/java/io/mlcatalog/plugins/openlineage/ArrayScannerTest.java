package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scanner says what Jackson, reading the whole text, says: the same count for a good array, an error for any other. */
class ArrayScannerTest {

    @Test
    void countsTheValuesOfWellFormedArrays() throws IOException {
        assertThat(count("[]")).isEqualTo(0);
        assertThat(count(" \r\n\t[ ] \n")).isEqualTo(0);
        assertThat(count("\uFEFF[1]")).isEqualTo(1);
        assertThat(count("[{\"a\": [1, -0.5e+3, \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"], \"b\": {}}, [], null, true, false, \"caf\u00e9\", 0, -0, 1E9]"))
                .isEqualTo(9);
        assertThat(count("[" + "[".repeat(ArrayScanner.MAX_DEPTH - 1) + "]".repeat(ArrayScanner.MAX_DEPTH - 1) + "]")).isEqualTo(1);
    }

    @Test
    void nestingAsDeepAsJacksonReadsNeedsNoDeeperStack() throws Exception {
        String deepest = "[" + "[{\"a\": ".repeat((ArrayScanner.MAX_DEPTH - 1) / 2) + "1" + "}]".repeat((ArrayScanner.MAX_DEPTH - 1) / 2) + "]";
        String tooDeep = "[" + "[".repeat(ArrayScanner.MAX_DEPTH) + "]".repeat(ArrayScanner.MAX_DEPTH) + "]";

        assertThat(SmallStack.call(() -> count(deepest))).isEqualTo(1);
        assertThat(SmallStack.call(() -> {
            try {
                count(tooDeep);
                return "accepted";
            } catch (IOException refused) {
                return refused.getMessage();
            }
        })).contains("nested more than " + ArrayScanner.MAX_DEPTH + " levels deep");
    }

    @Test
    void refusesWhatIsNotOneWellFormedArray() {
        for (String bad : List.of("", "{}", "[", "[1", "[1,]", "[,1]", "[1 2]", "[01]", "[1.]", "[.5]", "[+1]", "[-]", "[1e]",
                "[NaN]", "[tru]", "[truex]", "[nul]", "['a']", "[\"a]", "[\"\\x\"]", "[\"\\u12g4\"]", "[\"a\nb\"]", "[{\"a\" 1}]",
                "[{a: 1}]", "[{\"a\": 1,}]", "[{\"a\": 1 \"b\": 2}]", "[1] [2]", "[1] x", "[1]]", "[/* c */ 1]", "[1x]",
                "[" + "[".repeat(ArrayScanner.MAX_DEPTH) + "]".repeat(ArrayScanner.MAX_DEPTH) + "]")) {
            assertThatThrownBy(() -> count(bad)).as(bad.length() > 60 ? bad.substring(0, 60) + "…" : bad).isInstanceOf(IOException.class);
            assertThat(jacksonCount(bytes(bad))).as("Jackson on " + bad).isNull();
        }
    }

    @Test
    void hasJacksonsLimitsToTheByte() {
        String digits = "7".repeat(ArrayScanner.MAX_NUMBER_DIGITS);
        String name = "n".repeat(ArrayScanner.MAX_NAME_BYTES);
        String text = "t".repeat(ArrayScanner.MAX_STRING_CHARS);
        String nested = "[".repeat(ArrayScanner.MAX_DEPTH - 1) + "]".repeat(ArrayScanner.MAX_DEPTH - 1);
        Map<String, Boolean> cases = new java.util.LinkedHashMap<>();
        cases.put("[" + digits + "]", true);
        cases.put("[-" + digits + "]", true);
        cases.put("[" + digits + "1]", false);
        cases.put("[" + digits.substring(2) + ".5e1]", true);
        cases.put("[" + digits.substring(2) + ".5e12]", false);
        cases.put("[0." + digits.substring(1) + "]", true);
        cases.put("[0." + digits + "]", false);
        cases.put("[{\"" + name + "\": 1}]", true);
        cases.put("[{\"" + name + "x\": 1}]", false);
        cases.put("[{\"" + "\u00e9".repeat(ArrayScanner.MAX_NAME_BYTES / 2) + "\": 1}]", true);
        cases.put("[{\"" + "\u00e9".repeat(ArrayScanner.MAX_NAME_BYTES / 2) + "x\": 1}]", false);
        cases.put("[{\"" + "\u20ac".repeat(ArrayScanner.MAX_NAME_BYTES / 3) + "xx\": 1}]", true);
        cases.put("[{\"" + "\u20ac".repeat(ArrayScanner.MAX_NAME_BYTES / 3) + "xxx\": 1}]", false);
        cases.put("[{\"" + "\u00e9".repeat(ArrayScanner.MAX_NAME_BYTES / 2 - 1) + "\\n\\n\": 1}]", true);
        cases.put("[{\"" + "\u00e9".repeat(ArrayScanner.MAX_NAME_BYTES / 2) + "\\n\": 1}]", false);
        cases.put("[\"" + text + "\"]", true);
        cases.put("[\"" + text + "x\"]", false);
        cases.put("[\"" + text.substring(2) + "\uD83D\uDE00\"]", true);
        cases.put("[\"" + text.substring(2) + "\uD83D\uDE00x\"]", false);
        cases.put("[\"" + text.substring(2) + "\\u00e9\\n\"]", true);
        cases.put("[\"" + text.substring(2) + "\\u00e9\\nx\"]", false);
        cases.put("[" + nested + "]", true);
        cases.put("[[" + nested + "]]", false);
        cases.forEach((json, accepted) -> {
            String what = json.length() > 40 ? json.substring(0, 20) + "… (" + json.length() + " chars)" : json;
            byte[] bytes = bytes(json);
            assertThat(jacksonCount(bytes) != null).as("Jackson on " + what).isEqualTo(accepted);
            Integer count;
            try {
                count = ArrayScanner.count(bytes);
            } catch (IOException e) {
                count = null;
            }
            assertThat(count).as("the scanner on " + what).isEqualTo(jacksonCount(bytes));
        });
    }

    @Test
    void saysWhereEachValueIs() throws IOException {
        byte[] b = bytes(" [ {\"a\": [1, 2]} ,\n\"x\",-1.5e3 ]");

        ArrayScanner.Values values = ArrayScanner.scan(b);

        assertThat(values.count()).isEqualTo(3);
        List<String> found = new ArrayList<>();
        for (int k = 0; k < values.count(); k++) {
            found.add(new String(b, values.starts()[k], values.bytes(k), StandardCharsets.UTF_8));
        }
        assertThat(found).containsExactly("{\"a\": [1, 2]}", "\"x\"", "-1.5e3");
    }

    @Test
    void agreesWithJacksonOnRealEventsBrokenAtRandom() throws IOException {
        List<String> events = new ArrayList<>();
        for (String type : List.of("START", "RUNNING", "COMPLETE")) {
            var e = Events.run(type, "2024-10-16T16:53:08.979Z");
            Events.input(e, "s3://bucket", "raw/events.parquet");
            Events.output(e, "bigquery", "proj.ds.table");
            Events.runFacets(e).putObject("acme").put("n", -12).put("x", 1.5e-7).put("s", "caf\u00e9 \"q\" \\ \n\t")
                    .putNull("none").put("ok", true).putArray("list").add(0).add(false).addObject();
            events.add(e.toString());
            events.add(e.toPrettyString());
        }
        byte[] good = bytes("[" + String.join(",\n ", events) + "]");
        assertThat(ArrayScanner.count(good)).isEqualTo(events.size()).isEqualTo(jacksonCount(good));

        Random random = new Random(42);
        byte[] alphabet = bytes("{}[],:\"\\ 0123456789-+.eEtrufalsn/\n\tx");
        int refused = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] broken = mutate(good, random, alphabet);
            if (!Utf8.isWellFormed(broken)) {
                continue; // refused before, as not UTF-8: the scanner is given well-formed UTF-8 only
            }
            Integer expected = jacksonCount(broken);
            Integer actual;
            try {
                actual = ArrayScanner.count(broken);
            } catch (IOException e) {
                actual = null;
                refused++;
            }
            assertThat(actual).as("mutation %d: %s", n, around(good, broken)).isEqualTo(expected);
        }
        assertThat(refused).as("most random edits break the JSON").isGreaterThan(10_000);
    }

    /** The broken text where it first differs from the good one, for a failure message. */
    private static String around(byte[] good, byte[] broken) {
        int at = 0;
        while (at < good.length && at < broken.length && good[at] == broken[at]) {
            at++;
        }
        int fromEnd = 0;
        while (fromEnd < good.length && fromEnd < broken.length && good[good.length - 1 - fromEnd] == broken[broken.length - 1 - fromEnd]) {
            fromEnd++;
        }
        int last = broken.length - fromEnd;
        int from = Math.max(0, at - 30);
        return "up to byte " + last + ": …" + new String(broken, Math.max(0, last - 30), Math.min(broken.length, last + 30) - Math.max(0, last - 30),
                StandardCharsets.UTF_8).replace("\n", "\\n") + "…, from byte " + at + ": …" + new String(broken, from, Math.min(broken.length, at + 30) - from, StandardCharsets.UTF_8)
                .replace("\n", "\\n") + "…";
    }

    private static byte[] mutate(byte[] good, Random random, byte[] alphabet) {
        List<Byte> out = new ArrayList<>(good.length + 4);
        for (byte x : good) {
            out.add(x);
        }
        int edits = 1 + random.nextInt(3);
        for (int k = 0; k < edits && !out.isEmpty(); k++) {
            int at = random.nextInt(out.size());
            byte with = alphabet[random.nextInt(alphabet.length)];
            switch (random.nextInt(3)) {
                case 0 -> out.set(at, with);
                case 1 -> out.add(at, with);
                default -> out.remove(at);
            }
        }
        byte[] b = new byte[out.size()];
        for (int k = 0; k < b.length; k++) {
            b[k] = out.get(k);
        }
        return b;
    }

    /** What Jackson makes of the text: the number of values of the array, or null when it refuses it. */
    private static Integer jacksonCount(byte[] b) {
        try (JsonParser p = LineageHttp.JSON.createParser(b)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            int count = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    return null;
                }
                readThrough(p);
                count++;
            }
            return p.nextToken() == null ? count : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads the value at the parser, its strings as text (so their length is checked, as the events' reader does). */
    private static void readThrough(JsonParser p) throws IOException {
        int depth = 0;
        JsonToken t = p.currentToken();
        do {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING) {
                p.getText();
            }
            if (depth > 0) {
                t = p.nextToken();
                if (t == null) {
                    throw new IOException("unexpected end");
                }
            }
        } while (depth > 0);
    }

    private static int count(String s) throws IOException {
        return ArrayScanner.count(bytes(s));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
