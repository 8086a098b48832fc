package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading MLflow's JSON answers and YAML files: a field left out (MLflow omits what is unset) is null. */
final class Fields {
    private Fields() {
    }

    /** A scalar field as text; null when absent, null or not a scalar. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /** A whole number: MLflow writes int64 fields as JSON numbers; some proxies and old YAML files as strings. */
    static Long number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asLong();
        }
        try {
            return Long.parseLong(v.asText().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
