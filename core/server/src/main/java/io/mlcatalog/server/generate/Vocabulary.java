package io.mlcatalog.server.generate;

import java.util.List;

/** The words generated names are made of: teams, topics, data sources, people. */
final class Vocabulary {
    private Vocabulary() {
    }

    /** Namespaces; the first holds the shared reference data every team reads. */
    static final List<String> TEAMS = List.of("platform", "growth", "risk", "search", "ads", "payments", "logistics", "trust",
            "pricing", "support", "marketing", "health");

    static final List<String> TOPICS = List.of("churn", "fraud", "ranking", "pricing", "forecast", "recs", "ltv", "ctr", "eta",
            "spam", "abuse", "demand", "routing", "credit", "sentiment", "ocr", "translate", "anomaly", "segments", "retention");

    /** Raw streams pipelines ingest, most common first. */
    static final List<String> SOURCES = List.of("events", "transactions", "sessions", "clicks", "orders", "labels", "profiles",
            "payments", "impressions", "tickets", "shipments", "reviews");

    static final List<String> FEATURE_SETS = List.of("core", "aggregates", "embeddings");

    static final List<String> MODEL_KINDS = List.of("classifier", "ranker", "regressor", "forecaster", "embedder", "scorer");

    /** Reference data, most read first; the first ones never change, the others are refreshed monthly. */
    static final List<String> REFERENCE = List.of("calendar/holidays", "geo/countries", "currency/codes", "taxonomy/categories",
            "geo/regions", "fx/daily-rates", "catalog/products", "users/profiles", "merchants/registry", "weather/daily",
            "ip/geolocation", "devices/models", "stores/locations", "census/population", "carriers/routes", "tax/rates");

    static final List<String> USERS = List.of("maria", "tom", "aisha", "kenji", "lucia", "olu", "priya", "sven", "chen", "noa",
            "rafael", "ingrid");

    static final List<String> VERBS = List.of("Add", "Fix", "Tune", "Refactor", "Speed up", "Drop", "Rename", "Log", "Cache", "Retry");

    static final List<String> THINGS = List.of("feature join", "label leakage check", "learning rate schedule", "holdout split",
            "partition pruning", "null handling", "class weights", "early stopping", "schema validation", "embedding size");

    /** A model's framework: the name and media type of the file it saves. */
    record Framework(String name, String file, String mediaType) {
    }

    static final List<Framework> FRAMEWORKS = List.of(
            new Framework("xgboost", "model.bst", "application/octet-stream"),
            new Framework("pytorch", "model.pt", "application/x-pytorch"),
            new Framework("onnx", "model.onnx", "application/onnx"),
            new Framework("sklearn", "model.pkl", "application/x-pickle"));

    static String reference(int i) {
        return i < REFERENCE.size() ? REFERENCE.get(i) : REFERENCE.get(i % REFERENCE.size()) + "-" + (i / REFERENCE.size() + 1);
    }
}
