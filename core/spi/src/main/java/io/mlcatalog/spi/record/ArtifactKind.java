package io.mlcatalog.spi.record;

public enum ArtifactKind {
    DATASET, MODEL, OTHER
}
