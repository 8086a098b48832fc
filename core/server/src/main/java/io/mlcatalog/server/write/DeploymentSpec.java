package io.mlcatalog.server.write;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A validated deployment to start. One with no traffic share, or 100%, replaces whatever served the
 * target before; one with a smaller share (a canary) runs beside it.
 */
public record DeploymentSpec(String namespace, String environment, String target, String model, String version,
                             Double trafficPercent, Integer replicas, Map<String, Object> config, String deployedBy,
                             OffsetDateTime startedAt) {

    public static DeploymentSpec of(String field, String namespace, String environment, String target, String model,
                                    String version, Double trafficPercent, Integer replicas, Object config, String deployedBy,
                                    OffsetDateTime startedAt) {
        if (trafficPercent != null && (trafficPercent.isNaN() || trafficPercent < 0 || trafficPercent > 100)) {
            throw CatalogException.badInput(field + ".trafficPercent", "trafficPercent must be between 0 and 100");
        }
        if (replicas != null && replicas < 0) {
            throw CatalogException.badInput(field + ".replicas", "replicas must not be negative");
        }
        return new DeploymentSpec(
                Text.name(field + ".namespace", namespace, Text.SHORT_NAME_BYTES),
                Text.name(field + ".environment", environment, Text.SHORT_NAME_BYTES),
                Text.name(field + ".target", target, Text.NAME_BYTES),
                Text.name(field + ".model", model, Text.SHORT_NAME_BYTES),
                Text.name(field + ".version", version, 128),
                trafficPercent, replicas,
                JsonValues.object(field + ".config", config),
                Text.optionalName(field + ".deployedBy", deployedBy, Text.NAME_BYTES),
                Times.normalize(startedAt, field + ".startedAt"));
    }

    /** Whether this deployment takes over the target (rather than running beside what serves it, as a canary). */
    public boolean replaces() {
        return trafficPercent == null || trafficPercent >= 100;
    }
}
