package io.mlcatalog.server.plugin;

import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.Setting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * An instance's settings, checked against what its type declares: unknown keys, missing required
 * settings and values of the wrong type are refused here, naming the instance and the key, so that a
 * plugin never sees them. {@code ${env:NAME}} references are resolved; secrets never appear in
 * {@link #toString()}.
 */
public final class InstanceSettings implements PluginConfig {
    private final String instance;
    private final Map<String, Setting> declared;
    private final Map<String, String> values;

    private InstanceSettings(String instance, Map<String, Setting> declared, Map<String, String> values) {
        this.instance = instance;
        this.declared = declared;
        this.values = values;
    }

    /**
     * Checks an instance's settings as the host does at start-up.
     *
     * @throws PluginConfigError naming the instance and the key
     */
    public static InstanceSettings check(String instance, List<Setting> settings, Map<String, Object> raw, Function<String, String> env) {
        Map<String, Setting> declared = new LinkedHashMap<>();
        settings.forEach(s -> declared.put(s.key(), s));
        for (String key : raw.keySet()) {
            if (!declared.containsKey(key)) {
                throw new PluginConfigError(where(instance, key) + "is not a setting of this type"
                        + (declared.isEmpty() ? " (it has none)" : " (known: " + String.join(", ", declared.keySet()) + ")"));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Setting s : settings) {
            Object given = raw.get(s.key());
            if (given instanceof Map<?, ?>) {
                throw new PluginConfigError(where(instance, s.key()) + "must be " + (s.type() == Setting.Type.LIST ? "a list" : "a value")
                        + ", not a mapping");
            }
            if (given instanceof List<?> && s.type() != Setting.Type.LIST) {
                // joined with commas it would pass for one value (a STRING "a,b"): say what is wrong instead
                throw new PluginConfigError(where(instance, s.key()) + "takes one value, not a list");
            }
            String text = given instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                    : given == null ? null : given.toString();
            text = PluginsConfig.override(env, instance, "settings." + s.key(), text);
            text = PluginsConfig.resolve(instance, "setting '" + s.key() + "'", text, env);
            if (text == null || text.isEmpty()) {
                text = s.defaultValue();
            }
            if (text == null) {
                if (s.required()) {
                    throw new PluginConfigError(where(instance, s.key()) + "is required: " + s.description());
                }
                continue;
            }
            checkType(instance, s, text);
            values.put(s.key(), text);
        }
        return new InstanceSettings(instance, declared, Collections.unmodifiableMap(values));
    }

    private static void checkType(String instance, Setting s, String text) {
        String where = where(instance, s.key());
        switch (s.type()) {
            case INT -> {
                try {
                    Integer.parseInt(text.strip());
                } catch (NumberFormatException e) {
                    throw new PluginConfigError(where + "must be a whole number, got '" + shown(s, text) + "'");
                }
            }
            case BOOLEAN -> PluginsConfig.bool("plugin instance '" + instance + "'", "setting '" + s.key() + "'", text);
            case DURATION -> PluginsConfig.duration("plugin instance '" + instance + "'", "setting '" + s.key() + "'", text);
            default -> {
            }
        }
    }

    private static String where(String instance, String key) {
        return "plugin instance '" + instance + "': setting '" + key + "' ";
    }

    private static String shown(Setting s, String text) {
        return s.secret() ? "***" : text;
    }

    @Override
    public Optional<String> get(String key) {
        known(key);
        return Optional.ofNullable(values.get(key));
    }

    @Override
    public int getInt(String key) {
        return Integer.parseInt(require(key).strip());
    }

    @Override
    public boolean getBoolean(String key) {
        return PluginsConfig.bool(instance, key, require(key));
    }

    @Override
    public Duration getDuration(String key) {
        return PluginsConfig.duration(instance, key, require(key));
    }

    @Override
    public List<String> getList(String key) {
        return get(key).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList())
                .orElse(List.of());
    }

    @Override
    public Set<String> keys() {
        return values.keySet();
    }

    private void known(String key) {
        if (!declared.containsKey(key)) {
            throw new PluginConfigException(key, "is not a declared setting of instance " + instance);
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        values.forEach((k, v) -> parts.add(k + "=" + (declared.get(k).secret() ? "***" : v)));
        return "{" + String.join(", ", parts) + "}";
    }
}
