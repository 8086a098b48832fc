package io.mlcatalog.server.plugin;

import io.mlcatalog.server.store.PluginStore;
import io.mlcatalog.spi.IngestReceiver;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.ReceiverContext;
import io.mlcatalog.spi.ReceiverFactory;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The configured plugin instances, created and checked at start-up: an unknown type, a missing
 * setting or a bad value stops start-up here, naming the instance and the key. Then pull sources are
 * polled on their schedules ({@link #start}) and receivers answer their requests.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final Map<String, SourceRunner> sources;
    private final Map<String, Receiver> receivers;
    private final Map<String, String> types;
    private final List<String> disabled;
    private final Map<String, String> defaultPaths;
    private final PluginStore store;
    private final SourceLeases leases;

    /** A receiver instance with its settings. */
    public record Receiver(String instance, String type, IngestReceiver receiver, PluginsConfig.Instance config) {
    }

    private PluginHost(Map<String, SourceRunner> sources, Map<String, Receiver> receivers, Map<String, String> types, List<String> disabled,
                       Map<String, String> defaultPaths, PluginStore store, SourceLeases leases) {
        this.leases = leases;
        this.sources = sources;
        this.receivers = receivers;
        this.types = types;
        this.disabled = disabled;
        this.defaultPaths = defaultPaths;
        this.store = store;
    }

    /**
     * Creates every enabled instance of {@code config}.
     *
     * @param workRoot the folder under which each instance gets a work directory of its own
     * @param env      resolves {@code ${env:NAME}} and {@code MLCATALOG_PLUGIN_*} overrides (System::getenv)
     * @param leases   which node polls each source (the caller closes it after this host)
     * @throws PluginConfigError naming the instance and the key
     */
    public static PluginHost create(PluginCatalog catalog, PluginsConfig config, BatchWriter writer, PluginStore store, Path workRoot,
                                    Clock clock, Function<String, String> env, SourceLeases leases) {
        Map<String, SourceRunner> sources = new LinkedHashMap<>();
        Map<String, Receiver> receivers = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        List<String> disabled = new ArrayList<>();
        try {
            for (PluginsConfig.Instance instance : withDefaultInstances(catalog, config, env)) {
                types.put(instance.name(), instance.type());
                SourceFactory sourceFactory = catalog.sources().get(instance.type());
                ReceiverFactory receiverFactory = catalog.receivers().get(instance.type());
                if (sourceFactory == null && receiverFactory == null) {
                    throw new PluginConfigError(unknownType(catalog, instance));
                }
                InstanceSettings settings = InstanceSettings.check(instance.name(),
                        sourceFactory != null ? sourceFactory.settings() : receiverFactory.settings(), instance.settings(), env);
                if (!instance.enabled()) {
                    disabled.add(instance.name());
                    continue;
                }
                if (sourceFactory != null) {
                    SourceRunner.CommittedCheckpoints checkpoints = new SourceRunner.CommittedCheckpoints();
                    Context context = new Context(instance.name(), settings, clock, checkpoints, workRoot.resolve(instance.name()));
                    IngestSource source = create(instance, sourceFactory, () -> sourceFactory.create(context));
                    sources.put(instance.name(), new SourceRunner(instance.name(), source, instance, writer, store, clock, checkpoints,
                            leases));
                } else {
                    Context context = new Context(instance.name(), settings, clock, null, workRoot.resolve(instance.name()));
                    IngestReceiver receiver = create(instance, receiverFactory, () -> receiverFactory.create(context));
                    if (instance.acknowledge() == PluginsConfig.Acknowledge.QUEUED && !receiver.replayable()) {
                        closeQuietly(receiver);
                        throw new PluginConfigError("plugin instance '" + instance.name() + "': acknowledge 'queued' needs a receiver that "
                                + "maps a stored request again the same way, and type '" + instance.type() + "' does not say it does");
                    }
                    receivers.put(instance.name(), new Receiver(instance.name(), instance.type(), receiver, instance));
                }
                log.info("plugin instance {} ({} from {}) {}", instance.name(), instance.type(), catalog.origin(instance.type()), settings);
            }
        } catch (RuntimeException e) {
            sources.values().forEach(SourceRunner::close);
            receivers.values().forEach(r -> closeQuietly(r.receiver()));
            throw e;
        }
        return new PluginHost(sources, receivers, types, disabled, defaultPaths(catalog, receivers), store, leases);
    }

    /**
     * The configured instances, plus one with default settings for each receiver type that has a
     * well-known path and no instance configured (so that, say, OpenLineage clients work out of the box).
     */
    private static List<PluginsConfig.Instance> withDefaultInstances(PluginCatalog catalog, PluginsConfig config,
                                                                     Function<String, String> env) {
        List<PluginsConfig.Instance> instances = new ArrayList<>(config.instances());
        catalog.receivers().forEach((type, factory) -> {
            boolean configured = config.instances().stream().anyMatch(i -> i.type().equals(type) || i.name().equals(type));
            boolean needsSettings = factory.settings().stream().anyMatch(io.mlcatalog.spi.Setting::required);
            if (factory.defaultPath().isPresent() && !configured && !needsSettings) {
                // the same overrides as a configured instance's (MLCATALOG_PLUGIN_OPENLINEAGE_ACKNOWLEDGE=queued, say)
                instances.add(PluginsConfig.implicitInstance(type, env));
            }
        });
        return instances;
    }

    /** Well-known path → the one enabled instance of the type that declares it. */
    private static Map<String, String> defaultPaths(PluginCatalog catalog, Map<String, Receiver> receivers) {
        Map<String, String> paths = new LinkedHashMap<>();
        catalog.receivers().forEach((type, factory) -> factory.defaultPath().ifPresent(path -> {
            List<String> instances = receivers.values().stream().filter(r -> r.type().equals(type)).map(Receiver::instance).toList();
            if (instances.size() == 1) {
                paths.put(path, instances.get(0));
            } else if (instances.size() > 1) {
                log.warn("{} instances of type {} ({}): none is mounted at {}; clients must use /ingest/<instance>/", instances.size(), type,
                        String.join(", ", instances), path);
            }
        }));
        return paths;
    }

    /** The well-known paths and the instance each is mounted to. */
    public Map<String, String> defaultPaths() {
        return Map.copyOf(defaultPaths);
    }

    /**
     * Checks every instance's type and settings without creating anything, so that a configuration
     * mistake stops start-up before the database starts.
     *
     * @throws PluginConfigError naming the instance and the key
     */
    public static void check(PluginCatalog catalog, PluginsConfig config, Function<String, String> env) {
        for (PluginsConfig.Instance instance : config.instances()) {
            SourceFactory source = catalog.sources().get(instance.type());
            ReceiverFactory receiver = catalog.receivers().get(instance.type());
            if (source == null && receiver == null) {
                throw new PluginConfigError(unknownType(catalog, instance));
            }
            InstanceSettings.check(instance.name(), source != null ? source.settings() : receiver.settings(), instance.settings(), env);
        }
    }

    private static String unknownType(PluginCatalog catalog, PluginsConfig.Instance instance) {
        TreeSet<String> known = new TreeSet<>(catalog.sources().keySet());
        known.addAll(catalog.receivers().keySet());
        String message = "plugin instance '" + instance.name() + "': unknown type '" + instance.type() + "' (installed types: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + ")";
        if (!catalog.problems().isEmpty()) {
            message += "; some plugins could not be loaded: " + String.join("; ", catalog.problems());
        }
        return message;
    }

    private static <T> T create(PluginsConfig.Instance instance, Object factoryObject, java.util.function.Supplier<T> factory) {
        try {
            return withPluginClassLoader(factoryObject, factory::get);
        } catch (PluginConfigException e) {
            throw PluginConfigError.of(instance.name(), e);
        } catch (RuntimeException | LinkageError e) {
            throw new PluginConfigError("plugin instance '" + instance.name() + "' (" + instance.type() + ") could not be created: "
                    + SourceRunner.describe(e));
        }
    }

    /**
     * Runs plugin code with the plugin's class loader as the thread's context class loader, as its poll
     * thread has: a library that loads through the context class loader must find the plugin's own jar,
     * not the server's classpath.
     */
    public static <T, E extends Exception> T withPluginClassLoader(Object plugin, PluginCall<T, E> call) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(plugin.getClass().getClassLoader());
        try {
            return call.call();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** A call into plugin code. */
    @FunctionalInterface
    public interface PluginCall<T, E extends Exception> {
        T call() throws E;
    }

    /** Records every instance's status as starting (or disabled) and starts polling the sources. Call once. */
    public void start() {
        recordStatus();
        sources.values().forEach(SourceRunner::start);
    }

    /** Records every instance's status as starting (or disabled), without scheduling polls. */
    public void recordStatus() {
        try {
            SourceRunner.get(store.retainOnly(List.copyOf(types.keySet())));
            for (var e : types.entrySet()) {
                SourceRunner.get(disabled.contains(e.getKey()) ? store.disabled(e.getKey(), e.getValue())
                        : store.starting(e.getKey(), e.getValue(), leases.node()));
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not record plugin status: " + SourceRunner.describe(e), e);
        }
    }

    /** Tells {@code observer} about every poll of every source from now on (the metrics count them). */
    public void observePolls(java.util.function.Consumer<PollOutcome> observer) {
        sources.values().forEach(r -> r.observer = observer);
    }

    /** Polls a source now, once, and writes what it emitted (blocks; call from a worker thread). */
    public PollOutcome pollNow(String instance) {
        SourceRunner runner = sources.get(instance);
        if (runner == null) {
            throw new IllegalArgumentException(types.containsKey(instance) ? "plugin instance '" + instance + "' is not a pull source"
                    + (disabled.contains(instance) ? " or is disabled" : "") : "no plugin instance named '" + instance + "'");
        }
        return runner.pollOnce();
    }

    /**
     * Records in a receiver instance's status that a request failed or that the catalog refused its
     * records (then nothing of it was written), so that status shows why as it does for sources. Blocks;
     * call from a worker thread. Never throws.
     *
     * @param rejected how many records were refused
     */
    public void receiverFailed(String instance, String error, int rejected) {
        try {
            SourceRunner.get(store.failed(instance, error, rejected));
        } catch (Exception e) {
            log.warn("plugin instance {}: could not record its status ({}): {}", instance, error, SourceRunner.describe(e));
        }
    }

    /** The receiver instances whose requests may be stored and replayed ({@link IngestReceiver#replayable}). */
    public List<String> replayableReceivers() {
        return receivers.values().stream().filter(r -> r.receiver().replayable()).map(Receiver::instance).toList();
    }

    /** The receiver instances configured {@code acknowledge: queued}. */
    public List<String> queuedReceivers() {
        return receivers.values().stream().filter(r -> r.config().acknowledge() == PluginsConfig.Acknowledge.QUEUED)
                .map(Receiver::instance).toList();
    }

    public Optional<Receiver> receiver(String instance) {
        return Optional.ofNullable(receivers.get(instance));
    }

    /** Every configured instance and its type. */
    public Map<String, String> instances() {
        return Map.copyOf(types);
    }

    @Override
    public void close() {
        sources.values().forEach(SourceRunner::close);
        receivers.values().forEach(r -> closeQuietly(r.receiver()));
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("a plugin did not close cleanly: {}", SourceRunner.describe(e));
        }
    }

    /** What the host hands an instance. */
    private static final class Context implements SourceContext, ReceiverContext {
        private final String instance;
        private final PluginConfig config;
        private final Clock clock;
        private final SourceRunner.CommittedCheckpoints checkpoints;
        private final Path workDirectory;
        private final System.Logger logger;

        Context(String instance, PluginConfig config, Clock clock, SourceRunner.CommittedCheckpoints checkpoints, Path workDirectory) {
            this.instance = instance;
            this.config = config;
            this.clock = clock;
            this.checkpoints = checkpoints;
            this.workDirectory = workDirectory;
            this.logger = System.getLogger("io.mlcatalog.plugin." + instance);
        }

        @Override
        public String instance() {
            return instance;
        }

        @Override
        public PluginConfig config() {
            return config;
        }

        @Override
        public System.Logger logger() {
            return logger;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public io.mlcatalog.spi.Checkpoints checkpoints() {
            return checkpoints;
        }

        @Override
        public Path workDirectory() {
            try {
                return Files.createDirectories(workDirectory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the work directory of plugin instance " + instance, e);
            }
        }
    }
}
