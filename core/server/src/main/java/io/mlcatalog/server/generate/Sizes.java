package io.mlcatalog.server.generate;

import java.util.Locale;

/**
 * How many of each thing a generated catalog holds. Scale 1.0 is the catalog the lineage benchmark
 * runs on: 100,000 runs, 300,000 artifacts, 1,000 models with 20,000 versions, 5,000 deployments and
 * about 1,000,000 lineage edges. Runs, artifacts, models, versions and deployments are exact; edges
 * are what the simulated pipelines produce, close to the target.
 *
 * @param trainRuns    runs that train a model (some fail; {@code versions} of them are registered)
 * @param evalRuns     runs that evaluate a registered version (one per version)
 * @param ingestRuns   runs that write date partitions from raw streams
 * @param featureRuns  runs that turn partitions into feature tables
 */
public record Sizes(double scale, int namespaces, int repositories, int commits, int pipelines, int referenceDatasets,
                    int runs, int ingestRuns, int featureRuns, int trainRuns, int evalRuns,
                    int artifacts, int models, int versions, int deployments, int edgesTarget) {
    public static final double MIN_SCALE = 0.001;
    public static final double MAX_SCALE = 10;

    public static Sizes of(double scale) {
        if (!(scale >= MIN_SCALE && scale <= MAX_SCALE)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--scale must be between %s and %s (1.0 = 100,000 runs), got %s",
                    MIN_SCALE, MAX_SCALE, scale));
        }
        int runs = n(100_000, scale);
        int models = Math.max(1, n(1_000, scale));
        int versions = Math.max(models, n(20_000, scale));
        int trainRuns = Math.max(versions + 1, n(28_000, scale));
        int evalRuns = versions;
        int namespaces = (int) Math.max(2, Math.min(12, Math.round(12 * Math.pow(scale, 0.3))));
        int pipelines = Math.max(namespaces, (int) Math.round(models / 2.0));
        int dataRuns = runs - trainRuns - evalRuns;
        if (dataRuns < 2 * pipelines) {
            throw new IllegalArgumentException("--scale " + scale + " is too small to build pipelines; use at least " + MIN_SCALE);
        }
        int ingestRuns = (int) Math.round(dataRuns * 0.45);
        return new Sizes(scale, namespaces, Math.max(2, n(300, scale)), Math.max(6, n(6_000, scale)), pipelines,
                (int) Math.max(3, Math.round(40 * Math.sqrt(scale))), runs, ingestRuns, dataRuns - ingestRuns, trainRuns, evalRuns,
                n(300_000, scale), models, versions, n(5_000, scale), n(1_000_000, scale));
    }

    private static int n(int atScaleOne, double scale) {
        return (int) Math.round(atScaleOne * scale);
    }
}
