package io.mlcatalog.server.model;

/** A key and an optional value on a run, model or model version. */
public record Tag(String key, String value) {
}
