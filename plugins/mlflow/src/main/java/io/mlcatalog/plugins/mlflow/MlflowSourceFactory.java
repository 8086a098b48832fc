package io.mlcatalog.plugins.mlflow;

import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Creates {@code mlflow} sources. The tracking URI says how MLflow is read, as MLflow's own {@code MLFLOW_TRACKING_URI}
 * does: {@code http(s)://…} its REST API, {@code sqlite:///…} (or a path ending in {@code .db}) its SQL store, a folder
 * or {@code file:///…} its file store. Whether it is there is found out by each poll, not here.
 */
public final class MlflowSourceFactory implements SourceFactory {
    public static final String TYPE = "mlflow";
    static final String TRACKING_URI = "trackingUri";
    static final String NAMESPACE = "namespace";
    static final String EXPERIMENTS = "experiments";
    static final String REGISTRY = "registry";
    static final String TOKEN = "token";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String MAX_RUNS_PER_POLL = "maxRunsPerPoll";
    static final String PAGE_SIZE = "pageSize";
    static final String REQUEST_TIMEOUT = "requestTimeout";
    static final String WORKSPACE = "workspace";
    static final String LOOK_BACK = "lookBack";
    static final String STALE_AFTER = "staleAfter";

    private static final List<Setting> SETTINGS = List.of(
            Setting.required(TRACKING_URI, Setting.Type.STRING, "where MLflow is, as MLFLOW_TRACKING_URI says it: http(s)://host:port "
                    + "(its REST API), sqlite:///path/mlflow.db (its SQL store), or the mlruns folder (its file store)"),
            Setting.optional(NAMESPACE, Setting.Type.STRING, "default", "the catalog namespace of the runs, datasets and models"),
            Setting.optional(EXPERIMENTS, Setting.Type.LIST, "", "the experiments to read, by name or id (default: every active one)"),
            Setting.optional(REGISTRY, Setting.Type.BOOLEAN, "true", "read the model registry: registered models' versions and aliases"),
            Setting.secret(TOKEN, false, "REST: a bearer token (MLFLOW_TRACKING_TOKEN); give it as ${env:NAME}"),
            Setting.optional(USERNAME, Setting.Type.STRING, null, "REST: the user of MLflow's basic authentication (MLFLOW_TRACKING_USERNAME)"),
            Setting.secret(PASSWORD, false, "REST: the password of that user (MLFLOW_TRACKING_PASSWORD); give it as ${env:NAME}"),
            Setting.optional(MAX_RUNS_PER_POLL, Setting.Type.INT, "20000", "runs read in one poll at most, oldest first (the next poll goes on)"),
            Setting.optional(PAGE_SIZE, Setting.Type.INT, "1000", "REST: runs asked for per page (MLflow answers at most 50,000)"),
            Setting.optional(REQUEST_TIMEOUT, Setting.Type.DURATION, "30s", "REST: how long one request may take"),
            Setting.optional(WORKSPACE, Setting.Type.STRING, "default", "SQL store: the MLflow workspace read, where the database has them"),
            Setting.optional(LOOK_BACK, Setting.Type.DURATION, "1h", "runs that started this long before the newest one read are read again "
                    + "(a client's clock may be behind)"),
            Setting.optional(STALE_AFTER, Setting.Type.DURATION, "168h", "a run still running this long after it started is no longer "
                    + "read again every poll (a notebook that died leaves its run RUNNING)"));

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Setting> settings() {
        return SETTINGS;
    }

    @Override
    public IngestSource create(SourceContext context) {
        PluginConfig config = context.config();
        String namespace = config.require(NAMESPACE).strip();
        if (namespace.isEmpty()) {
            throw new PluginConfigException(NAMESPACE, "must not be blank");
        }
        int maxRuns = config.getInt(MAX_RUNS_PER_POLL);
        if (maxRuns < 1 || maxRuns > 50_000) {
            throw new PluginConfigException(MAX_RUNS_PER_POLL, "must be between 1 and 50000, got " + maxRuns);
        }
        Set<String> experiments = new LinkedHashSet<>();
        config.getList(EXPERIMENTS).forEach(e -> {
            if (!e.isBlank()) {
                experiments.add(e.strip());
            }
        });
        // durations: the host has refused one that is not positive
        return new MlflowSource(context, tracking(config), namespace, experiments, config.getBoolean(REGISTRY), maxRuns,
                config.getDuration(LOOK_BACK), config.getDuration(STALE_AFTER));
    }

    static Tracking tracking(PluginConfig config) {
        String uri = config.require(TRACKING_URI).strip();
        if (uri.isEmpty()) {
            throw new PluginConfigException(TRACKING_URI, "must not be blank");
        }
        String lower = uri.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            URI base;
            try {
                base = URI.create(uri);
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(TRACKING_URI, "is not a URL: " + e.getMessage());
            }
            if (base.getHost() == null) {
                throw new PluginConfigException(TRACKING_URI, "names no host: http(s)://host:port");
            }
            if (base.getUserInfo() != null) {
                throw new PluginConfigException(TRACKING_URI, "must not hold credentials: give them as username and password");
            }
            // a secret read from a file often ends in a line break: it is no part of the secret
            String token = config.get(TOKEN).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
            String user = config.get(USERNAME).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
            String password = config.get(PASSWORD).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
            if ((user == null) != (password == null)) {
                throw new PluginConfigException(user == null ? USERNAME : PASSWORD, "is needed with the other of username and password");
            }
            if (token != null && user != null) {
                throw new PluginConfigException(TOKEN, "and username/password are two ways to sign in: give one");
            }
            int pageSize = config.getInt(PAGE_SIZE);
            if (pageSize < 1 || pageSize > 50_000) {
                throw new PluginConfigException(PAGE_SIZE, "must be between 1 and 50000, got " + pageSize);
            }
            Duration timeout = config.getDuration(REQUEST_TIMEOUT);
            RestTracking.Credentials credentials = RestTracking.Credentials.of(token, user, password);
            if (credentials.authorization() != null) {
                try {
                    java.net.http.HttpRequest.newBuilder(base).header("Authorization", credentials.authorization());
                } catch (IllegalArgumentException e) {
                    // the JDK's message quotes the value: only which setting is said
                    throw new PluginConfigException(token != null ? TOKEN : PASSWORD, "holds a character no HTTP header may (a control character?)");
                }
            }
            return new RestTracking(base, credentials, pageSize, timeout);
        }
        for (String notHere : List.of("postgresql", "mysql", "mssql", "databricks", "uc:")) {
            if (lower.startsWith(notHere)) {
                throw new PluginConfigException(TRACKING_URI, "'" + uri.substring(0, uri.indexOf(':') + 1) + "' stores are read through "
                        + "the MLflow server in front of them: give its http(s):// URL");
            }
        }
        if (lower.startsWith("sqlite:")) {
            // SQLAlchemy's form: sqlite:///relative/path and sqlite:////absolute/path
            String rest = uri.substring("sqlite:".length());
            if (!rest.startsWith("///")) {
                throw new PluginConfigException(TRACKING_URI, "a SQLite URI is sqlite:///relative.db or sqlite:////absolute.db");
            }
            return new SqlTracking(Path.of(rest.substring(3)).toAbsolutePath().normalize(), config.require(WORKSPACE).strip());
        }
        Path path;
        if (lower.startsWith("file:")) {
            try {
                path = Path.of(URI.create(uri));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(TRACKING_URI, "is not a file URI: " + e.getMessage());
            }
        } else if (uri.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new PluginConfigException(TRACKING_URI, "'" + uri.substring(0, uri.indexOf(':') + 1) + "' is not a tracking URI this "
                    + "plugin reads: http(s)://, sqlite:/// or a folder");
        } else {
            path = Path.of(uri);
        }
        path = path.toAbsolutePath().normalize();
        return path.getFileName() != null && path.getFileName().toString().endsWith(".db")
                ? new SqlTracking(path, config.require(WORKSPACE).strip())
                : new FileTracking(path);
    }
}
