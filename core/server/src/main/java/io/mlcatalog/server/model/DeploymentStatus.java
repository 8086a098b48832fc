package io.mlcatalog.server.model;

public enum DeploymentStatus {
    ACTIVE, ENDED, FAILED
}
