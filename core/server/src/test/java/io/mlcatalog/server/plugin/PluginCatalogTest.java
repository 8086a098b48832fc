package io.mlcatalog.server.plugin;

import io.mlcatalog.server.testing.PluginJars;
import io.mlcatalog.spi.Checkpoints;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plugin jars in the plugins folder, built here as a third party would build them: each found, each in
 * a class loader that shows it the SPI and the JDK only, and a broken one reported and skipped.
 */
class PluginCatalogTest {
    private static final ClassLoader SERVER = PluginCatalogTest.class.getClassLoader();

    @TempDir
    Path plugins;

    private Path probeJar(String file, String pkg, String type, boolean ownObjectMapper) {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put(pkg + ".ProbePlugin", PluginJars.probe(pkg, type));
        if (ownObjectMapper) {
            sources.put("com.fasterxml.jackson.databind.ObjectMapper", PluginJars.OWN_OBJECT_MAPPER);
        }
        return PluginJars.build(plugins.resolve(file), sources, pkg + ".ProbePlugin");
    }

    @Test
    void aJarIsDiscoveredAndSeesOnlyTheSpiAndTheJdk() throws Exception {
        probeJar("probe.jar", "acme.probe", "probe", false);

        PluginCatalog catalog = PluginCatalog.discover(SERVER, plugins);

        assertThat(catalog.problems()).isEmpty();
        assertThat(catalog.sources()).containsOnlyKeys("probe");
        assertThat(catalog.origin("probe")).isEqualTo("probe.jar");
        ClassLoader loader = catalog.sources().get("probe").getClass().getClassLoader();
        assertThat(loader).isInstanceOf(URLClassLoader.class).isNotSameAs(SERVER);
        assertThat(loader.getName()).isEqualTo("plugin:probe.jar");
        assertThat(seen(catalog.sources().get("probe"), "forName")).isEqualTo(Map.of(
                "io.vertx.core.Vertx", "hidden",
                "com.fasterxml.jackson.databind.ObjectMapper", "hidden",
                "io.mlcatalog.server.CatalogServer", "hidden",
                "org.slf4j.Logger", "hidden"));
        // the SPI is the server's own, or the host could not call the plugin at all
        assertThat(loader.loadClass("io.mlcatalog.spi.Plugin")).isSameAs(io.mlcatalog.spi.Plugin.class);
        assertThat(loader.getResource("io/mlcatalog/server/CatalogServer.class")).isNull();
    }

    @Test
    void aJarBundlingItsOwnVersionOfAServerLibraryUsesItsOwn() throws Exception {
        probeJar("own-jackson.jar", "acme.ownjackson", "own-jackson", true);

        PluginCatalog catalog = PluginCatalog.discover(SERVER, plugins);

        assertThat(seen(catalog.sources().get("own-jackson"), "forName"))
                .containsEntry("com.fasterxml.jackson.databind.ObjectMapper", "own")
                .containsEntry("io.vertx.core.Vertx", "hidden");
    }

    @Test
    void aCorruptJarAndAJarWhoseProviderIsMissingAreReportedAndSkippedWhileTheGoodOneLoads() throws IOException {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        Files.write(plugins.resolve("corrupt.jar"), noise);
        PluginJars.build(plugins.resolve("missing-provider.jar"), Map.of("acme.gone.Helper", "package acme.gone; class Helper {}"),
                "acme.gone.GonePlugin");
        PluginJars.build(plugins.resolve("no-services.jar"), Map.of("acme.none.Helper", "package acme.none; class Helper {}"), null);
        probeJar("probe.jar", "acme.probe", "probe", false);

        PluginCatalog catalog = PluginCatalog.discover(SERVER, plugins);

        assertThat(catalog.sources()).containsOnlyKeys("probe");
        assertThat(catalog.problems()).hasSize(3);
        assertThat(catalog.problems()).anySatisfy(p -> assertThat(p).startsWith("corrupt.jar: not a readable jar file"));
        assertThat(catalog.problems()).anySatisfy(p -> assertThat(p).startsWith("missing-provider.jar: ").contains("Provider acme.gone.GonePlugin not found"));
        assertThat(catalog.problems()).anySatisfy(p -> assertThat(p).startsWith("no-services.jar: ").contains("no plugin in it"));
    }

    @Test
    void twoPluginsOfferingOneTypeAreReportedAndTheFirstKept() throws Exception {
        probeJar("a-probe.jar", "acme.first", "probe", false);
        probeJar("b-probe.jar", "acme.second", "probe", false);

        PluginCatalog catalog = PluginCatalog.discover(SERVER, plugins);

        assertThat(catalog.origin("probe")).isEqualTo("a-probe.jar");
        assertThat(catalog.problems()).containsExactly("b-probe.jar: type 'probe' is already offered by a-probe.jar; this one is ignored");
    }

    @Test
    void aJarCannotReplaceABuiltInPluginsType(@TempDir Path builtIn) throws Exception {
        Path classpathJar = PluginJars.build(builtIn.resolve("built-in.jar"),
                Map.of("acme.builtin.ProbePlugin", PluginJars.probe("acme.builtin", "probe")), "acme.builtin.ProbePlugin");
        probeJar("probe.jar", "acme.probe", "probe", false);

        try (URLClassLoader classpath = new URLClassLoader(new URL[]{classpathJar.toUri().toURL()}, SERVER)) {
            PluginCatalog catalog = PluginCatalog.discover(classpath, plugins);

            assertThat(catalog.origin("probe")).isEqualTo("classpath");
            assertThat(catalog.problems()).containsExactly("probe.jar: type 'probe' is already offered by classpath; this one is ignored");
        }
    }

    @Test
    void noPluginsFolderMeansTheClasspathOnly() {
        PluginCatalog catalog = PluginCatalog.discover(SERVER, plugins.resolve("absent"));

        assertThat(catalog.problems()).isEmpty();
    }

    /** Polls the probe and returns, for one way of loading, what it found for each class. */
    private static Map<String, String> seen(SourceFactory factory, String how) throws Exception {
        List<MetadataRecord> records = new java.util.ArrayList<>();
        factory.create(context()).poll(new RecordSink() {
            @Override
            public void emit(MetadataRecord record) {
                records.add(record);
            }

            @Override
            public void checkpoint(Map<String, String> partition, Map<String, String> offset) {
            }
        });
        Map<String, String> seen = new LinkedHashMap<>();
        for (MetadataRecord r : records) {
            ArtifactRecord a = (ArtifactRecord) r;
            String prefix = "file:///probe/" + how + "/";
            if (a.uri().startsWith(prefix)) {
                seen.put(a.uri().substring(prefix.length()), a.name());
            }
        }
        return seen;
    }

    private static SourceContext context() {
        PluginConfig config = InstanceSettings.check("probe", List.of(), Map.of(), k -> null);
        return new SourceContext() {
            public String instance() {
                return "probe";
            }

            public PluginConfig config() {
                return config;
            }

            public System.Logger logger() {
                return System.getLogger("probe");
            }

            public Clock clock() {
                return Clock.systemUTC();
            }

            public Checkpoints checkpoints() {
                return new Checkpoints() {
                    public Optional<Map<String, String>> offset(Map<String, String> partition) {
                        return Optional.empty();
                    }

                    public Map<Map<String, String>, Map<String, String>> all() {
                        return Map.of();
                    }
                };
            }

            public Path workDirectory() {
                return Path.of(System.getProperty("java.io.tmpdir"));
            }
        };
    }
}
