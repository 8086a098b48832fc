package io.mlcatalog.server.model;

import java.util.Locale;

/** The kinds of entity that have a global id; the GraphQL type name is the prefix of the id. */
public enum NodeType {
    CODE_VERSION("CodeVersion"),
    RUN("Run"),
    ARTIFACT("Artifact"),
    MODEL("Model"),
    MODEL_VERSION("ModelVersion"),
    DEPLOYMENT("Deployment");

    private final String graphqlName;

    NodeType(String graphqlName) {
        this.graphqlName = graphqlName;
    }

    public String graphqlName() {
        return graphqlName;
    }

    /** The name stored in the database (lineage_edge.from_type, change_log.entity_type). */
    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NodeType fromDbName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    public static NodeType fromGraphqlName(String name) {
        for (NodeType t : values()) {
            if (t.graphqlName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
