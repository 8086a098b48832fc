package io.mlcatalog.plugins.webhook;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.ReceiverFactory;

import java.util.List;

/** Deployments from CI/CD pipelines, for teams that deploy without Kubernetes (or want their pipeline's word for it). */
public final class WebhookPlugin implements Plugin {
    @Override
    public List<ReceiverFactory> receivers() {
        return List.of(new DeploymentWebhookFactory());
    }
}
