package io.mlcatalog.server.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What no response may show a client, whatever it sent. */
final class Responses {
    /** SQL as a statement reads, not the words in a sentence ("select fewer fields"). */
    private static final Pattern SQL = Pattern.compile("(?is)\\bselect\\b.{1,200}?\\bfrom\\b|\\binsert\\s+into\\b"
            + "|\\bupdate\\s+\\w+\\s+set\\b|\\bdelete\\s+from\\b|\\bwhere\\s+\\w+\\.\\w+\\s*=");

    private Responses() {
    }

    /** No Java stack trace, exception class or SQL text in a response body. */
    static void assertNoInternals(String body) {
        assertThat(body)
                .as("a response leaks server internals: %s", body)
                .doesNotContain("at io.")
                .doesNotContain("at java.")
                .doesNotContain("Exception")
                .doesNotContainPattern(SQL)
                .doesNotContain("SQLSTATE");
    }

    static void assertNoInternals(JsonNode body) {
        assertNoInternals(body.toString());
    }
}
