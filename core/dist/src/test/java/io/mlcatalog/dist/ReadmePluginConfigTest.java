package io.mlcatalog.dist;

import io.mlcatalog.server.plugin.PluginCatalog;
import io.mlcatalog.server.plugin.PluginHost;
import io.mlcatalog.server.plugin.PluginsConfig;
import io.mlcatalog.server.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The mlcatalog.yaml of README.md is one the distribution accepts: its types are built in, its settings right. */
class ReadmePluginConfigTest {

    @Test
    void theReadmesPluginConfigurationIsAcceptedByTheDistribution(@TempDir Path tmp) throws IOException {
        Matcher m = Pattern.compile("```yaml\\n(# mlcatalog.yaml\\n.*?)\\n```", Pattern.DOTALL).matcher(Files.readString(Repository.file("README.md")));
        assertThat(m.find()).as("README.md has a ```yaml block starting with # mlcatalog.yaml").isTrue();
        Path config = Files.writeString(tmp.resolve("mlcatalog.yaml"), m.group(1));

        Map<String, String> env = Map.of("DEPLOY_TOKEN", "example-token");
        PluginsConfig plugins = PluginsConfig.load(config, env::get);
        PluginCatalog builtIn = PluginCatalog.discover(getClass().getClassLoader(), null);

        assertThat(builtIn.sources()).containsKeys("git", "kubernetes");
        assertThat(builtIn.receivers()).containsKeys("openlineage", "deployments");
        assertThat(builtIn.problems()).isEmpty();
        assertThat(plugins.instances()).isNotEmpty();
        PluginHost.check(builtIn, plugins, env::get); // throws, naming instance and key, if not
    }
}
