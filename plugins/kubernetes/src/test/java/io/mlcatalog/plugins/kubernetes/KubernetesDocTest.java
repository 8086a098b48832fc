package io.mlcatalog.plugins.kubernetes;

import io.mlcatalog.server.plugin.PluginsConfig;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.testkit.SourceHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/plugins/kubernetes.md says what the plugin does: its configuration is accepted, its tables are complete. */
class KubernetesDocTest {
    private static final Path DOC = Path.of("../../docs/plugins/kubernetes.md");
    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void theConfigurationExampleIsAcceptedAsWritten() throws IOException {
        List<String> yaml = blocks("yaml");
        assertThat(yaml).hasSize(1);
        Path file = Files.writeString(tmp.resolve("mlcatalog.yaml"), yaml.get(0));
        Map<String, String> env = Map.of("STAGING_K8S_TOKEN", "eyJhbGciOi.example");

        PluginsConfig config = PluginsConfig.load(file, env::get);

        assertThat(config.instances()).extracting(PluginsConfig.Instance::type).containsOnly("kubernetes").hasSize(2);
        for (PluginsConfig.Instance instance : config.instances()) {
            SourceHarness.Builder builder = SourceHarness.builder(new KubernetesSourceFactory()).instance(instance.name()).env(env)
                    .workDirectory(tmp.resolve(instance.name()));
            instance.settings().forEach(builder::setting);
            try (SourceHarness h = builder.build()) { // throws as start-up would on an unknown key, a missing or a wrong value
                assertThat(h.committed()).isEmpty();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void everySettingIsInTheTable() throws IOException {
        String doc = Files.readString(DOC);
        for (Setting s : new KubernetesSourceFactory().settings()) {
            assertThat(doc).as("the settings table has a row for %s", s.key()).contains("| `" + s.key() + "` |");
            if (s.defaultValue() != null) {
                assertThat(doc).as("with its default").contains("| `" + s.key() + "` | `" + s.defaultValue() + "` |");
            }
        }
    }

    @Test
    void everyAnnotationIsDocumented() throws Exception {
        String doc = Files.readString(DOC);
        for (Field f : Annotations.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().equals("PREFIX")) {
                f.setAccessible(true);
                assertThat(doc).as("the doc names %s", f.get(null)).contains((String) f.get(null));
            }
        }
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
