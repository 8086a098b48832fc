package io.mlcatalog.plugins.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.spi.record.RunRecord;
import io.mlcatalog.spi.record.RunRef;
import io.mlcatalog.spi.record.RunStatus;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * MLflow's runs, datasets, logged models and model versions as the catalog's records. A run is named by its MLflow run
 * id (its name in MLflow can be changed; the id cannot), which is also its external id, so an {@code MLmodel} file read
 * by a storage plugin ({@code run_id}) finds it.
 */
final class RecordMapper {
    /** MLflow's own digest of a dataset: the first 8 hex digits of an MD5 of its content for pandas and NumPy data. */
    static final String DATASET_DIGEST_PREFIX = "mlflow-dataset:";
    static final String RUN_FACET = "mlflowRun";
    static final String DATASET_FACET = "mlflowDataset";
    static final String LOGGED_MODEL_FACET = "mlflowLoggedModel";
    static final String LOG_MODEL_HISTORY = "mlflow.log-model.history";
    static final String PARENT_RUN_ID = "mlflow.parentRunId";
    /** The catalog's limits on a record's tags (of runs and model versions). */
    static final int MAX_TAGS = 100;
    static final int MAX_TAG_VALUE_BYTES = 4096;
    /** Tags not kept as tags: the history is read as the run's model outputs, the note goes to the run's facet, a diff is too big. */
    private static final List<String> NOT_TAGS = List.of(LOG_MODEL_HISTORY, "mlflow.source.git.diff", "mlflow.note.content");
    private static final Pattern FULL_SHA = Pattern.compile("[0-9a-fA-F]{40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String namespace;

    RecordMapper(String namespace) {
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    RunRef ref(String runId) {
        return RunRef.of(namespace, runId, runId);
    }

    static RunStatus status(String mlflowStatus) {
        return switch (mlflowStatus == null ? "RUNNING" : mlflowStatus) {
            case "FINISHED" -> RunStatus.SUCCEEDED;
            case "FAILED" -> RunStatus.FAILED;
            case "KILLED" -> RunStatus.ABORTED;
            default -> RunStatus.RUNNING; // RUNNING, SCHEDULED
        };
    }

    static boolean ended(Tracking.Run run) {
        return status(run.status()) != RunStatus.RUNNING;
    }

    /** The commit a run ran, when MLflow recorded its repository and full sha (else the tags still carry what it did). */
    Optional<CodeVersionRecord> codeVersion(Tracking.Run run) {
        String repo = repository(run);
        String commit = run.tags().get("mlflow.source.git.commit");
        if (repo == null || commit == null || !FULL_SHA.matcher(commit.strip()).matches()) {
            return Optional.empty();
        }
        String branch = first(run.tags().get("mlflow.source.git.branch"), run.tags().get("mlflow.gitBranchName"));
        return Optional.of(new CodeVersionRecord(repo, commit.strip().toLowerCase(java.util.Locale.ROOT),
                branch == null ? List.of() : List.of(branch), List.of(), null, null, null, null, null));
    }

    private static String repository(Tracking.Run run) {
        // before MLflow 1.x named it mlflow.source.git.repoURL, it was mlflow.gitRepoURL; old runs still carry that
        return withoutCredentials(first(run.tags().get("mlflow.source.git.repoURL"), run.tags().get("mlflow.gitRepoURL")));
    }

    /**
     * The run, with the datasets it read as inputs and the models it logged the MLflow 2 way (its log-model history) as
     * outputs. {@code parentKnown}: whether its parent run is recorded (or comes before it in the same poll).
     */
    RunRecord run(Tracking.Run run, Tracking.Experiment experiment, boolean parentKnown) {
        RunRecord.Builder b = RunRecord.builder(namespace, run.id(), status(run.status()))
                .externalId(run.id())
                .pipeline(experiment.name())
                .startedAt(instant(run.startTime()))
                .endedAt(ended(run) ? endedAt(run) : null)
                .user(first(run.user(), run.tags().get("mlflow.user")))
                .params(new LinkedHashMap<>(run.params()));
        Map<String, Object> facet = new LinkedHashMap<>();
        facet.put("experimentId", experiment.id());
        facet.put("experimentName", experiment.name());
        putIfSet(facet, "runName", first(run.name(), run.tags().get("mlflow.runName")));
        putIfSet(facet, "artifactUri", run.artifactUri());
        putIfSet(facet, "status", run.status());
        putIfSet(facet, "description", run.tags().get("mlflow.note.content"));

        if (ended(run) && run.endTime() != null && run.startTime() != null && run.endTime() < run.startTime()) {
            facet.put("endTime", run.endTime()); // before its start (the clocks of two machines): ended at its start here
        }
        Map<String, Object> metrics = new TreeMap<>();
        Map<String, String> notFinite = new TreeMap<>();
        run.metrics().forEach((k, v) -> {
            if (v == null || v.isNaN() || v.isInfinite()) {
                notFinite.put(k, String.valueOf(v)); // JSON has no NaN nor infinity
            } else {
                metrics.put(k, v);
            }
        });
        b.metrics(metrics);
        if (!notFinite.isEmpty()) {
            facet.put("notFiniteMetrics", notFinite);
        }
        List<String> dropped = new ArrayList<>();
        Map<String, String> runTags = new LinkedHashMap<>(run.tags());
        for (String key : List.of("mlflow.source.git.repoURL", "mlflow.gitRepoURL")) {
            runTags.computeIfPresent(key, (k, v) -> withoutCredentials(v)); // a CI job's remote may carry a token
        }
        b.tags(tags(runTags, NOT_TAGS, dropped));
        if (!dropped.isEmpty()) {
            facet.put("tagsNotKept", dropped);
        }
        String parent = run.tags().get(PARENT_RUN_ID);
        if (parent != null && parentKnown) {
            b.parent(ref(parent));
        }
        String repo = repository(run);
        codeVersion(run).ifPresent(c -> b.code(repo, c.commit()));
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (Tracking.DatasetInput d : run.datasets()) {
            ArtifactRecord dataset = dataset(d, experiment);
            b.input(dataset);
            // how the run used it (training, eval) belongs to the run, not to the dataset other runs read too
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("uri", dataset.uri());
            putIfSet(input, "name", d.name());
            putIfSet(input, "digest", d.digest());
            putIfSet(input, "context", d.context());
            inputs.add(input);
        }
        if (!inputs.isEmpty()) {
            facet.put("datasets", inputs);
        }
        for (ArtifactRecord model : historyModels(run)) {
            b.output(model);
        }
        b.facets(Map.of(RUN_FACET, facet));
        return b.build();
    }

    /**
     * A dataset a run read, at the URI its source names ({@code uri}, {@code url}, {@code path}, a table's name), with
     * MLflow's digest. A source with none of these (code, a custom one) is named by its experiment and name.
     */
    ArtifactRecord dataset(Tracking.DatasetInput d, Tracking.Experiment experiment) {
        JsonNode source = parse(d.source());
        String uri = location(sourceUri(d.sourceType(), source));
        if (uri == null) { // no source, or a relative path (of the machine that ran it)
            uri = "mlflow-dataset://" + experiment.id() + "/" + URLEncoder.encode(d.name() == null ? "dataset" : d.name(), StandardCharsets.UTF_8);
        }
        Map<String, Object> facet = new LinkedHashMap<>();
        putIfSet(facet, "name", d.name());
        putIfSet(facet, "digest", d.digest());
        putIfSet(facet, "sourceType", d.sourceType());
        putIfSet(facet, "source", source == null ? d.source() : JSON.convertValue(source, Object.class));
        putIfSet(facet, "schema", json(d.schema()));
        putIfSet(facet, "profile", json(d.profile()));
        String digest = d.digest() == null || d.digest().isBlank() || d.digest().strip().chars().anyMatch(c -> c <= 0x20 || c > 0x7e)
                ? null : DATASET_DIGEST_PREFIX + d.digest().strip();
        return ArtifactRecord.builder(namespace, uri).name(d.name()).kind(ArtifactKind.DATASET).digest(digest)
                .facets(Map.of(DATASET_FACET, facet)).build();
    }

    static String sourceUri(String type, JsonNode source) {
        if (source == null || !source.isObject()) {
            return null;
        }
        for (String field : List.of("uri", "url", "path")) {
            String v = text(source, field);
            if (v != null) {
                return "hugging_face".equals(type) ? "hf://datasets/" + v : trimSlash(v);
            }
        }
        String table = first(text(source, "delta_table_name"), text(source, "table_name"));
        // a URI scheme has no '_': delta_table becomes delta-table
        return table == null ? null : (type == null || !type.matches("[A-Za-z][A-Za-z0-9_+.-]*") ? "table" : type.replace('_', '-')) + ":" + table;
    }

    /** A logged model (MLflow 3): the model files at its artifact location ({@code uri}, see {@link #location}), made by its source run. */
    ArtifactRecord loggedModel(Tracking.LoggedModel m, String uri) {
        Map<String, Object> facet = new LinkedHashMap<>();
        facet.put("modelId", m.id());
        putIfSet(facet, "name", m.name());
        putIfSet(facet, "modelType", m.modelType());
        putIfSet(facet, "status", m.status());
        putIfSet(facet, "sourceRunId", m.sourceRunId());
        if (!m.params().isEmpty()) {
            facet.put("params", new TreeMap<>(m.params()));
        }
        return ArtifactRecord.builder(namespace, uri).name(m.name()).kind(ArtifactKind.MODEL)
                .createdAt(instant(m.created())).externalId(m.id()).facets(Map.of(LOGGED_MODEL_FACET, facet)).build();
    }

    /**
     * The models a run logged before MLflow 3 (its {@code mlflow.log-model.history} tag): each at its artifact path under
     * the run's artifact URI. Entries of MLflow 3 (with a {@code model_id}) are logged models, read as such.
     */
    List<ArtifactRecord> historyModels(Tracking.Run run) {
        String history = run.tags().get(LOG_MODEL_HISTORY);
        JsonNode entries = parse(history);
        String base = location(run.artifactUri());
        if (entries == null || !entries.isArray() || base == null) {
            return List.of();
        }
        Map<String, ArtifactRecord> models = new LinkedHashMap<>();
        for (JsonNode e : entries) {
            String path = text(e, "artifact_path");
            if (path == null || text(e, "model_id") != null) {
                continue;
            }
            String uri = base + "/" + encode(trimSlash(path));
            Map<String, Object> facet = new LinkedHashMap<>();
            putIfSet(facet, "artifactPath", path);
            if (e.path("flavors").isObject()) {
                List<String> flavors = new ArrayList<>();
                e.path("flavors").fieldNames().forEachRemaining(flavors::add);
                facet.put("flavors", flavors);
            }
            models.put(uri, ArtifactRecord.builder(namespace, uri).name(path).kind(ArtifactKind.MODEL)
                    .createdAt(historyTime(text(e, "utc_time_created"))).externalId(text(e, "model_uuid"))
                    .facets(Map.of("mlflowModel", facet)).build());
        }
        return List.copyOf(models.values());
    }

    /**
     * A registered model's version, linked to its run (awaited when the run is not recorded yet: it may be in an
     * experiment this instance does not read) and to its model files, {@code artifactUri}.
     */
    ModelVersionRecord modelVersion(Tracking.ModelVersion v, String artifactUri) {
        Map<String, String> tags = new LinkedHashMap<>(v.tags());
        if (v.stage() != null && !v.stage().equals("None")) {
            tags.put("mlflow.stage", v.stage()); // MLflow's stages before aliases: several versions may share one, so not an alias
        }
        if (v.status() != null && !v.status().equals("READY")) {
            tags.put("mlflow.status", v.status());
        }
        ArtifactRecord artifact = artifactUri == null ? null
                : ArtifactRecord.builder(namespace, artifactUri).kind(ArtifactKind.MODEL).build();
        RunRef run = v.runId() == null || v.runId().isBlank() ? null : ref(v.runId().strip());
        ModelVersionRecord record = new ModelVersionRecord(namespace, v.model(), v.version(), v.description(),
                tags(tags, List.of(), new ArrayList<>()), artifact, run, instant(v.created()), v.model() + "/" + v.version(), null);
        return run == null ? record : record.awaitingRun();
    }

    /**
     * The tags the catalog keeps of a run's or version's (at most 100, values of at most 4 KB): the user's first, then
     * MLflow's own ({@code mlflow.*}); what does not fit is named in {@code dropped}.
     */
    static Map<String, String> tags(Map<String, String> all, List<String> skip, List<String> dropped) {
        Map<String, String> kept = new LinkedHashMap<>();
        all.entrySet().stream()
                .filter(e -> !skip.contains(e.getKey()))
                .sorted(Comparator.<Map.Entry<String, String>, Boolean>comparing(e -> e.getKey().startsWith("mlflow."))
                        .thenComparing(Map.Entry::getKey))
                .forEach(e -> {
                    String v = e.getValue() == null ? "" : e.getValue();
                    if (kept.size() >= MAX_TAGS || v.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_VALUE_BYTES
                            || e.getKey().isBlank() || e.getKey().getBytes(StandardCharsets.UTF_8).length > 256) {
                        dropped.add(e.getKey());
                    } else {
                        kept.put(e.getKey(), v);
                    }
                });
        return kept;
    }

    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:.+");

    /**
     * A location MLflow gives as an artifact URI: a URI as it is (whitespace and control characters percent-encoded), an
     * absolute path (MLflow's SQL store keeps local artifacts so) as a {@code file:} URI, as the filesystem plugin records
     * it; null for a relative path, which says nothing of where it is.
     */
    static String location(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.strip();
        if (t.matches("[a-zA-Z]:[\\\\/].*")) {
            return "file:///" + encode(t.replace('\\', '/')); // a Windows path
        }
        if (SCHEME.matcher(t).matches()) {
            return trimSlash(encode(t));
        }
        if (t.startsWith("/")) {
            return trimSlash(java.nio.file.Path.of(t).normalize().toUri().toString());
        }
        return null;
    }

    /** Whitespace and control characters percent-encoded (as UTF-8), the rest as it is. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                for (byte x : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
                    b.append('%').append(String.format("%02X", x & 0xff));
                }
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** A repository URL without the user and password a CI job's remote may carry ({@code https://user:token@host/…}). */
    static String withoutCredentials(String url) {
        if (url == null) {
            return null;
        }
        var m = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@(.*)").matcher(url.strip());
        return m.matches() ? m.group(1) + m.group(2) : url.strip();
    }

    private static Instant endedAt(Tracking.Run run) {
        if (run.endTime() != null && run.startTime() != null && run.endTime() < run.startTime()) {
            return instant(run.startTime());
        }
        return instant(run.endTime());
    }

    static Instant instant(Long epochMillis) {
        return epochMillis == null || epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis);
    }

    private static Instant historyTime(String utc) {
        if (utc == null) {
            return null;
        }
        try {
            // "2026-11-20 10:41:07.123456", as MLflow writes datetime.utcnow()
            return java.time.LocalDateTime.parse(utc.strip().replace(' ', 'T')).toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    static String trimSlash(String s) {
        String t = s;
        while (t.length() > 1 && t.endsWith("/") && !t.endsWith(":/") && !t.endsWith("://")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static JsonNode parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** A JSON document in a string, as a value for a facet; the string itself when it is not JSON. */
    private static Object json(String s) {
        JsonNode n = parse(s);
        return n == null ? s : JSON.convertValue(n, Object.class);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText().strip() : null;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null && !(value instanceof String s && s.isBlank())) {
            map.put(key, value);
        }
    }

    static String first(String a, String b) {
        return a != null && !a.isBlank() ? a.strip() : b != null && !b.isBlank() ? b.strip() : null;
    }
}
