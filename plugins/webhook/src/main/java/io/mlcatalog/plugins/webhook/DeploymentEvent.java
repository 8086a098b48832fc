package io.mlcatalog.plugins.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.spi.record.DeploymentEndRecord;
import io.mlcatalog.spi.record.DeploymentStartRecord;
import io.mlcatalog.spi.record.MetadataRecord;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A deployment event, from either shape the receiver takes: the documented one, or GitHub's
 * {@code deployment_status}. {@code fields} names a field as the sender wrote it, for error messages.
 *
 * @param time when it happened; null: when received
 */
record DeploymentEvent(Action action, String namespace, String environment, String target, String model, String version,
                       String artifactUri, String artifactDigest, Instant time, String actor, Double trafficPercent, Integer replicas,
                       String externalId, UnaryOperator<String> fields) {

    /** What happened to the deployment. */
    enum Action {
        /** It started serving at {@code time}: a new deployment (interval). */
        STARTED,
        /** It finished rolling out: the deployment of the version serving the target goes on, else one starts at {@code time}. */
        SUCCEEDED,
        /** It stopped serving at {@code time}. */
        ENDED,
        /** It failed at {@code time}: if it served, it ends as failed; if it never did, nothing is recorded. */
        FAILED
    }

    boolean ends() {
        return action == Action.ENDED || action == Action.FAILED;
    }

    /** The records the event stands for. */
    List<MetadataRecord> records(Instant received) {
        Instant at = time != null ? time : received;
        if (ends()) {
            return List.of(new DeploymentEndRecord(namespace, environment, target, model, version, at, action == Action.FAILED, externalId,
                    at));
        }
        DeploymentStartRecord.Builder b = DeploymentStartRecord.builder(namespace, environment, target);
        if (version != null) {
            b.version(model, version);
        } else {
            b.model(model).artifactUri(artifactUri).artifactDigest(artifactDigest);
        }
        return List.of(b.trafficPercent(trafficPercent).replicas(replicas).deployedBy(actor).externalId(externalId)
                // succeeded: no start time of its own, so that a version already serving the target goes on serving
                .startedAt(action == Action.STARTED ? at : null).observedAt(at).build());
    }

    /** The event's field a catalog error names ({@code deployment.trafficPercent}, {@code input.version}, {@code endedAt}). */
    String field(String catalogField) {
        if (catalogField == null) {
            return null;
        }
        String f = catalogField.substring(catalogField.lastIndexOf('.') + 1);
        return fields.apply(switch (f) {
            case "startedAt", "endedAt", "observedAt" -> "time";
            case "deployedBy" -> "actor";
            default -> f;
        });
    }

    // ------------------------------------------------------------------ the documented shape

    private static final List<String> KNOWN = List.of("environment", "target", "model", "version", "artifactUri", "artifactDigest",
            "status", "time", "actor", "namespace", "trafficPercent", "replicas", "id");

    /**
     * The documented shape: {@code {"environment", "target", "model", "version", "status", "time", "actor", "namespace",
     * "trafficPercent", "replicas"}} (and {@code artifactUri}/{@code artifactDigest} instead of {@code version}, {@code id}
     * for the pipeline's own id of the deployment).
     */
    static DeploymentEvent documented(JsonNode body, String defaultNamespace) throws EventError {
        if (body == null || !body.isObject()) {
            throw new EventError(null, "the body must be a JSON object: {\"environment\": …, \"target\": …, \"model\": …, \"version\": …, "
                    + "\"status\": \"started\"}");
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!KNOWN.contains(name)) {
                throw new EventError(name, "unknown field '" + name + "': expected " + String.join(", ", KNOWN));
            }
        }
        String status = text(body, "status", "status", true);
        Action action;
        try {
            action = Action.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new EventError("status", "unknown status '" + status + "': expected started, succeeded, ended or failed");
        }
        return of(action, body, UnaryOperator.identity(), defaultNamespace, text(body, "environment", "environment", true),
                text(body, "target", "target", true), time(body, "time"), text(body, "actor", "actor", false),
                text(body, "id", "id", false));
    }

    // ------------------------------------------------------------------ GitHub's deployment_status

    /**
     * GitHub's {@code deployment_status} event: {@code deployment_status.state} {@code success} starts the deployment at
     * {@code deployment_status.created_at}; {@code inactive} ends it, {@code failure} and {@code error} end it as failed;
     * other states say nothing yet (null). The model and version (and optionally {@code target}, {@code namespace},
     * {@code trafficPercent}, {@code replicas}) come from {@code deployment.payload}; the environment from the deployment;
     * the target, unless the payload names one, is the repository ({@code acme/churn-api}); the actor is {@code sender.login}.
     */
    static DeploymentEvent github(JsonNode body, String defaultNamespace, ObjectMapper json) throws EventError {
        if (body == null || !body.isObject()) {
            throw new EventError(null, "the body must be a JSON object: GitHub's deployment_status event");
        }
        JsonNode status = object(body, "deployment_status");
        JsonNode deployment = object(body, "deployment");
        String state = text(status, "state", "deployment_status.state", true);
        Action action = switch (state) {
            case "success" -> Action.STARTED;
            case "inactive" -> Action.ENDED;
            case "failure", "error" -> Action.FAILED;
            default -> null;
        };
        if (action == null) {
            return null;
        }
        JsonNode payload = deployment.path("payload");
        if (payload.isTextual()) {
            // the API takes the payload as a JSON string too
            String text = payload.asText().strip();
            try {
                payload = text.isEmpty() ? json.createObjectNode() : json.readTree(text);
            } catch (java.io.IOException e) {
                throw new EventError("deployment.payload", "deployment.payload is a string that is not JSON: " + e.getMessage());
            }
        }
        if (payload.isMissingNode() || payload.isNull()) {
            payload = json.createObjectNode();
        }
        if (!payload.isObject()) {
            throw new EventError("deployment.payload", "deployment.payload must be an object with the model and version");
        }
        String environment = text(status, "environment", "deployment_status.environment", false);
        if (environment == null) {
            environment = text(deployment, "environment", "deployment.environment", true);
        }
        String target = text(payload, "target", "deployment.payload.target", false);
        if (target == null) {
            target = text(object(body, "repository"), "full_name", "repository.full_name", true);
        }
        String actor = body.path("sender").path("login").isTextual() ? body.path("sender").path("login").asText() : null;
        String id = deployment.path("id").isNumber() || deployment.path("id").isTextual() ? "github-deployment:" + deployment.path("id").asText()
                : null;
        Instant time = time(status, "created_at");
        UnaryOperator<String> fields = f -> switch (f) {
            case "environment" -> "deployment.environment";
            case "time" -> "deployment_status.created_at";
            case "actor" -> "sender.login";
            case "id" -> "deployment.id";
            default -> "deployment.payload." + f;
        };
        if (time == null) {
            throw new EventError("deployment_status.created_at", "deployment_status.created_at is required");
        }
        return of(action, payload, fields, defaultNamespace, environment, target, time, actor, id);
    }

    // ------------------------------------------------------------------ shared

    private static DeploymentEvent of(Action action, JsonNode node, UnaryOperator<String> fields, String defaultNamespace, String environment,
                                      String target, Instant time, String actor, String id) throws EventError {
        String namespace = text(node, "namespace", fields.apply("namespace"), false);
        String model = text(node, "model", fields.apply("model"), false);
        String version = version(node, fields.apply("version"));
        String uri = text(node, "artifactUri", fields.apply("artifactUri"), false);
        String digest = text(node, "artifactDigest", fields.apply("artifactDigest"), false);
        Double traffic = number(node, "trafficPercent", fields.apply("trafficPercent"));
        Double replicas = number(node, "replicas", fields.apply("replicas"));
        if (replicas != null && replicas != Math.rint(replicas)) {
            throw new EventError(fields.apply("replicas"), fields.apply("replicas") + " must be a whole number");
        }
        if (action == Action.STARTED || action == Action.SUCCEEDED) {
            if (version == null && uri == null && digest == null) {
                throw new EventError(fields.apply("version"), fields.apply("version") + " is required (or " + fields.apply("artifactUri")
                        + " or " + fields.apply("artifactDigest") + ", the model file the version was registered from)");
            }
            if (version != null && model == null) {
                throw new EventError(fields.apply("model"), fields.apply("model") + " is required with " + fields.apply("version"));
            }
        } else if ((model == null) != (version == null)) {
            throw new EventError(model == null ? fields.apply("model") : fields.apply("version"), "to end a deployment give "
                    + fields.apply("model") + " and " + fields.apply("version") + ", or neither to end everything serving the target");
        }
        return new DeploymentEvent(action, namespace != null ? namespace : defaultNamespace, environment, target, model, version, uri,
                digest, time, actor, traffic, replicas == null ? null : (int) Math.round(replicas), id, fields);
    }

    private static JsonNode object(JsonNode parent, String field) throws EventError {
        JsonNode n = parent.path(field);
        if (!n.isObject()) {
            throw new EventError(field, field + (n.isMissingNode() || n.isNull() ? " is required" : " must be an object"));
        }
        return n;
    }

    private static String text(JsonNode node, String name, String field, boolean required) throws EventError {
        JsonNode n = node.path(name);
        if (n.isMissingNode() || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            if (required) {
                throw new EventError(field, field + " is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new EventError(field, field + " must be a string");
        }
        return n.asText().strip();
    }

    /** A version as text; a whole number is taken as its text ({@code 3} as {@code "3"}). */
    private static String version(JsonNode node, String field) throws EventError {
        JsonNode n = node.path("version");
        if (n.isIntegralNumber()) {
            return n.asText();
        }
        return text(node, "version", field, false);
    }

    private static Double number(JsonNode node, String name, String field) throws EventError {
        JsonNode n = node.path(name);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new EventError(field, field + " must be a number");
        }
        return n.asDouble();
    }

    private static Instant time(JsonNode node, String name) throws EventError {
        JsonNode n = node.path(name);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        String field = name.equals("created_at") ? "deployment_status.created_at" : name;
        if (!n.isTextual()) {
            throw new EventError(field, field + " must be an ISO 8601 date-time with an offset (2026-03-01T10:00:00Z)");
        }
        try {
            return OffsetDateTime.parse(n.asText().strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new EventError(field, field + " must be an ISO 8601 date-time with an offset (2026-03-01T10:00:00Z), got '"
                    + n.asText() + "'");
        }
    }
}
