package io.mlcatalog.server.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlcatalog.server.events.ChangeFeed;
import io.mlcatalog.server.events.EventFilter;
import io.mlcatalog.server.events.EventKind;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.plugin.PluginConfigError;
import io.mlcatalog.server.plugin.PluginsConfig;
import io.vertx.core.Future;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The webhooks of {@code mlcatalog.yaml}, made or updated at start (a webhook the file no longer lists stops):
 * <pre>
 * webhooks:
 *   - name: cd-production
 *     url: https://cd.internal/hooks/mlcatalog
 *     secret: ${env:CD_WEBHOOK_SECRET}      # 16 to 256 characters; give it as ${env:NAME}
 *     filter:                               # as EventFilter (default: every event)
 *       kinds: [ALIAS_SET, ALIAS_REMOVED]
 *       namespace: growth
 *       model: churn-classifier
 * </pre>
 * A mistake stops start-up with a message naming the webhook and the key.
 */
public record WebhooksConfig(List<Configured> webhooks) {
    public static final WebhooksConfig EMPTY = new WebhooksConfig(List.of());
    private static final Set<String> KEYS = Set.of("name", "url", "secret", "filter", "enabled");
    private static final Set<String> FILTER_KEYS = Set.of("kinds", "namespace", "model", "pipeline", "environment", "target");

    public record Configured(String name, String url, String secret, EventFilter filter, boolean enabled) {
        @Override
        public String toString() {
            return "Configured[" + name + " → " + url + "]"; // never the secret
        }
    }

    public static WebhooksConfig load(Path file, Function<String, String> env) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw new PluginConfigError(file + ": cannot read it: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode list = root == null ? null : root.path("webhooks");
        if (list == null || list.isMissingNode() || list.isNull()) {
            return EMPTY;
        }
        if (!list.isArray()) {
            throw new PluginConfigError(file + ": 'webhooks' must be a list");
        }
        List<Configured> webhooks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode w : list) {
            String where = file + ": webhooks[" + i++ + "]";
            if (!w.isObject()) {
                throw new PluginConfigError(where + ": a webhook is a mapping with name, url and secret");
            }
            for (Iterator<String> it = w.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!KEYS.contains(key)) {
                    throw new PluginConfigError(where + ": unknown key '" + key + "' (known: name, url, secret, filter, enabled)");
                }
            }
            try {
                String name = Webhooks.name(w.path("name").asText(null));
                where = file + ": webhook '" + name + "'";
                if (!names.add(name)) {
                    throw new PluginConfigError(where + " is listed twice");
                }
                String url = Webhooks.url(PluginsConfig.resolveEnv(where + ": url", text(w, "url", where), env));
                String secret = Webhooks.secret(PluginsConfig.resolveEnv(where + ": secret", text(w, "secret", where), env));
                boolean enabled = !w.has("enabled") || w.path("enabled").asBoolean(true);
                webhooks.add(new Configured(name, url, secret, filter(w.path("filter"), where), enabled));
            } catch (CatalogException e) {
                throw new PluginConfigError(where + ": " + e.field() + ": " + e.getMessage());
            }
        }
        return new WebhooksConfig(webhooks);
    }

    private static String text(JsonNode w, String key, String where) {
        if (!w.path(key).isTextual()) {
            throw new PluginConfigError(where + ": '" + key + "' is required");
        }
        return w.path(key).asText();
    }

    private static EventFilter filter(JsonNode f, String where) {
        if (f.isMissingNode() || f.isNull()) {
            return EventFilter.ALL;
        }
        if (!f.isObject()) {
            throw new PluginConfigError(where + ": 'filter' is a mapping of " + String.join(", ", FILTER_KEYS));
        }
        for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!FILTER_KEYS.contains(key)) {
                throw new PluginConfigError(where + ": filter: unknown key '" + key + "'");
            }
        }
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        for (JsonNode k : f.path("kinds")) {
            try {
                kinds.add(EventKind.valueOf(k.asText()));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigError(where + ": filter: kinds: '" + k.asText() + "' is none of " + EnumSet.allOf(EventKind.class));
            }
        }
        return new EventFilter(kinds, f.path("namespace").asText(null), f.path("model").asText(null), f.path("pipeline").asText(null),
                f.path("environment").asText(null), f.path("target").asText(null));
    }

    /**
     * Makes the listed webhooks (delivering from now on) or updates them; the configured ones no longer listed stop. A name
     * a mutation's webhook has is found before anything is written: the configuration is refused whole, not half applied.
     */
    public Future<Void> apply(WebhookStore store, ChangeFeed feed) {
        return store.all().compose(all -> {
            Map<String, WebhookStore.Webhook> byName = new java.util.HashMap<>();
            all.forEach(w -> byName.put(w.name(), w));
            for (Configured c : webhooks) {
                WebhookStore.Webhook existing = byName.get(c.name());
                if (existing != null && !existing.origin().equals("config")) {
                    return Future.failedFuture(new PluginConfigError("mlcatalog.yaml: webhook '" + c.name() + "' exists already, made by "
                            + (existing.createdBy() == null ? "a mutation" : existing.createdBy()) + ": give the configured one another name"));
                }
            }
            Future<Void> chain = Future.succeededFuture();
            for (Configured c : webhooks) {
                chain = chain.compose(x -> byName.containsKey(c.name())
                        ? store.update(c.name(), c.url(), c.secret(), c.filter(), c.enabled()).mapEmpty()
                        : store.create(c.name(), c.url(), c.secret(), c.filter(), c.enabled(), feed.cursor(), "config", "mlcatalog.yaml").mapEmpty());
            }
            return chain.compose(x -> store.deactivateConfigured(webhooks.stream().map(Configured::name).toList()));
        });
    }
}
