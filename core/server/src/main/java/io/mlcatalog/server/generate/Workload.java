package io.mlcatalog.server.generate;

import io.mlcatalog.server.generate.SyntheticCatalog.ArtifactRow;
import io.mlcatalog.server.generate.SyntheticCatalog.CodeVersionRow;
import io.mlcatalog.server.generate.SyntheticCatalog.ModelRow;
import io.mlcatalog.server.generate.SyntheticCatalog.RunRow;
import io.mlcatalog.server.generate.SyntheticCatalog.VersionRow;
import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.RunStatus;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A year of ML pipelines, simulated in time order. Each namespace (team) runs pipelines of stages:
 * <em>ingest</em> runs read a raw stream and write a date partition (several part files; a backfill
 * rewrites an old date: the same URIs with new digests); <em>feature</em> runs read a window of recent
 * partitions (usually one day, sometimes a month: skewed fan-in), shared reference data (a few tables
 * every team reads: skewed fan-out) and now and then another pipeline's features or predictions
 * (which makes long chains); <em>train</em> runs read the latest features and write a model file, and
 * the best are registered as model versions; <em>evaluate</em> runs score a registered version and
 * write predictions that other pipelines may read. A run only reads what existed when it started.
 */
final class Workload {
    static final long DAY = 86_400;
    /** The generated year: [START, END). END is "now" for the generated catalog: runs still going then are RUNNING. */
    static final long START = Instant.parse("2025-11-01T00:00:00Z").getEpochSecond();
    static final long END = START + 365 * DAY;

    private static final String PARQUET = "application/vnd.apache.parquet";

    enum Stage { INGEST, FEATURES, TRAIN, EVALUATE }

    private final Sizes sizes;
    private final Draw draw;

    final List<String> namespaces = new ArrayList<>();
    final List<CodeVersionRow> codeVersions = new ArrayList<>();
    final List<RunRow> runs = new ArrayList<>();
    final List<ArtifactRow> artifacts = new ArrayList<>();
    final List<ModelRow> models = new ArrayList<>();
    final List<VersionRow> versions = new ArrayList<>();
    /** Per model: its framework. */
    final List<Vocabulary.Framework> frameworks = new ArrayList<>();

    private final List<Repository> repositories = new ArrayList<>();
    private final List<Pipeline> pipelines = new ArrayList<>();
    /** Per namespace, its pipelines. */
    private final List<List<Pipeline>> teams = new ArrayList<>();
    private final List<ModelPlan> modelPlans = new ArrayList<>();
    private final List<RunPlan> plans = new ArrayList<>();
    /** Raw streams: per namespace, source name to artifact index. */
    private final List<Map<String, Integer>> rawStreams = new ArrayList<>();
    /** Reference datasets: per dataset, its versions' artifact indexes and creation times, oldest first. */
    private final List<int[]> referenceVersions = new ArrayList<>();
    private final List<long[]> referenceTimes = new ArrayList<>();
    private Draw.Zipf referencePopularity;
    /** Which run last chose each artifact as an input: keeps a run's inputs distinct without a set per run. */
    private int[] chosenBy;

    private Workload(long seed, Sizes sizes) {
        this.sizes = sizes;
        this.draw = new Draw(seed);
    }

    static Workload simulate(long seed, Sizes sizes) {
        Workload w = new Workload(seed, sizes);
        w.run();
        return w;
    }

    Draw draw() {
        return draw;
    }

    private void run() {
        namespaces.addAll(Vocabulary.TEAMS.subList(0, sizes.namespaces()));
        code();
        pipelinesAndModels();
        planRuns();
        planOutputs();
        external();
        chosenBy = new int[sizes.artifacts()];
        Arrays.fill(chosenBy, -1);
        simulateRuns();
        registerVersions();
        if (artifacts.size() != sizes.artifacts()) {
            throw new IllegalStateException("generated " + artifacts.size() + " artifacts instead of " + sizes.artifacts());
        }
    }

    // ------------------------------------------------------------------ code

    private static final class Repository {
        final String url;
        final int namespace;
        long[] commitTimes;
        int[] commitIndexes;

        Repository(String url, int namespace) {
            this.url = url;
            this.namespace = namespace;
        }
    }

    /** A few hundred repositories, thousands of commits: a few monorepos take most of them. */
    private void code() {
        int g = sizes.repositories();
        double[] weights = new double[g];
        for (int r = 0; r < g; r++) {
            int ns = r % namespaces.size();
            repositories.add(new Repository("https://github.com/acme/" + namespaces.get(ns) + "-"
                    + Vocabulary.TOPICS.get(r % Vocabulary.TOPICS.size()) + "-" + r, ns));
            weights[r] = 1 / Math.pow(r + 1, 0.8);
        }
        int[] commits = Draw.allocate(sizes.commits(), weights, 1);
        for (int r = 0; r < g; r++) {
            Repository repo = repositories.get(r);
            repo.commitTimes = draw.sortedTimes(commits[r], START - 60 * DAY, END - 3600);
            repo.commitIndexes = new int[commits[r]];
            int release = 0;
            for (int c = 0; c < commits[r]; c++) {
                long at = repo.commitTimes[c];
                List<String> branches = draw.chance(0.1) ? List.of("main", "release") : List.of("main");
                List<String> tags = draw.chance(0.05) ? List.of("v1." + release++ + ".0") : List.of();
                String author = draw.pick(Vocabulary.USERS) + "@acme.io";
                String message = draw.pick(Vocabulary.VERBS) + " " + draw.pick(Vocabulary.THINGS);
                String sha = draw.hex(40);
                repo.commitIndexes[c] = codeVersions.size();
                codeVersions.add(new CodeVersionRow(Ids.codeVersion(repo.url, sha), repo.url, sha, branches, tags, author, message,
                        at, at + draw.between(60, 3600)));
            }
        }
    }

    /** The commit a run executed: usually the newest at its start, sometimes an older, pinned one. */
    private int commitAt(Repository repo, long t) {
        int i = Arrays.binarySearch(repo.commitTimes, t - 600);
        i = i >= 0 ? i : -i - 2;
        if (i < 0) {
            return -1;
        }
        if (draw.chance(0.1)) {
            i = Math.max(0, i - draw.between(1, 5));
        }
        return repo.commitIndexes[i];
    }

    // ------------------------------------------------------------------ pipelines and models

    private static final class Pipeline {
        final int index;
        final String name;
        final int namespace;
        final Repository repository;
        final List<String> sources;
        final double activity;
        final long born;
        final List<Integer> models = new ArrayList<>();
        /** Per source: date (epoch day) to the part files of its newest version. */
        final List<TreeMap<Long, int[]>> partitions = new ArrayList<>();
        final List<List<Long>> partitionDates = new ArrayList<>();
        final List<Integer> features = new ArrayList<>();
        final List<Integer> predictions = new ArrayList<>();
        int versions;

        Pipeline(int index, String name, int namespace, Repository repository, List<String> sources, double activity, long born) {
            this.index = index;
            this.name = name;
            this.namespace = namespace;
            this.repository = repository;
            this.sources = sources;
            this.activity = activity;
            this.born = born;
            for (int i = 0; i < sources.size(); i++) {
                partitions.add(new TreeMap<>());
                partitionDates.add(new ArrayList<>());
            }
        }
    }

    private static final class ModelPlan {
        final int index;
        final Pipeline pipeline;
        final String name;
        int versions;
        final List<RunPlan> registered = new ArrayList<>();

        ModelPlan(int index, Pipeline pipeline, String name) {
            this.index = index;
            this.pipeline = pipeline;
            this.name = name;
        }
    }

    private void pipelinesAndModels() {
        int n = namespaces.size();
        double[] teamWeights = new double[n];
        for (int i = 0; i < n; i++) {
            teamWeights[i] = 1 / Math.pow(i + 1, 0.5);
        }
        int[] perTeam = Draw.allocate(sizes.pipelines(), teamWeights, 1);
        int[] rank = new int[sizes.pipelines()];
        for (int i = 0; i < rank.length; i++) {
            rank[i] = i;
        }
        draw.shuffle(rank);
        Draw.Zipf sourcePopularity = draw.zipf(Vocabulary.SOURCES.size(), 0.9);
        int p = 0;
        for (int ns = 0; ns < n; ns++) {
            teams.add(new ArrayList<>());
            List<Repository> own = new ArrayList<>();
            for (Repository r : repositories) {
                if (r.namespace == ns) {
                    own.add(r);
                }
            }
            for (int k = 0; k < perTeam[ns]; k++, p++) {
                Repository repo = draw.pick(own.isEmpty() ? repositories : own);
                int sourceCount = draw.chance(0.5) ? 1 : draw.chance(0.7) ? 2 : 3;
                List<String> sources = new ArrayList<>();
                while (sources.size() < sourceCount) {
                    String s = Vocabulary.SOURCES.get(sourcePopularity.next());
                    if (!sources.contains(s)) {
                        sources.add(s);
                    }
                }
                long born = START + (long) ((draw.chance(0.8) ? draw.uniform() * 0.5 : 0.5 + draw.uniform() * 0.3) * (END - START));
                Pipeline pipeline = new Pipeline(p, Vocabulary.TOPICS.get(p % Vocabulary.TOPICS.size()) + "-" + p, ns, repo, sources,
                        1 / Math.pow(rank[p] + 1, 0.7), born);
                pipelines.add(pipeline);
                teams.get(ns).add(pipeline);
            }
        }
        // models go to the busier pipelines; some pipelines only move data
        double[] activity = pipelines.stream().mapToDouble(x -> x.activity).toArray();
        double total = Arrays.stream(activity).sum();
        double[] versionWeights = new double[sizes.models()];
        for (int m = 0; m < sizes.models(); m++) {
            Pipeline owner = m < pipelines.size() && sizes.models() >= pipelines.size() ? pipelines.get(m) : pickWeighted(activity, total);
            int j = owner.models.size();
            String name = owner.name + "-" + Vocabulary.MODEL_KINDS.get(j % Vocabulary.MODEL_KINDS.size()) + (j >= Vocabulary.MODEL_KINDS.size() ? "-" + j : "");
            ModelPlan plan = new ModelPlan(m, owner, name);
            owner.models.add(m);
            modelPlans.add(plan);
            frameworks.add(draw.pick(Vocabulary.FRAMEWORKS));
            versionWeights[m] = owner.activity * draw.logUniform(0.3, 3);
        }
        int[] versionCounts = Draw.allocate(sizes.versions(), versionWeights, 1);
        for (ModelPlan m : modelPlans) {
            m.versions = versionCounts[m.index];
            m.pipeline.versions += m.versions;
        }
    }

    private Pipeline pickWeighted(double[] weights, double total) {
        double x = draw.uniform() * total;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return pipelines.get(i);
            }
        }
        return pipelines.get(weights.length - 1);
    }

    // ------------------------------------------------------------------ run plans

    /** A run before it is simulated: when, what, how it ends, how many outputs. */
    private static final class RunPlan {
        final int seq;
        final Stage stage;
        final Pipeline pipeline;
        final long start;
        final long end;
        final RunStatus status;
        int source = -1;
        ModelPlan model;
        boolean registered;
        long versionCreated;
        int versionNumber;
        RunPlan trainedBy;
        int outputs;
        int modelFile = -1;
        int run = -1;
        double learningRate;
        double auc;

        RunPlan(int seq, Stage stage, Pipeline pipeline, long start, long end, RunStatus status) {
            this.seq = seq;
            this.stage = stage;
            this.pipeline = pipeline;
            this.start = start;
            this.end = end;
            this.status = status;
        }
    }

    private RunStatus status(long start, long end, double failed, double aborted) {
        if (end > END) {
            return RunStatus.RUNNING;
        }
        double x = draw.uniform();
        return x < failed ? RunStatus.FAILED : x < failed + aborted ? RunStatus.ABORTED : RunStatus.SUCCEEDED;
    }

    private RunPlan plan(Stage stage, Pipeline p, long start, double minSeconds, double maxSeconds, double failed, double aborted) {
        long end = start + (long) draw.logUniform(minSeconds, maxSeconds);
        RunPlan r = new RunPlan(plans.size(), stage, p, start, end, status(start, end, failed, aborted));
        plans.add(r);
        return r;
    }

    private void planRuns() {
        double[] activity = pipelines.stream().mapToDouble(x -> x.activity).toArray();
        int[] ingest = Draw.allocate(sizes.ingestRuns(), activity, sizes.ingestRuns() >= pipelines.size() ? 1 : 0);
        int[] features = Draw.allocate(sizes.featureRuns(), activity, sizes.featureRuns() >= pipelines.size() ? 1 : 0);
        double[] byVersions = pipelines.stream().mapToDouble(x -> x.versions).toArray();
        int[] extraTrain = Draw.allocate(sizes.trainRuns() - sizes.versions(), byVersions, 0);
        for (Pipeline p : pipelines) {
            for (long t : draw.sortedTimes(ingest[p.index], p.born, END)) {
                plan(Stage.INGEST, p, t, 300, 5400, 0.04, 0.01).source = draw.below(p.sources.size());
            }
            for (long t : draw.sortedTimes(features[p.index], p.born + 6 * 3600, END)) {
                plan(Stage.FEATURES, p, t, 600, 7200, 0.05, 0.01);
            }
            if (p.models.isEmpty()) {
                continue;
            }
            // registered runs: each model gets exactly its number of versions, spread over the pipeline's life
            int[] owners = new int[p.versions];
            int k = 0;
            for (int m : p.models) {
                for (int v = 0; v < modelPlans.get(m).versions; v++) {
                    owners[k++] = m;
                }
            }
            draw.shuffle(owners);
            long[] times = draw.sortedTimes(p.versions, p.born + DAY, END - 3 * DAY);
            for (int i = 0; i < times.length; i++) {
                long end = times[i] + (long) draw.logUniform(1200, 21600);
                RunPlan r = new RunPlan(plans.size(), Stage.TRAIN, p, times[i], end, RunStatus.SUCCEEDED);
                plans.add(r);
                r.model = modelPlans.get(owners[i]);
                r.registered = true;
                r.versionCreated = end + draw.between(300, 3600);
                r.model.registered.add(r);
            }
            for (long t : draw.sortedTimes(extraTrain[p.index], p.born + DAY, END)) {
                plan(Stage.TRAIN, p, t, 600, 21600, 0.45, 0.15).model = modelPlans.get(draw.pick(p.models));
            }
        }
        for (ModelPlan m : modelPlans) {
            m.registered.sort(Comparator.comparingLong((RunPlan r) -> r.versionCreated).thenComparingInt(r -> r.seq));
            for (int v = 0; v < m.registered.size(); v++) {
                RunPlan train = m.registered.get(v);
                train.versionNumber = v + 1;
                RunPlan eval = plan(Stage.EVALUATE, m.pipeline, train.versionCreated + draw.between(600, 7200), 300, 2400, 0.03, 0);
                eval.model = m;
                eval.trainedBy = train;
            }
        }
        if (plans.size() != sizes.runs()) {
            throw new IllegalStateException("planned " + plans.size() + " runs instead of " + sizes.runs());
        }
    }

    /**
     * How many files each run writes. Everything but the ingest runs' part files is decided by stage
     * and status; the part files take the rest of the artifact budget, so the total is exact.
     */
    private void planOutputs() {
        long fixed = externalCount();
        List<RunPlan> ingest = new ArrayList<>();
        for (RunPlan r : plans) {
            boolean ok = r.status == RunStatus.SUCCEEDED;
            switch (r.stage) {
                case INGEST -> {
                    if (ok) {
                        ingest.add(r);
                    }
                }
                case FEATURES -> r.outputs = !ok ? 0 : draw.chance(0.5) ? 1 : draw.chance(0.7) ? 2 : 3;
                case TRAIN -> r.outputs = ok ? 2 : r.status == RunStatus.FAILED && draw.chance(0.3) ? 1 : 0;
                case EVALUATE -> r.outputs = ok ? 2 : 0;
            }
            fixed += r.outputs;
        }
        long parts = sizes.artifacts() - fixed;
        if (parts < ingest.size()) {
            throw new IllegalStateException("the artifact budget (" + sizes.artifacts() + ") is too small for this scale");
        }
        double[] weights = new double[ingest.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = draw.logUniform(0.2, 5);
        }
        int[] counts = Draw.allocate((int) parts, weights, 1);
        for (int i = 0; i < counts.length; i++) {
            ingest.get(i).outputs = counts[i];
        }
    }

    // ------------------------------------------------------------------ external data

    private int staticReferences() {
        return (int) Math.ceil(sizes.referenceDatasets() * 0.3);
    }

    private static final int REFRESHES = 13;

    private long externalCount() {
        long streams = 0;
        for (int ns = 0; ns < namespaces.size(); ns++) {
            streams += sourcesOf(ns).size();
        }
        int refs = sizes.referenceDatasets();
        return streams + staticReferences() + (long) (refs - staticReferences()) * REFRESHES;
    }

    private List<String> sourcesOf(int ns) {
        List<String> sources = new ArrayList<>();
        for (Pipeline p : pipelines) {
            if (p.namespace == ns) {
                for (String s : p.sources) {
                    if (!sources.contains(s)) {
                        sources.add(s);
                    }
                }
            }
        }
        sources.sort(null);
        return sources;
    }

    /**
     * Data no run in the catalog produced: each team's raw streams (no digest: a stream has no fixed
     * content) and the shared reference tables, the most read of which never change while the others
     * are refreshed monthly (the same URI with a new digest).
     */
    private void external() {
        for (int ns = 0; ns < namespaces.size(); ns++) {
            Map<String, Integer> streams = new TreeMap<>();
            for (String s : sourcesOf(ns)) {
                streams.put(s, artifact(ns, s, "kafka://acme-" + namespaces.get(ns) + "/" + s, null, 0, null, ArtifactKind.DATASET,
                        START - 400 * DAY));
            }
            rawStreams.add(streams);
        }
        for (int i = 0; i < sizes.referenceDatasets(); i++) {
            String name = Vocabulary.reference(i);
            boolean fixed = i < staticReferences();
            int n = fixed ? 1 : REFRESHES;
            int[] idx = new int[n];
            long[] times = new long[n];
            for (int k = 0; k < n; k++) {
                times[k] = fixed ? START - 200 * DAY : START - 30 * DAY + k * 28 * DAY;
                String uri = "s3://acme-reference/" + name + (fixed ? "/snapshot.parquet" : "/latest.parquet");
                idx[k] = artifact(0, name, uri, "sha256:" + draw.hex(64), (long) draw.logUniform(1e5, 5e8), PARQUET, ArtifactKind.DATASET,
                        times[k]);
            }
            referenceVersions.add(idx);
            referenceTimes.add(times);
        }
        referencePopularity = draw.zipf(sizes.referenceDatasets(), 1.1);
    }

    private int artifact(int ns, String name, String uri, String digest, long size, String mediaType, ArtifactKind kind, long createdAt) {
        artifacts.add(new ArtifactRow(Ids.artifact(uri, digest), ns, name, uri, digest, size, mediaType, kind, createdAt));
        return artifacts.size() - 1;
    }

    /** A popular reference table as it was at {@code t}. */
    private int reference(long t) {
        int r = referencePopularity.next();
        long[] times = referenceTimes.get(r);
        int k = Arrays.binarySearch(times, t);
        k = k >= 0 ? k : Math.max(0, -k - 2);
        return referenceVersions.get(r)[k];
    }

    // ------------------------------------------------------------------ the simulation

    /** An output that becomes readable when its run ends. */
    private record Release(long at, int seq, RunPlan run, int[] artifacts) {
    }

    private void simulateRuns() {
        List<RunPlan> order = new ArrayList<>(plans);
        order.sort(Comparator.comparingLong((RunPlan r) -> r.start).thenComparingInt(r -> r.seq));
        java.util.PriorityQueue<Release> pending = new java.util.PriorityQueue<>(
                Comparator.comparingLong(Release::at).thenComparingInt(Release::seq));
        int releases = 0;
        for (RunPlan r : order) {
            while (!pending.isEmpty() && pending.peek().at() <= r.start) {
                publish(pending.poll());
            }
            r.run = runs.size();
            int[] outputs = simulate(r);
            if (outputs.length > 0 && r.status == RunStatus.SUCCEEDED) {
                pending.add(new Release(r.end, releases++, r, outputs));
            }
        }
    }

    /** Makes a finished run's outputs visible to the runs that start after it ended. */
    private void publish(Release release) {
        RunPlan r = release.run();
        Pipeline p = r.pipeline;
        switch (r.stage) {
            case INGEST -> {
                long day = Math.floorDiv(r.start, DAY);
                if (p.partitions.get(r.source).put(day, release.artifacts()) == null) {
                    p.partitionDates.get(r.source).add(day);
                }
            }
            case FEATURES -> {
                for (int a : release.artifacts()) {
                    p.features.add(a);
                }
            }
            case EVALUATE -> p.predictions.add(release.artifacts()[1]);
            case TRAIN -> {
                // model files are read by the evaluation of their version only
            }
        }
    }

    private int[] simulate(RunPlan r) {
        Pipeline p = r.pipeline;
        String ns = namespaces.get(p.namespace);
        Inputs in = new Inputs(r.run);
        String name;
        String externalId;
        String user;
        StringBuilder params = new StringBuilder("{");
        StringBuilder metrics = new StringBuilder("{");
        long end = r.status == RunStatus.RUNNING ? -1 : r.end;
        String date = LocalDate.ofEpochDay(Math.floorDiv(r.start, DAY)).toString();
        int[] outputs = new int[r.outputs];
        switch (r.stage) {
            case INGEST -> {
                String source = p.sources.get(r.source);
                name = "ingest-" + source;
                externalId = "airflow-" + draw.hex(20);
                user = "airflow";
                Map<String, Integer> streams = rawStreams.get(p.namespace);
                in.add(streams.get(source));
                if (draw.chance(0.25)) {
                    in.add(draw.pick(new ArrayList<>(streams.values())));
                }
                if (draw.chance(0.15)) {
                    in.add(reference(r.start));
                }
                // a backfill rewrites an older date: the same URIs, new content
                List<Long> dates = p.partitionDates.get(r.source);
                boolean backfill = !dates.isEmpty() && draw.chance(0.08);
                long day = backfill ? draw.pick(dates) : Math.floorDiv(r.start, DAY);
                String partition = LocalDate.ofEpochDay(day).toString();
                field(params, "source", "\"kafka://acme-" + ns + "/" + source + "\"");
                field(params, "date", "\"" + partition + "\"");
                field(params, "backfill", Boolean.toString(backfill));
                for (int i = 0; i < outputs.length; i++) {
                    String uri = String.format(Locale.ROOT, "s3://acme-%s-lake/%s/%s/date=%s/part-%05d.parquet", ns, p.name, source, partition, i);
                    outputs[i] = artifact(p.namespace, p.name + "." + source, uri, "sha256:" + draw.hex(64), (long) draw.logUniform(5e6, 2e9),
                            PARQUET, ArtifactKind.DATASET, end);
                }
                if (r.status == RunStatus.SUCCEEDED) {
                    field(metrics, "rows", Long.toString((long) draw.logUniform(1e4, 5e8)));
                    field(metrics, "files", Integer.toString(outputs.length));
                }
            }
            case FEATURES -> {
                name = "build-features";
                externalId = "airflow-" + draw.hex(20);
                user = "airflow";
                int window = window();
                int sources = Math.min(p.sources.size(), draw.chance(0.7) ? 1 : 2);
                int first = draw.below(p.sources.size());
                for (int s = 0; s < sources; s++) {
                    int k = 0;
                    for (int[] files : p.partitions.get((first + s) % p.sources.size()).descendingMap().values()) {
                        if (k++ >= window) {
                            break;
                        }
                        in.addAll(files);
                    }
                }
                int refs = draw.chance(0.4) ? 0 : draw.chance(0.67) ? 1 : 2;
                for (int i = 0; i < refs; i++) {
                    in.add(reference(r.start));
                }
                if (draw.chance(0.2)) {
                    Pipeline q = neighbour(p);
                    if (q != null && !q.predictions.isEmpty()) {
                        in.add(q.predictions.get(q.predictions.size() - 1));
                    }
                }
                if (draw.chance(0.1)) {
                    Pipeline q = neighbour(p);
                    if (q != null && !q.features.isEmpty()) {
                        in.add(q.features.get(q.features.size() - 1));
                    }
                }
                if (in.size() == 0) {
                    in.add(rawStreams.get(p.namespace).get(p.sources.get(first)));
                }
                field(params, "window_days", Integer.toString(window));
                field(params, "min_count", Integer.toString(draw.between(1, 10)));
                for (int i = 0; i < outputs.length; i++) {
                    String set = Vocabulary.FEATURE_SETS.get(i);
                    String uri = "s3://acme-" + ns + "-features/" + p.name + "/" + set + "/date=" + date + "/features.parquet";
                    outputs[i] = artifact(p.namespace, p.name + "." + set, uri, "sha256:" + draw.hex(64), (long) draw.logUniform(1e6, 5e8),
                            PARQUET, ArtifactKind.DATASET, end);
                }
                if (r.status == RunStatus.SUCCEEDED) {
                    field(metrics, "rows", Long.toString((long) draw.logUniform(1e4, 1e8)));
                    field(metrics, "features", Integer.toString(draw.between(8, 400)));
                }
            }
            case TRAIN -> {
                ModelPlan m = r.model;
                Vocabulary.Framework fw = frameworks.get(m.index);
                name = "train-" + m.name;
                externalId = "mlflow-" + draw.hex(32);
                user = draw.pick(Vocabulary.USERS);
                int n = Math.min(p.features.size(), draw.between(1, 3));
                for (int i = 0; i < n; i++) {
                    in.add(p.features.get(p.features.size() - 1 - i));
                }
                if (n == 0) {
                    for (TreeMap<Long, int[]> parts : p.partitions) {
                        if (!parts.isEmpty()) {
                            in.addAll(parts.lastEntry().getValue());
                        }
                    }
                }
                if (in.size() == 0 || draw.chance(0.3)) {
                    in.add(reference(r.start));
                }
                field(params, "framework", "\"" + fw.name() + "\"");
                r.learningRate = draw.logUniform(0.001, 0.3);
                field(params, "learning_rate", decimal(r.learningRate));
                field(params, "max_depth", Integer.toString(draw.between(3, 12)));
                field(params, "n_estimators", Integer.toString(50 * draw.between(2, 20)));
                field(params, "seed", Integer.toString(draw.below(10_000)));
                String dir = "s3://acme-" + ns + "-models/" + m.name + "/" + externalId + "/";
                if (r.status == RunStatus.SUCCEEDED) {
                    double auc = 0.6 + 0.35 * draw.uniform();
                    r.auc = auc;
                    field(metrics, "auc", decimal(auc));
                    field(metrics, "logloss", decimal(0.7 - 0.5 * (auc - 0.6)));
                    field(metrics, "f1", decimal(auc - 0.1 * draw.uniform()));
                    outputs[0] = artifact(p.namespace, m.name, dir + fw.file(), "sha256:" + draw.hex(64), (long) draw.logUniform(1e5, 2e9),
                            fw.mediaType(), ArtifactKind.MODEL, end);
                    outputs[1] = artifact(p.namespace, m.name + " metrics", dir + "metrics.json", "sha256:" + draw.hex(64),
                            draw.between(200, 20_000), "application/json", ArtifactKind.OTHER, end);
                    r.modelFile = outputs[0];
                } else if (outputs.length == 1) {
                    int epoch = draw.between(1, 30);
                    outputs[0] = artifact(p.namespace, m.name + " checkpoint", dir + "checkpoint-epoch-" + epoch + ".pt", "sha256:" + draw.hex(64),
                            (long) draw.logUniform(1e5, 2e9), "application/x-pytorch", ArtifactKind.OTHER, end);
                }
            }
            case EVALUATE -> {
                ModelPlan m = r.model;
                name = "evaluate-" + m.name;
                externalId = "airflow-" + draw.hex(20);
                user = "airflow";
                in.add(r.trainedBy.modelFile);
                if (!p.features.isEmpty()) {
                    in.add(p.features.get(p.features.size() - 1));
                }
                if (draw.chance(0.2)) {
                    in.add(reference(r.start));
                }
                field(params, "model", "\"" + m.name + "\"");
                field(params, "version", "\"" + r.trainedBy.versionNumber + "\"");
                if (r.status == RunStatus.SUCCEEDED) {
                    field(metrics, "auc", decimal(0.6 + 0.35 * draw.uniform()));
                    field(metrics, "precision_at_1pct", decimal(0.5 + 0.5 * draw.uniform()));
                    String dir = "s3://acme-" + ns + "-eval/" + m.name + "/v" + r.trainedBy.versionNumber + "/";
                    outputs[0] = artifact(p.namespace, m.name + " report", dir + "report.html", "sha256:" + draw.hex(64),
                            draw.between(10_000, 5_000_000), "text/html", ArtifactKind.OTHER, end);
                    outputs[1] = artifact(p.namespace, m.name + " predictions", dir + "predictions.parquet", "sha256:" + draw.hex(64),
                            (long) draw.logUniform(1e6, 1e9), PARQUET, ArtifactKind.DATASET, end);
                }
            }
            default -> throw new IllegalStateException();
        }
        int codeVersion = commitAt(p.repository, r.start);
        long created = r.start + draw.between(1, 60);
        long updated = (end >= 0 ? end : r.start) + draw.between(1, 60);
        runs.add(new RunRow(Ids.run(ns, name, externalId), p.namespace, name, externalId, p.name, r.status,
                end >= 0 ? end : r.start, r.start, end >= 0 ? end : null, user, params.append('}').toString(),
                metrics.append('}').toString(), codeVersion, created, Math.max(created, updated), in.toArray(), outputs));
        return outputs;
    }

    /** How many recent partitions a feature run reads: mostly one day, now and then a month. */
    private int window() {
        double x = draw.uniform();
        return x < 0.75 ? 1 : x < 0.88 ? 2 : x < 0.97 ? draw.between(3, 7) : draw.between(8, 30);
    }

    /** Another pipeline of the same team, or null when the team has one. */
    private Pipeline neighbour(Pipeline p) {
        List<Pipeline> team = teams.get(p.namespace);
        Pipeline q = team.get(draw.below(team.size()));
        return q != p ? q : null;
    }

    /** A run's inputs, each artifact once. */
    private final class Inputs {
        private final int run;
        private int[] items = new int[8];
        private int size;

        Inputs(int run) {
            this.run = run;
        }

        void add(int artifact) {
            if (chosenBy[artifact] == run) {
                return;
            }
            chosenBy[artifact] = run;
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = artifact;
        }

        void addAll(int[] artifacts) {
            for (int a : artifacts) {
                add(a);
            }
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }

    private static void field(StringBuilder json, String key, String value) {
        if (json.length() > 1) {
            json.append(", ");
        }
        json.append('"').append(key).append("\": ").append(value);
    }

    private static String decimal(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    // ------------------------------------------------------------------ models and versions

    private void registerVersions() {
        for (ModelPlan m : modelPlans) {
            Pipeline p = m.pipeline;
            long created = m.registered.get(0).versionCreated;
            String task = Vocabulary.MODEL_KINDS.get(m.index % Vocabulary.MODEL_KINDS.size());
            models.add(new ModelRow(Ids.model(namespaces.get(p.namespace), m.name), p.namespace, m.name,
                    "The " + task + " of the " + p.name + " pipeline (team " + namespaces.get(p.namespace) + ")", created));
        }
        // versions in the order they were registered, so that a model's versions are numbered as they came
        List<RunPlan> registered = new ArrayList<>();
        for (ModelPlan m : modelPlans) {
            registered.addAll(m.registered);
        }
        registered.sort(Comparator.comparingLong((RunPlan r) -> r.versionCreated).thenComparingInt(r -> r.seq));
        for (RunPlan r : registered) {
            ModelRow model = models.get(r.model.index);
            String version = Integer.toString(r.versionNumber);
            String description = frameworks.get(r.model.index).name() + ", learning rate " + decimal(r.learningRate) + ", AUC "
                    + decimal(r.auc);
            versions.add(new VersionRow(Ids.modelVersion(model.id(), version), r.model.index, version, r.versionNumber, description,
                    r.modelFile, r.run, r.versionCreated));
        }
    }
}
