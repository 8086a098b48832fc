package io.mlcatalog.server.docs;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.Main;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.plugin.PluginsConfig;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every example of docs/security.md, run as its reader would: the commands, the GraphQL, the configuration. */
class SecurityDocIT {
    static final String ADMIN = "security-doc-admin-token-0123456789abcdef";
    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN);
        DemoData.load(catalog.server().writer());
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    @Test
    void theCommandsRunAgainstTheCatalog() {
        List<String> commands = DocExamples.blocks("docs/security.md", "bash").stream()
                .flatMap(b -> b.lines()).filter(l -> l.startsWith("./mlcatalog token")).toList();
        assertThat(commands).hasSizeGreaterThanOrEqualTo(7);
        for (String command : commands) {
            List<String> args = words(command.replaceFirst("#.*", "").substring("./mlcatalog ".length()));
            args.addAll(List.of("--url", catalog.url(""), "--token", ADMIN));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            assertThat(cl.execute(args.toArray(String[]::new))).as(command + "\n" + err).isZero();
            if (command.contains("token create")) {
                assertThat(out.toString().lines().findFirst().orElseThrow()).startsWith("mlc_");
            }
            if (command.contains("token list")) {
                assertThat(out.toString()).contains("ci-churn").contains("dashboards").contains("release-bot");
            }
        }
        JsonNode tokens = catalog.graphql(ADMIN, "{ tokens(includeRevoked: true) { name state grants { namespace privilege } } }")
                .ok().path("tokens");
        assertThat(tokens.toString()).contains("{\"name\":\"ci-churn\",\"state\":\"REVOKED\",\"grants\":[{\"namespace\":\"growth\",\"privilege\":\"WRITE\"}]}")
                .contains("{\"name\":\"release-bot\",\"state\":\"ACTIVE\",\"grants\":[{\"namespace\":\"growth\",\"privilege\":\"PROMOTE\"}]}");
    }

    @Test
    void theGraphqlExamplesRunInOrder() {
        List<String> examples = DocExamples.blocks("docs/security.md", "graphql");
        assertThat(examples).hasSize(6);
        for (String example : examples) {
            JsonNode data = catalog.graphql(ADMIN, example).ok();
            data.fields().forEachRemaining(f -> assertThat(f.getValue().isNull()).as(example).isFalse());
        }
        JsonNode model = catalog.graphql(ADMIN, examples.get(5)).ok().path("model");
        assertThat(model.path("protectedAliases").toString()).isEqualTo("[\"production\"]");
        // the token the first example made may read growth now, as the second granted
        JsonNode scoring = catalog.graphql(ADMIN, examples.get(2)).ok().path("tokens");
        assertThat(scoring.toString()).contains("{\"namespace\":\"growth\",\"privilege\":\"READ\"},{\"namespace\":\"risk\",\"privilege\":\"WRITE\"}");
    }

    @Test
    void theConfigurationExampleIsValid() throws Exception {
        String yaml = DocExamples.blocks("docs/security.md", "yaml").get(0);
        Path file = Files.createTempFile("security", ".yaml");
        Files.writeString(file, yaml);
        PluginsConfig config = PluginsConfig.load(file, name -> null);
        assertThat(config.instanceLimits().keySet()).containsExactly("airflow", "deploys");
        assertThat(config.instanceLimits().get("deploys").canPromote("growth")).isTrue();
        assertThat(config.instanceLimits().get("airflow").canWrite("risk")).isTrue();
        assertThat(config.instanceLimits().get("airflow").canWrite("finance")).isFalse();
        assertThat(config.instanceLimits().get("airflow").canPromote("growth")).isFalse();
    }

    /** A shell line's words, with '…' quoting. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(line);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words;
    }
}
