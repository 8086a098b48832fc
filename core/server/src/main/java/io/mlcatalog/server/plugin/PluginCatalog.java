package io.mlcatalog.server.plugin;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.ReceiverFactory;
import io.mlcatalog.spi.SourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The source and receiver types the installed plugins offer: those on the server's classpath (the
 * built-in plugins) and those in the jars of the plugins folder, each jar in a class loader of its own
 * that sees only the SPI and the JDK besides the jar. A jar that cannot be loaded is reported and
 * skipped; the others still load.
 */
public final class PluginCatalog {
    private static final Logger log = LoggerFactory.getLogger(PluginCatalog.class);

    private final Map<String, SourceFactory> sources;
    private final Map<String, ReceiverFactory> receivers;
    private final Map<String, String> origins;
    private final List<String> problems;

    private PluginCatalog(Map<String, SourceFactory> sources, Map<String, ReceiverFactory> receivers, Map<String, String> origins,
                          List<String> problems) {
        this.sources = Collections.unmodifiableMap(sources);
        this.receivers = Collections.unmodifiableMap(receivers);
        this.origins = Collections.unmodifiableMap(origins);
        this.problems = List.copyOf(problems);
    }

    /** Discovers the plugins on {@code classpath} and in {@code pluginsDir} (may be null or absent). */
    public static PluginCatalog discover(ClassLoader classpath, Path pluginsDir) {
        Map<String, SourceFactory> sources = new LinkedHashMap<>();
        Map<String, ReceiverFactory> receivers = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        load(ServiceLoader.load(Plugin.class, classpath), "classpath", sources, receivers, origins, problems);
        if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
            List<Path> jars;
            try (Stream<Path> files = Files.list(pluginsDir)) {
                jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
            } catch (IOException e) {
                throw new PluginConfigError("cannot list the plugins folder " + pluginsDir + ": " + e.getMessage());
            }
            SpiOnlyClassLoader spi = new SpiOnlyClassLoader(classpath);
            for (Path jar : jars) {
                // a class loader over a file that is no jar finds nothing and says nothing: check first, so the report says why
                try (JarFile readable = new JarFile(jar.toFile())) {
                    readable.size();
                } catch (IOException e) {
                    problems.add(jar.getFileName() + ": not a readable jar file (" + e.getMessage() + ")");
                    continue;
                }
                try {
                    URLClassLoader loader = new URLClassLoader("plugin:" + jar.getFileName(), new URL[]{jar.toUri().toURL()}, spi);
                    int reported = problems.size();
                    int found = load(ServiceLoader.load(Plugin.class, loader), jar.getFileName().toString(), sources, receivers, origins,
                            problems);
                    // a provider that failed to load was reported already; "no plugin" would send people looking for the wrong thing
                    if (found == 0 && problems.size() == reported) {
                        problems.add(jar.getFileName() + ": no plugin in it (is META-INF/services/io.mlcatalog.spi.Plugin missing?)");
                    }
                } catch (MalformedURLException e) {
                    problems.add(jar.getFileName() + ": " + e.getMessage());
                }
            }
        }
        problems.forEach(p -> log.error("plugin skipped: {}", p));
        return new PluginCatalog(sources, receivers, origins, problems);
    }

    private static int load(ServiceLoader<Plugin> loader, String origin, Map<String, SourceFactory> sources,
                            Map<String, ReceiverFactory> receivers, Map<String, String> origins, List<String> problems) {
        int found = 0;
        var it = loader.iterator();
        while (true) {
            Plugin plugin;
            try {
                if (!it.hasNext()) {
                    break;
                }
                plugin = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add(origin + ": cannot load a plugin: " + rootMessage(e));
                // a broken provider can leave the iterator unusable: skip the rest of this origin
                break;
            }
            found++;
            try {
                for (SourceFactory f : plugin.sources()) {
                    register(f.type(), f, sources, origin, origins, problems, receivers.containsKey(f.type()));
                }
                for (ReceiverFactory f : plugin.receivers()) {
                    register(f.type(), f, receivers, origin, origins, problems, sources.containsKey(f.type()));
                }
            } catch (RuntimeException | LinkageError e) {
                problems.add(origin + ": plugin " + plugin.getClass().getName() + " failed to list its types: " + rootMessage(e));
            }
        }
        return found;
    }

    private static <F> void register(String type, F factory, Map<String, F> into, String origin, Map<String, String> origins,
                                     List<String> problems, boolean takenByOtherKind) {
        if (type == null || type.isBlank()) {
            problems.add(origin + ": a plugin type has no name");
        } else if (into.containsKey(type) || takenByOtherKind) {
            problems.add(origin + ": type '" + type + "' is already offered by " + origins.get(type) + "; this one is ignored");
        } else {
            into.put(type, factory);
            origins.put(type, origin);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    public Map<String, SourceFactory> sources() {
        return sources;
    }

    public Map<String, ReceiverFactory> receivers() {
        return receivers;
    }

    /** Where a type came from: {@code classpath} or the jar's file name. */
    public String origin(String type) {
        return origins.get(type);
    }

    /** Jars or plugins that could not be loaded, and why. */
    public List<String> problems() {
        return problems;
    }
}
