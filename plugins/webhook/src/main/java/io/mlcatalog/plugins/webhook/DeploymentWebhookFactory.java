package io.mlcatalog.plugins.webhook;

import io.mlcatalog.spi.IngestReceiver;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.ReceiverContext;
import io.mlcatalog.spi.ReceiverFactory;
import io.mlcatalog.spi.Setting;

import java.util.List;

/**
 * Receiver type {@code deployments}: {@code POST /ingest/<instance>/} with a deployment event. No
 * well-known path and no default instance: a webhook is configured, with its secret.
 */
public final class DeploymentWebhookFactory implements ReceiverFactory {
    static final String TYPE = "deployments";
    static final String SECRET = "secret";
    static final String NAMESPACE = "namespace";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.secret(SECRET, false, "the shared secret requests are signed with (X-Hub-Signature-256: sha256=<HMAC-SHA256 of the "
                        + "body, hex>); unsigned or wrongly signed requests are refused with 401. Give it as ${env:NAME}"),
                Setting.optional(NAMESPACE, Setting.Type.STRING, "default", "the catalog namespace of events that name none"));
    }

    @Override
    public IngestReceiver create(ReceiverContext context) {
        String namespace = context.config().require(NAMESPACE).strip();
        if (namespace.isEmpty()) {
            throw new PluginConfigException(NAMESPACE, "must not be blank");
        }
        String secret = context.config().get(SECRET).filter(s -> !s.isEmpty()).orElse(null);
        return new DeploymentWebhook(context, namespace, secret == null ? null : new Signature(secret));
    }
}
