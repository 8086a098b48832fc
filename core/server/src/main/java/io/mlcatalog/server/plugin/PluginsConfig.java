package io.mlcatalog.server.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import io.mlcatalog.server.model.Access;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plugin instances of {@code mlcatalog.yaml}:
 * <pre>
 * plugins:
 *   - name: acme-git          # unique; receivers are mounted under /ingest/acme-git/
 *     type: git               # a source or receiver type offered by an installed plugin
 *     schedule: 5m            # sources: how often to poll (default 1m)
 *     timeout: 2m             # sources: a poll running longer is abandoned (default 10m)
 *     enabled: true
 *     token: ${env:TOKEN}     # receivers: requests must carry "Authorization: Bearer <token>"
 *     maxBodyBytes: 8388608   # receivers: the largest request body (default 8 MiB)
 *     acknowledge: written    # receivers: answer once the records are written (default), or once the request
 *                             # is stored ("queued"): they are written behind, see docs/operations.md
 *     namespaces: [growth]    # the only namespaces the instance writes in ("*": any, the default)
 *     promote: [growth]       # of those, where it may move protected aliases (default: none)
 *     settings:               # checked against what the type declares
 *       repository: /srv/git/churn-model
 *       token: ${env:GIT_TOKEN}
 * </pre>
 * An environment variable {@code MLCATALOG_PLUGIN_<NAME>_<KEY>} overrides {@code schedule}, {@code timeout},
 * {@code enabled}, {@code token}, {@code maxBodyBytes} or {@code acknowledge}, and {@code MLCATALOG_PLUGIN_<NAME>_SETTINGS_<KEY>} a
 * setting ({@code <NAME>} and {@code <KEY>} upper-cased, other characters as {@code _}; the {@code SETTINGS_}
 * keeps a setting called {@code token} apart from the instance's {@code token}): for {@code acme-git} above,
 * {@code MLCATALOG_PLUGIN_ACME_GIT_SCHEDULE=30s} and {@code MLCATALOG_PLUGIN_ACME_GIT_SETTINGS_REPOSITORY=/srv/git/other}.
 * A problem stops start-up with a message naming the instance and the key.
 */
public record PluginsConfig(List<Instance> instances) {
    static final Duration DEFAULT_SCHEDULE = Duration.ofMinutes(1);
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    static final long DEFAULT_MAX_BODY_BYTES = 8L * 1024 * 1024;
    /** The largest maxBodyBytes: a body is read into one array. */
    static final long MAX_BODY_BYTES = 1L << 30;
    private static final Set<String> INSTANCE_KEYS = Set.of("name", "type", "schedule", "timeout", "enabled", "token", "maxBodyBytes",
            "acknowledge", "namespaces", "promote", "settings");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static final PluginsConfig EMPTY = new PluginsConfig(List.of());

    public PluginsConfig {
        instances = List.copyOf(instances);
    }

    /** When a receiver answers a request that carries records. */
    public enum Acknowledge {
        /** Once its records are written (committed): what the client sees next is in the catalog. */
        WRITTEN,
        /**
         * Once the request is stored (committed to the intake queue): its records are written behind, in large
         * transactions. Many more requests a second, at the price of a moment between the answer and the catalog.
         */
        QUEUED
    }

    /**
     * One configured instance, as written (settings are checked against the type later).
     *
     * @param token        receivers: the bearer token a request must carry, or null for none
     * @param maxBodyBytes receivers: the largest request body
     * @param acknowledge  receivers: when a request is answered
     * @param access       the namespaces it may write (and promote) in, or null for any
     */
    public record Instance(String name, String type, Duration schedule, Duration timeout, boolean enabled, String token,
                           long maxBodyBytes, Acknowledge acknowledge, Access access, Map<String, Object> settings) {
        public Instance {
            settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    /** Reads the file; {@code env} resolves {@code ${env:NAME}} references and overrides (System::getenv in production). */
    public static PluginsConfig load(Path file, Function<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new PluginConfigError(file + ": cannot read it: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return EMPTY;
        }
        if (!root.isObject()) {
            throw new PluginConfigError(file + ": expected a mapping with a 'plugins:' list");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("plugins") && !key.equals("webhooks")) {
                throw new PluginConfigError(file + ": unknown key '" + key + "' (only 'plugins:' and 'webhooks:' are read)");
            }
        }
        JsonNode list = root.path("plugins");
        if (list.isMissingNode() || list.isNull()) {
            return EMPTY;
        }
        if (!list.isArray()) {
            throw new PluginConfigError(file + ": 'plugins' must be a list of instances");
        }
        List<Instance> instances = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode node : list) {
            Instance instance = instance(file, index++, node, env);
            if (!names.add(instance.name())) {
                throw new PluginConfigError(file + ": two plugin instances are named '" + instance.name() + "'");
            }
            instances.add(instance);
        }
        return new PluginsConfig(instances);
    }

    private static Instance instance(Path file, int index, JsonNode node, Function<String, String> env) {
        String where = file + ": plugins[" + index + "]";
        if (!node.isObject()) {
            throw new PluginConfigError(where + ": expected a mapping with name, type and settings");
        }
        String name = node.path("name").asText("");
        // name the instance in every message once its name is known: "plugins[3]" makes people count
        String instanceWhere = NAME.matcher(name).matches() ? "plugin instance '" + name + "'" : where;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!INSTANCE_KEYS.contains(key)) {
                throw new PluginConfigError(instanceWhere + ": unknown key '" + key
                        + "' (known: name, type, schedule, timeout, enabled, token, maxBodyBytes, acknowledge, namespaces, promote, settings)");
            }
        }
        if (!NAME.matcher(name).matches()) {
            throw new PluginConfigError(where + ": name '" + name + "' must be 1 to 63 lower-case letters, digits, '-' or '_'");
        }
        String type = node.path("type").asText("");
        if (type.isBlank()) {
            throw new PluginConfigError(instanceWhere + ": type is required");
        }
        String schedule = override(env, name, "schedule", node.path("schedule").asText(null));
        String timeout = override(env, name, "timeout", node.path("timeout").asText(null));
        String enabled = override(env, name, "enabled", node.has("enabled") ? node.path("enabled").asText() : null);
        String token = resolve(name, "'token'", override(env, name, "token", node.path("token").asText(null)), env);
        String maxBody = override(env, name, "maxBodyBytes", node.path("maxBodyBytes").asText(null));
        long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        if (maxBody != null) {
            try {
                maxBodyBytes = Long.parseLong(maxBody.strip());
            } catch (NumberFormatException e) {
                maxBodyBytes = -1;
            }
            if (maxBodyBytes <= 0) {
                throw new PluginConfigError(instanceWhere + ": maxBodyBytes '" + maxBody + "' is not a positive number of bytes");
            }
            if (maxBodyBytes > MAX_BODY_BYTES) {
                // a body is read into one array: past 1 GiB, a request is better split (OpenLineage batches are)
                throw new PluginConfigError(instanceWhere + ": maxBodyBytes " + maxBodyBytes + " is over the most a receiver reads, "
                        + MAX_BODY_BYTES + " (1 GiB)");
            }
        }
        String ack = override(env, name, "acknowledge", node.path("acknowledge").asText(null));
        Acknowledge acknowledge = Acknowledge.WRITTEN;
        if (ack != null) {
            acknowledge = switch (ack.strip().toLowerCase(Locale.ROOT)) {
                case "written" -> Acknowledge.WRITTEN;
                case "queued" -> Acknowledge.QUEUED;
                default -> throw new PluginConfigError(instanceWhere + ": acknowledge '" + ack + "' is not 'written' or 'queued'");
            };
        }
        Access access = access(instanceWhere, node);
        Map<String, Object> settings = new LinkedHashMap<>();
        JsonNode s = node.path("settings");
        if (!s.isMissingNode() && !s.isNull()) {
            if (!s.isObject()) {
                throw new PluginConfigError(instanceWhere + ": settings must be a mapping");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                // a mapping stays one, for InstanceSettings to refuse by name (asText() would make it "", as if unset)
                settings.put(e.getKey(), v.isArray() ? listOf(v) : v.isObject() ? YAML.convertValue(v, Map.class) : v.isNull() ? null : v.asText());
            }
        }
        return new Instance(name, type,
                schedule == null ? DEFAULT_SCHEDULE : duration(instanceWhere, "schedule", schedule),
                timeout == null ? DEFAULT_TIMEOUT : duration(instanceWhere, "timeout", timeout),
                enabled == null || bool(instanceWhere, "enabled", enabled),
                token == null || token.isBlank() ? null : token, maxBodyBytes, acknowledge, access,
                settings);
    }

    /** {@code namespaces:} and {@code promote:} as an access, or null when the instance may write anywhere. */
    private static Access access(String where, JsonNode node) {
        List<String> write = namespaceList(where, "namespaces", node.path("namespaces"));
        List<String> promote = namespaceList(where, "promote", node.path("promote"));
        if (write == null && promote == null) {
            return null;
        }
        if (write == null) {
            write = List.of();
        }
        if (write.contains(Access.ALL_NAMESPACES) && (promote == null || promote.isEmpty())) {
            return null;
        }
        for (String p : promote == null ? List.<String>of() : promote) {
            if (!write.contains(p) && !write.contains(Access.ALL_NAMESPACES)) {
                throw new PluginConfigError(where + ": promote names '" + p + "', which is not among its namespaces");
            }
        }
        return Access.namespaces(write, promote == null ? List.of() : promote);
    }

    private static List<String> namespaceList(String where, String key, JsonNode v) {
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        List<String> result = new ArrayList<>();
        if (v.isTextual()) {
            result.add(v.asText());
        } else if (v.isArray()) {
            v.forEach(e -> result.add(e.asText("")));
        } else {
            throw new PluginConfigError(where + ": " + key + " must be a list of namespaces, like [growth, risk]");
        }
        for (String ns : result) {
            if (ns.isBlank() || ns.length() > 256) {
                throw new PluginConfigError(where + ": " + key + " has an empty or over-long namespace");
            }
        }
        return result.stream().map(String::strip).toList();
    }

    /** Each instance's namespaces, for those whose configuration limits them. */
    public Map<String, Access> instanceLimits() {
        Map<String, Access> m = new LinkedHashMap<>();
        instances.forEach(i -> {
            if (i.access() != null) {
                m.put(i.name(), i.access());
            }
        });
        return m;
    }

    /**
     * The instance the host runs for a receiver type with a well-known path when none is configured: named
     * after the type, default settings, with the environment's overrides applied as to a configured one.
     */
    static Instance implicitInstance(String type, Function<String, String> env) {
        ObjectNode node = YAML.createObjectNode();
        node.put("name", type);
        node.put("type", type);
        return instance(null, -1, node, env);
    }

    private static List<String> listOf(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The environment variable that overrides {@code key} of instance {@code name}. */
    public static String overrideVariable(String name, String key) {
        return "MLCATALOG_PLUGIN_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_"
                + key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    static String override(Function<String, String> env, String name, String key, String value) {
        String v = env.apply(overrideVariable(name, key));
        return v != null ? v : value;
    }

    /**
     * Replaces {@code ${env:NAME}} (or {@code ${env:NAME:-default}}) with the variable's value.
     *
     * @param what the key, as the message should name it ({@code 'token'}, {@code setting 'repository'})
     */
    static String resolve(String instance, String what, String value, Function<String, String> env) {
        return resolveEnv("plugin instance '" + instance + "': " + what, value, env);
    }

    /** As above, for any part of mlcatalog.yaml: {@code where} names it in the message. */
    public static String resolveEnv(String where, String value, Function<String, String> env) {
        if (value == null) {
            return null;
        }
        Matcher m = ENV_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null) {
                v = m.group(2);
            }
            if (v == null) {
                throw new PluginConfigError(where + " refers to environment variable " + m.group(1) + ", which is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    static Duration duration(String where, String key, String text) {
        Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new PluginConfigError(where + ": " + key + " '" + text + "' is not a duration (examples: 500ms, 30s, 5m, 2h)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero()) {
            throw new PluginConfigError(where + ": " + key + " must be longer than 0");
        }
        return d;
    }

    static boolean bool(String where, String key, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new PluginConfigError(where + ": " + key + " '" + text + "' is not true or false");
        };
    }
}
