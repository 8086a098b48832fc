package io.mlcatalog.server.model;

public enum ModelVersionStatus {
    READY, ARCHIVED
}
