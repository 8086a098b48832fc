package io.mlcatalog.server.docs;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.testing.Cli;
import io.mlcatalog.server.testing.Cli.Ran;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every CLI example of docs/incident-page.md runs against the demo data set, under access control, and prints exactly
 * the output the document shows after it. (Its deep links are opened in a browser by IncidentPageIT.)
 */
class IncidentPageDocIT {
    private static final String DOC = "docs/incident-page.md";
    private static final String TOKEN = "incident-page-doc-token-0123456789abcdef";

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(TOKEN);
        DemoData.load(catalog.server().writer());
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    /** The example's command line, as given, with where the catalog is and the token, as MLCATALOG_TOKEN would give it. */
    private static Ran run(String example) {
        List<String> args = new ArrayList<>(List.of(example.trim().split("\\s+")));
        assertThat(args.remove(0)).isEqualTo("mlcatalog");
        args.addAll(List.of("--url", catalog.url(""), "--token", TOKEN));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void everyLookupPrintsWhatTheDocumentShows() throws Exception {
        List<DocExamples.Block> blocks = DocExamples.all(DOC);
        int checked = 0;
        for (int i = 0; i < blocks.size(); i++) {
            DocExamples.Block block = blocks.get(i);
            if (!block.language().equals("bash") || !block.text().startsWith("mlcatalog ")) {
                continue;
            }
            Ran ran = run(block.text());
            assertThat(ran.exit()).as("%s%n%s", block.text(), ran.err()).isZero();
            DocExamples.Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : null;
            if (next != null && next.language().equals("text")) {
                assertThat(ran.out().stripTrailing()).as(block.text()).isEqualTo(next.text().stripTrailing());
                checked++;
            } else {
                // the --json example: what the document says of it
                JsonNode json = TestCatalog.JSON.readTree(ran.out());
                assertThat(json.path("explain").path("modelVersion").path("version").asText()).as(block.text()).isEqualTo("3");
            }
        }
        assertThat(checked).isEqualTo(3);
    }

    @Test
    void theReadmesLookupsRunAndPrintWhatTheDocumentShows() {
        java.util.Map<String, String> shown = new java.util.HashMap<>();
        List<DocExamples.Block> blocks = DocExamples.all(DOC);
        for (int i = 0; i + 1 < blocks.size(); i++) {
            if (blocks.get(i).language().equals("bash") && blocks.get(i + 1).language().equals("text")) {
                shown.put(blocks.get(i).text().trim(), blocks.get(i + 1).text().stripTrailing());
            }
        }
        List<String> lookups = DocExamples.blocks("README.md", "bash").stream().flatMap(String::lines)
                .filter(l -> l.matches("mlcatalog (explain|lineage|blast-radius) .*")).toList();
        assertThat(lookups).hasSize(3);
        for (String lookup : lookups) {
            Ran ran = run(lookup);
            assertThat(ran.exit()).as("%s%n%s", lookup, ran.err()).isZero();
            assertThat(ran.out().stripTrailing()).as(lookup).isEqualTo(shown.get(lookup));
        }
    }
}
