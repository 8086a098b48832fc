package io.mlcatalog.plugins.mlflow;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One of MLflow's three forms, holding a scenario: its SQL store (a SQLite file), its file store ({@code mlruns/}) or a
 * tracking server's REST API. {@link #write()} puts the scenario's present state there.
 */
final class MlflowStores {
    enum Kind { SQL, FILES, REST }

    final Kind kind;
    final MlflowScenario scenario;
    private final Path dir;
    private RestFixture rest;

    MlflowStores(Kind kind, MlflowScenario scenario, Path dir) throws Exception {
        this.kind = kind;
        this.scenario = scenario;
        this.dir = dir;
        if (kind == Kind.REST) {
            rest = new RestFixture(scenario);
        }
        write();
    }

    void write() throws Exception {
        switch (kind) {
            case SQL -> SqlStoreFixture.write(scenario, dir.resolve("mlflow.db"));
            case FILES -> FileStoreFixture.write(scenario, dir.resolve("mlruns"));
            case REST -> rest.scenario = scenario;
        }
    }

    String trackingUri() {
        return switch (kind) {
            case SQL -> "sqlite:///" + dir.resolve("mlflow.db");
            case FILES -> dir.resolve("mlruns").toString();
            case REST -> rest.url();
        };
    }

    RestFixture rest() {
        return rest;
    }

    Path root() {
        return kind == Kind.SQL ? dir.resolve("mlflow.db") : dir.resolve("mlruns");
    }

    Map<String, Object> settings(Object... more) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trackingUri", trackingUri());
        s.put("namespace", "growth");
        // the scenario's runs started in November 2026: read again while running, whenever the tests run
        s.put("staleAfter", "87600h");
        for (int i = 0; i < more.length; i += 2) {
            s.put((String) more[i], more[i + 1]);
        }
        return s;
    }

    void close() {
        if (rest != null) {
            rest.close();
        }
    }
}
