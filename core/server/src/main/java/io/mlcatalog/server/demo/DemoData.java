package io.mlcatalog.server.demo;

import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.RunStatus;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.write.ArtifactSpec;
import io.mlcatalog.server.write.CatalogWriter;
import io.mlcatalog.server.write.CodeVersionSpec;
import io.mlcatalog.server.write.DeploymentSpec;
import io.mlcatalog.server.write.ModelVersionSpec;
import io.mlcatalog.server.write.RunSpec;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A small, realistic catalog to explore: two teams, five pipelines, 50 runs over three months, the
 * datasets and model files they read and wrote (with digests), two models whose versions were
 * promoted and rolled back, and deployments in staging and prod. Everything is derived from a fixed
 * seed and fixed times, and written through the same idempotent writes as the API: loading it twice
 * changes nothing.
 */
public final class DemoData {
    public static final OffsetDateTime START = OffsetDateTime.of(2026, 9, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final String CHURN_REPO = "https://github.com/acme/churn-model";
    private static final String FRAUD_REPO = "https://github.com/acme/fraud-detection";

    private final CatalogWriter writer;
    private final Source source = new Source("demo", Times.now());
    private final Random random = new Random(42);
    private int runs;
    private int artifacts;
    private int deployments;

    private DemoData(CatalogWriter writer) {
        this.writer = writer;
    }

    /** What was loaded. */
    public record Summary(int runs, int artifacts, int modelVersions, int deployments) {
        @Override
        public String toString() {
            return runs + " runs, " + artifacts + " artifacts, " + modelVersions + " model versions, " + deployments + " deployments";
        }
    }

    /** Loads the demo data set; blocks until it is written. Call from a thread that is not a Vert.x event loop. */
    public static Summary load(CatalogWriter writer) {
        return new DemoData(writer).load();
    }

    private Summary load() {
        List<ModelVersion> churn = churnTeam();
        List<ModelVersion> fraud = fraudTeam();
        churnLifecycle(churn);
        fraudLifecycle(fraud);
        return new Summary(runs, artifacts, churn.size() + fraud.size(), deployments);
    }

    // ------------------------------------------------------------------ growth team: churn

    private List<ModelVersion> churnTeam() {
        List<ModelVersion> versions = new ArrayList<>();
        for (int week = 0; week < 10; week++) {
            OffsetDateTime day = START.plusWeeks(week).plusHours(2);
            String date = day.toLocalDate().toString();

            ArtifactSpec events = dataset("growth", "s3://acme-lake/events/date=" + date + "/part-0000.parquet", 2_400_000_000L + week * 31_000_000L, day.plusMinutes(40));
            run("growth", "ingest-events-" + date, "ingest-events", "airflow-ingest-events-" + date, RunStatus.SUCCEEDED,
                    day, day.plusMinutes(40), "airflow", Map.of("source", "kafka://events", "date", date),
                    Map.of("rows", 41_000_000 + week * 250_000), code(CHURN_REPO, "ingest", week),
                    List.of(), List.of(events));

            OffsetDateTime featuresAt = day.plusHours(1);
            ArtifactSpec features = dataset("growth", "s3://acme-lake/features/churn/date=" + date + "/features.parquet", 180_000_000L + week * 2_000_000L, featuresAt.plusMinutes(25));
            ArtifactSpec labels = dataset("growth", "s3://acme-lake/labels/churn/2026-08.parquet", 12_000_000L, START.minusDays(3));
            boolean featuresFailed = week == 6;
            run("growth", "build-churn-features-" + date, "build-churn-features", "airflow-build-churn-features-" + date,
                    featuresFailed ? RunStatus.FAILED : RunStatus.SUCCEEDED, featuresAt, featuresAt.plusMinutes(25), "airflow",
                    Map.of("window_days", 28, "min_sessions", 3), featuresFailed ? Map.of() : Map.of("feature_count", 212),
                    code(CHURN_REPO, "features", week), List.of(events), featuresFailed ? List.of() : List.of(features));
            if (featuresFailed) {
                continue;
            }

            OffsetDateTime trainAt = day.plusHours(3);
            double lr = List.of(0.1, 0.05, 0.03).get(week % 3);
            int depth = 6 + week % 3;
            double auc = round(0.84 + week * 0.006 + random.nextDouble() * 0.004);
            boolean last = week == 9;
            ArtifactSpec modelFile = artifact("growth", "s3://acme-models/churn-classifier/" + date + "/model.onnx", 48_000_000L + week * 100_000L,
                    "application/onnx", ArtifactKind.MODEL, trainAt.plusMinutes(95));
            Run train = run("growth", "train-churn-" + date, "train-churn-classifier", "mlflow-" + hex("churn" + week).substring(0, 32),
                    last ? RunStatus.RUNNING : RunStatus.SUCCEEDED, trainAt, last ? null : trainAt.plusMinutes(95), "maria",
                    Map.of("learning_rate", lr, "max_depth", depth, "n_estimators", 400, "objective", "binary:logistic"),
                    last ? Map.of() : Map.of("auc", auc, "f1", round(auc - 0.11), "logloss", round(0.42 - week * 0.01)),
                    code(CHURN_REPO, "train", week), List.of(features, labels), last ? List.of() : List.of(modelFile));
            if (!last && week % 2 == 0 || week == 7) {
                versions.add(await(writer.registerModelVersion(source, ModelVersionSpec.of("demo", "growth", "churn-classifier", null,
                        "gradient-boosted trees, lr " + lr + ", depth " + depth + ", AUC " + auc,
                        List.of(new Tag("framework", "xgboost"), new Tag("owner", "growth-ml")), modelFile, train.id(),
                        trainAt.plusMinutes(100)))));
            }
        }
        return versions;
    }

    private void churnLifecycle(List<ModelVersion> v) {
        // staging follows every new version; production is promoted more carefully, and once rolled back
        for (ModelVersion version : v) {
            alias("growth", "churn-classifier", "staging", version, version.createdAt().plusHours(1));
            deploy("growth", "staging", "churn-api", version, version.createdAt().plusHours(2), null, 2);
        }
        alias("growth", "churn-classifier", "production", v.get(0), v.get(0).createdAt().plusDays(2));
        deploy("growth", "prod", "churn-api", v.get(0), v.get(0).createdAt().plusDays(2), null, 6);
        alias("growth", "churn-classifier", "production", v.get(2), v.get(2).createdAt().plusDays(3));
        deploy("growth", "prod", "churn-api", v.get(2), v.get(2).createdAt().plusDays(3).minusHours(4), 10.0, 1); // canary
        deploy("growth", "prod", "churn-api", v.get(2), v.get(2).createdAt().plusDays(3), null, 6);
        // v4 went to production, misbehaved, and was rolled back to v3 the same afternoon
        OffsetDateTime promote = v.get(3).createdAt().plusDays(2);
        alias("growth", "churn-classifier", "production", v.get(3), promote);
        deploy("growth", "prod", "churn-api", v.get(3), promote, null, 6);
        OffsetDateTime rollback = promote.plusHours(5);
        alias("growth", "churn-classifier", "production", v.get(2), rollback);
        deploy("growth", "prod", "churn-api", v.get(2), rollback, null, 6);
        alias("growth", "churn-classifier", "champion", v.get(2), rollback);
    }

    // ------------------------------------------------------------------ risk team: fraud

    private List<ModelVersion> fraudTeam() {
        List<ModelVersion> versions = new ArrayList<>();
        ArtifactSpec transactions = dataset("risk", "bigquery:acme-risk.payments.transactions", null, START.minusDays(30));
        for (int i = 0; i < 10; i++) {
            OffsetDateTime day = START.plusDays(4 + i * 8L).plusHours(6);
            String date = day.toLocalDate().toString();
            ArtifactSpec features = dataset("risk", "gs://acme-risk-features/fraud/" + date + "/train.parquet", 95_000_000L + i * 1_000_000L, day.plusMinutes(50));
            run("risk", "fraud-features-" + date, "build-fraud-features", "dataproc-job-" + (1000 + i), RunStatus.SUCCEEDED,
                    day, day.plusMinutes(50), "spark", Map.of("lookback_days", 90, "sample_rate", 0.2), Map.of("rows", 8_200_000 + i * 90_000),
                    code(FRAUD_REPO, "features", i), List.of(transactions), List.of(features));
            OffsetDateTime trainAt = day.plusHours(2);
            boolean failed = i == 3 || i == 8;
            boolean aborted = i == 5;
            RunStatus status = failed ? RunStatus.FAILED : aborted ? RunStatus.ABORTED : RunStatus.SUCCEEDED;
            double precision = round(0.91 + i * 0.004 + random.nextDouble() * 0.003);
            ArtifactSpec modelFile = artifact("risk", "gs://acme-risk-models/fraud-detector/" + date + "/model.pt", 310_000_000L,
                    "application/x-pytorch", ArtifactKind.MODEL, trainAt.plusHours(3));
            Run train = run("risk", "train-fraud-" + date, "train-fraud-detector", "vertex-" + hex("fraud" + i).substring(0, 16), status,
                    trainAt, trainAt.plusHours(failed ? 1 : 3), "tom",
                    Map.of("epochs", 20 + i, "batch_size", 512, "hidden", List.of(256, 128), "optimizer", "adamw"),
                    status == RunStatus.SUCCEEDED ? Map.of("precision_at_1pct", precision, "recall", round(precision - 0.2)) : Map.of(),
                    code(FRAUD_REPO, "train", i), List.of(features), status == RunStatus.SUCCEEDED ? List.of(modelFile) : List.of());
            if (status == RunStatus.SUCCEEDED && (i % 2 == 0 || i == 9)) {
                versions.add(await(writer.registerModelVersion(source, ModelVersionSpec.of("demo", "risk", "fraud-detector", null,
                        "MLP, " + (20 + i) + " epochs", List.of(new Tag("framework", "pytorch")), modelFile, train.id(),
                        trainAt.plusHours(4)))));
            }
        }
        return versions;
    }

    private void fraudLifecycle(List<ModelVersion> v) {
        Deployment prodUs = null;
        for (int i = 0; i < v.size(); i++) {
            ModelVersion version = v.get(i);
            alias("risk", "fraud-detector", "staging", version, version.createdAt().plusHours(2));
            deploy("risk", "staging", "fraud-scorer", version, version.createdAt().plusHours(3), null, 1);
            if (i != 2) { // v3 never reached prod
                alias("risk", "fraud-detector", "production", version, version.createdAt().plusDays(1));
                deploy("risk", "prod-eu", "fraud-scorer", version, version.createdAt().plusDays(1), null, 4);
                prodUs = deploy("risk", "prod-us", "fraud-scorer", version, version.createdAt().plusDays(1).plusHours(2), null, 4);
            }
        }
        // prod-us was switched off a week after the last release
        await(writer.endDeployment(source, prodUs.id(), prodUs.startedAt().plusDays(7), DeploymentStatus.ENDED));
    }

    // ------------------------------------------------------------------ helpers

    private Run run(String ns, String name, String pipeline, String externalId, RunStatus status, OffsetDateTime started,
                    OffsetDateTime ended, String user, Map<String, ?> params, Map<String, ?> metrics, CodeVersionSpec code,
                    List<ArtifactSpec> inputs, List<ArtifactSpec> outputs) {
        runs++;
        RunSpec spec = RunSpec.of("demo", ns, name, pipeline, externalId, status, started, status.terminal() ? ended : null, user,
                new LinkedHashMap<>(params), new LinkedHashMap<>(metrics), List.of(new Tag("team", ns)), code, null, inputs, outputs);
        return await(writer.upsertRun(source, spec));
    }

    private CodeVersionSpec code(String repo, String topic, int n) {
        String sha = hex(repo + "/" + topic + "/" + n).substring(0, 40);
        OffsetDateTime committed = START.plusWeeks(n).minusHours(20);
        return CodeVersionSpec.of("demo", repo, sha, List.of("main"), n % 4 == 0 ? List.of("release-" + (n / 4 + 1)) : List.of(),
                n % 2 == 0 ? "maria@acme.io" : "tom@acme.io", topic + ": iteration " + (n + 1), committed);
    }

    private ArtifactSpec dataset(String ns, String uri, Long size, OffsetDateTime created) {
        return artifact(ns, uri, size, uri.startsWith("bigquery:") ? null : "application/vnd.apache.parquet", ArtifactKind.DATASET, created);
    }

    private ArtifactSpec artifact(String ns, String uri, Long size, String mediaType, ArtifactKind kind, OffsetDateTime created) {
        artifacts++;
        String digest = uri.startsWith("bigquery:") ? null : "sha256:" + hex(uri);
        return ArtifactSpec.of("demo", ns, null, uri, digest, size, mediaType, kind, created);
    }

    private void alias(String ns, String model, String alias, ModelVersion version, OffsetDateTime at) {
        await(writer.setAlias(source, ns, model, alias, version.version(), at));
    }

    private Deployment deploy(String ns, String env, String target, ModelVersion version, OffsetDateTime at, Double traffic, int replicas) {
        deployments++;
        return await(writer.startDeployment(source, DeploymentSpec.of("demo", ns, env, target,
                modelName(version), version.version(), traffic, replicas, Map.of("image", "registry.acme.io/serving:" + version.version()),
                "deploy-bot", at)));
    }

    /** The demo's model of a version (its two models live in two namespaces). */
    private static String modelName(ModelVersion v) {
        return v.modelId().equals(io.mlcatalog.server.model.Ids.model("growth", "churn-classifier")) ? "churn-classifier" : "fraud-detector";
    }

    private static double round(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }

    private static String hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("loading the demo data failed: " + e.getMessage(), e);
        }
    }

}
