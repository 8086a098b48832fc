package io.mlcatalog.plugins.s3;

import io.mlcatalog.server.plugin.PluginsConfig;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.testkit.SourceHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/plugins/s3.md says what the plugin does: its configuration example is accepted, its settings table is complete. */
class S3DocTest {
    private static final Path DOC = Path.of("../../docs/plugins/s3.md");
    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void theConfigurationExampleIsAcceptedAsWritten() throws IOException {
        List<String> yaml = blocks("yaml");
        assertThat(yaml).hasSize(1);
        Path file = Files.writeString(tmp.resolve("mlcatalog.yaml"), yaml.get(0));
        Map<String, String> env = Map.of("MINIO_ACCESS_KEY", "example-key", "MINIO_SECRET_KEY", "example-secret");

        PluginsConfig config = PluginsConfig.load(file, env::get);

        assertThat(config.instances()).extracting(PluginsConfig.Instance::type).containsOnly("s3");
        for (PluginsConfig.Instance instance : config.instances()) {
            SourceHarness.Builder builder = SourceHarness.builder(new S3SourceFactory()).instance(instance.name()).env(env)
                    .workDirectory(tmp.resolve(instance.name()));
            instance.settings().forEach(builder::setting);
            builder.build(); // throws as start-up would on an unknown key, a missing or a wrong value
        }
    }

    @Test
    void everySettingIsInTheTable() throws IOException {
        String doc = Files.readString(DOC);
        for (Setting s : new S3SourceFactory().settings()) {
            assertThat(doc).as("the settings table has a row for %s", s.key()).contains("| `" + s.key() + "` |");
        }
    }

    @Test
    void theSidecarExampleIsReadAsDocumented() throws Exception {
        Matcher m = FENCE.matcher(Files.readString(Path.of("../../docs/plugins/sidecars.md")));
        assertThat(m.find()).isTrue();
        io.mlcatalog.plugins.storage.Sidecar s = io.mlcatalog.plugins.storage.Sidecar.json("example", m.group(2).getBytes());
        assertThat(s.run().name()).isEqualTo("train-2025-03-01");
        assertThat(s.model().version()).isEqualTo("7");
    }

    private static List<String> blocks(String language) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(Files.readString(DOC));
        while (m.find()) {
            if (m.group(1).equals(language)) {
                blocks.add(m.group(2));
            }
        }
        return blocks;
    }
}
