package io.mlcatalog.server.model;

public enum ArtifactKind {
    DATASET, MODEL, OTHER
}
