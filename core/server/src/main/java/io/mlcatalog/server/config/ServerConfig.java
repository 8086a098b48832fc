package io.mlcatalog.server.config;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * How to run the catalog.
 *
 * @param host        the address to listen on
 * @param port        the HTTP port (0: any free port)
 * @param dataDir     where the embedded PostgreSQL keeps its data (unused with a database URL)
 * @param databaseUrl an external PostgreSQL ({@code postgresql://…}), or null for the embedded one
 * @param poolSize    connections to PostgreSQL
 * @param limits      request limits
 * @param plugins     which plugin instances to run
 * @param security    access control
 * @param readDatabaseUrl a streaming replica of {@code databaseUrl} that queries read from, or null
 */
public record ServerConfig(String host, int port, Path dataDir, String databaseUrl, int poolSize, Limits limits, Plugins plugins,
                           Security security, String readDatabaseUrl) {

    /**
     * Plugin instances.
     *
     * @param configFile the {@code mlcatalog.yaml} that lists them, or null for none
     * @param pluginsDir a folder of plugin jars, or null
     * @param schedule   whether to poll sources on their schedules (false: only when asked, as {@code ingest --once} does)
     */
    public record Plugins(Path configFile, Path pluginsDir, boolean schedule) {
        public static final Plugins NONE = new Plugins(null, null, true);
    }

    public ServerConfig(String host, int port, Path dataDir, String databaseUrl, int poolSize, Limits limits) {
        this(host, port, dataDir, databaseUrl, poolSize, limits, Plugins.NONE);
    }

    public ServerConfig(String host, int port, Path dataDir, String databaseUrl, int poolSize, Limits limits, Plugins plugins) {
        this(host, port, dataDir, databaseUrl, poolSize, limits, plugins, Security.DEFAULT);
    }

    public ServerConfig(String host, int port, Path dataDir, String databaseUrl, int poolSize, Limits limits, Plugins plugins,
                        Security security) {
        this(host, port, dataDir, databaseUrl, poolSize, limits, plugins, security, null);
    }

    public ServerConfig {
        requireNonNull(host, "host is null");
        requireNonNull(limits, "limits is null");
        requireNonNull(plugins, "plugins is null");
        requireNonNull(security, "security is null");
        if (databaseUrl == null) {
            requireNonNull(dataDir, "dataDir is null (needed for the embedded PostgreSQL)");
        }
        if (readDatabaseUrl != null && databaseUrl == null) {
            throw new IllegalArgumentException("--read-database-url needs --database-url: the replica is of a PostgreSQL you run, "
                    + "not of the embedded one");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be positive, got " + poolSize);
        }
    }

    public ServerConfig withPlugins(Plugins p) {
        return new ServerConfig(host, port, dataDir, databaseUrl, poolSize, limits, p, security, readDatabaseUrl);
    }

    public ServerConfig withSecurity(Security s) {
        return new ServerConfig(host, port, dataDir, databaseUrl, poolSize, limits, plugins, s, readDatabaseUrl);
    }

    public ServerConfig withReadDatabaseUrl(String url) {
        return new ServerConfig(host, port, dataDir, databaseUrl, poolSize, limits, plugins, security, url);
    }

    /** Where plugin instances keep their own files (clones, caches). */
    public Path pluginWorkDir() {
        return (dataDir != null ? dataDir : defaultDataDir()).resolve("plugin-work");
    }

    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".mlcatalog");
    }
}
