package io.mlcatalog.server.testing;

import io.mlcatalog.spi.Plugin;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Plugin jars built the way a third party builds one: Java sources compiled against the SPI alone,
 * a {@code META-INF/services/io.mlcatalog.spi.Plugin} naming the provider, all in a jar.
 */
public final class PluginJars {

    /**
     * A plugin whose sources report what its own class loader lets it see. Its poll emits one artifact
     * per probed class, {@code file:///probe/<how>/<class>}, named {@code own}, {@code server} or
     * {@code hidden}: loaded from the plugin's jar, from the server, or not found. {@code how} is
     * {@code forName} (the plugin's loader) or {@code context} (the thread's context loader).
     */
    public static String probe(String pkg, String type) {
        return """
                package %1$s;

                import io.mlcatalog.spi.*;
                import io.mlcatalog.spi.record.*;
                import java.util.List;

                public final class ProbePlugin implements Plugin {
                    static final List<String> PROBED = List.of("io.vertx.core.Vertx", "com.fasterxml.jackson.databind.ObjectMapper",
                            "io.mlcatalog.server.CatalogServer", "org.slf4j.Logger");

                    @Override
                    public List<SourceFactory> sources() {
                        return List.of(new SourceFactory() {
                            public String type() {
                                return "%2$s";
                            }

                            public IngestSource create(SourceContext context) {
                                return sink -> {
                                    for (String name : PROBED) {
                                        sink.emit(probe("forName", name, seen(name, ProbePlugin.class.getClassLoader())));
                                        sink.emit(probe("context", name, seen(name, Thread.currentThread().getContextClassLoader())));
                                    }
                                };
                            }
                        });
                    }

                    static String seen(String name, ClassLoader loader) {
                        try {
                            Class<?> c = Class.forName(name, false, loader);
                            return c.getClassLoader() == ProbePlugin.class.getClassLoader() ? "own" : "server";
                        } catch (ClassNotFoundException | LinkageError e) {
                            return "hidden";
                        }
                    }

                    static ArtifactRecord probe(String how, String name, String result) {
                        return ArtifactRecord.builder("probe", "file:///probe/" + how + "/" + name).name(result)
                                .externalId(how + ":" + name).build();
                    }
                }
                """.formatted(pkg, type);
    }

    /**
     * A plugin with a source over the numbers {@code 1..count} (setting {@code count}, required): each
     * poll emits the numbers after the committed position as artifacts {@code file:///numbers/<n>.txt}.
     */
    public static String counter(String pkg, String type) {
        return """
                package %1$s;

                import io.mlcatalog.spi.*;
                import io.mlcatalog.spi.record.*;
                import java.util.List;
                import java.util.Map;

                public final class CounterPlugin implements Plugin {
                    @Override
                    public List<SourceFactory> sources() {
                        return List.of(new SourceFactory() {
                            public String type() {
                                return "%2$s";
                            }

                            public List<Setting> settings() {
                                return List.of(Setting.required("count", Setting.Type.INT, "how many numbers there are"));
                            }

                            public IngestSource create(SourceContext context) {
                                int count = context.config().getInt("count");
                                Map<String, String> partition = Map.of("stream", "numbers");
                                return sink -> {
                                    int from = context.checkpoints().offset(partition).map(o -> Integer.parseInt(o.get("position"))).orElse(0);
                                    for (int i = from + 1; i <= count; i++) {
                                        sink.emit(ArtifactRecord.builder("numbers", "file:///numbers/" + i + ".txt").externalId("n-" + i).build());
                                    }
                                    sink.checkpoint(partition, Map.of("position", String.valueOf(count)));
                                };
                            }
                        });
                    }
                }
                """.formatted(pkg, type);
    }

    /** A stand-in for Jackson's ObjectMapper, as a plugin that bundles its own Jackson would have. */
    public static final String OWN_OBJECT_MAPPER = """
            package com.fasterxml.jackson.databind;

            public class ObjectMapper {
                public static final String WHOSE = "the plugin's own";
            }
            """;

    private static final Map<List<Object>, Path> BUILT = new java.util.concurrent.ConcurrentHashMap<>();

    private PluginJars() {
    }

    /**
     * Compiles {@code sources} (class name → source) against the SPI only and writes them into
     * {@code jar}, with a services file naming {@code provider} (null: none).
     */
    public static Path build(Path jar, Map<String, String> sources, String provider) {
        try {
            // compiling takes most of a second: a jar already built from the same sources is copied
            Path built = BUILT.get(List.of(sources, String.valueOf(provider)));
            if (built != null) {
                return Files.copy(built, jar);
            }
            Path work = Files.createTempDirectory("plugin-src");
            Path classes = Files.createDirectories(work.resolve("classes"));
            List<String> args = new ArrayList<>(List.of("-classpath", spiClasses().toString(), "-d", classes.toString(), "--release", "17",
                    "-proc:none"));
            for (var e : sources.entrySet()) {
                Path file = work.resolve("src").resolve(e.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue());
                args.add(file.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            if (javac.run(null, errors, errors, args.toArray(String[]::new)) != 0) {
                throw new IllegalStateException("the test plugin does not compile:\n" + errors.toString(StandardCharsets.UTF_8));
            }
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
                if (provider != null) {
                    j.putNextEntry(new JarEntry("META-INF/services/" + Plugin.class.getName()));
                    j.write((provider + "\n").getBytes(StandardCharsets.UTF_8));
                    j.closeEntry();
                }
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                        j.write(Files.readAllBytes(f));
                        j.closeEntry();
                    }
                }
            }
            Path cached = Files.createTempDirectory("plugin-jar").resolve("plugin.jar");
            BUILT.put(List.of(Map.copyOf(sources), String.valueOf(provider)), Files.copy(jar, cached));
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the SPI's classes are (a folder or a jar): the only thing a plugin compiles against. */
    private static Path spiClasses() {
        try {
            return Path.of(Plugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
