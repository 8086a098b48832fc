package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.events.ChangeFeed;
import io.mlcatalog.server.events.EventFilter;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.webhooks.WebhookStore;
import io.mlcatalog.server.webhooks.Webhooks;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The webhooks' fields and mutations: for admin tokens only (a webhook gets the events of every namespace). */
final class WebhookWiring {
    private final WebhookStore store;
    private final ChangeFeed feed;

    WebhookWiring(WebhookStore store, ChangeFeed feed) {
        this.store = store;
        this.feed = feed;
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t
                .dataFetcher("webhooks", env -> {
                    Args.requireAdmin(env, "webhooks");
                    return stage(store.all()).toCompletableFuture();
                })
                .dataFetcher("webhook", env -> {
                    Args.requireAdmin(env, "webhook");
                    return stage(store.byName(env.getArgument("name"))).toCompletableFuture();
                }));
        w.type("Mutation", t -> t
                .dataFetcher("createWebhook", this::create)
                .dataFetcher("updateWebhook", env -> {
                    Args.requireAdmin(env, "updateWebhook");
                    String name = env.getArgument("name");
                    String url = env.getArgument("url") == null ? null : Webhooks.url(env.getArgument("url"));
                    String secret = env.getArgument("secret") == null ? null : Webhooks.secret(env.getArgument("secret"));
                    EventFilter filter = env.getArgument("filter") == null ? null : EventWiring.filter(env);
                    return stage(store.byName(name)).toCompletableFuture().thenCompose(existing -> {
                        if (existing == null) {
                            throw CatalogException.notFound("name", "no webhook '" + name + "'");
                        }
                        if (existing.origin().equals("config")) {
                            throw configured(name);
                        }
                        return stage(store.update(name, url, secret, filter, env.getArgument("active"))).toCompletableFuture();
                    });
                })
                .dataFetcher("deleteWebhook", env -> {
                    Args.requireAdmin(env, "deleteWebhook");
                    String name = env.getArgument("name");
                    return stage(store.byName(name)).toCompletableFuture().thenCompose(existing -> {
                        // one of mlcatalog.yaml would be made again at the next start, its deliveries lost meanwhile
                        if (existing != null && existing.origin().equals("config")) {
                            throw configured(name);
                        }
                        return stage(store.delete(name)).toCompletableFuture();
                    });
                })
                .dataFetcher("redeliverWebhook", env -> {
                    Args.requireAdmin(env, "redeliverWebhook");
                    long id = deliveryId(env.getArgument("delivery"));
                    return stage(store.redeliver(id)).toCompletableFuture().thenApply(d -> {
                        if (d == null) {
                            throw CatalogException.notFound("delivery", "no delivery " + id);
                        }
                        return d;
                    });
                }));
        w.type("Webhook", t -> t
                .dataFetcher("filter", env -> Webhooks.filterJson(((WebhookStore.Webhook) env.getSource()).filter()))
                .dataFetcher("deliveries", env -> {
                    WebhookStore.Webhook webhook = env.getSource();
                    int first = env.getArgument("first") == null ? 20 : env.<Integer>getArgument("first");
                    if (first < 1 || first > Args.MAX_FIRST) {
                        throw CatalogException.badInput("first", "first is 1 to " + Args.MAX_FIRST + ", got " + first);
                    }
                    Long before = env.getArgument("before") == null ? null : deliveryId(env.getArgument("before"));
                    return stage(store.deliveries(webhook.id(), env.getArgument("status"), first, before)).toCompletableFuture();
                }));
        w.type("WebhookDelivery", t -> t
                .dataFetcher("id", env -> Long.toString(((WebhookStore.Delivery) env.getSource()).id()))
                .dataFetcher("sequence", env -> ((WebhookStore.Delivery) env.getSource()).seq()));
        w.type("CreatedWebhook", t -> t
                .dataFetcher("webhook", env -> ((Map<?, ?>) env.getSource()).get("webhook"))
                .dataFetcher("secret", env -> ((Map<?, ?>) env.getSource()).get("secret")));
    }

    private CompletableFuture<Map<String, Object>> create(DataFetchingEnvironment env) {
        Args.requireAdmin(env, "createWebhook");
        Map<String, Object> input = Args.map(env.getArgument("input"));
        String name = Webhooks.name(String.valueOf(input.get("name")));
        String url = Webhooks.url(String.valueOf(input.get("url")));
        String secret = input.get("secret") == null ? Webhooks.newSecret() : Webhooks.secret(input.get("secret").toString());
        EventFilter filter = input.get("filter") == null ? EventFilter.ALL : EventWiring.filter(env, Args.map(input.get("filter")));
        long since = input.get("since") == null ? feed.cursor() : ((Number) input.get("since")).longValue();
        if (since < 0) {
            throw CatalogException.badInput("input.since", "a sequence number is 0 or more");
        }
        return stage(store.create(name, url, secret, filter, true, since, "api", Args.principal(env).actor())).toCompletableFuture()
                .thenApply(created -> {
                    if (created == null) {
                        throw CatalogException.conflict("input.name", "a webhook named '" + name + "' exists");
                    }
                    return Map.of("webhook", created, "secret", secret);
                });
    }

    private static long deliveryId(String id) {
        try {
            return Long.parseLong(id.strip());
        } catch (NumberFormatException e) {
            throw CatalogException.badInput("delivery", "a delivery's id is a number, got '" + id + "'");
        }
    }

    private static CatalogException configured(String name) {
        return CatalogException.badInput("name", "webhook '" + name + "' is configured in mlcatalog.yaml: change it there");
    }

}
