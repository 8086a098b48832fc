package io.mlcatalog.plugins.storage;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.RunRef;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a sidecar says about a file or object: the run that produced it, the model version it is, its kind. The
 * convention (docs/plugins/sidecars.md), in order of precedence:
 * <ol>
 *   <li>{@code <file>.mlcatalog.json} beside the file: {@code {"run": {"namespace", "name", "externalId"}, "model":
 *       {"namespace", "name", "version", "description"}, "kind": "MODEL"}}, every part optional;</li>
 *   <li>S3 object metadata {@code x-amz-meta-mlcatalog-run}, {@code -run-namespace}, {@code -run-id}, {@code -model},
 *       {@code -model-version}, {@code -model-namespace}, {@code -kind};</li>
 *   <li>for the model files of a directory: an MLflow {@code MLmodel} file there ({@code run_id} names the run by
 *       external id; it names no registered model), or a {@code model-card.md} whose YAML front matter has
 *       {@code model_name}, {@code version}, {@code run_id}, {@code run_name}, {@code run_namespace}.</li>
 * </ol>
 *
 * @param run    the producing run, or null
 * @param model  the model version to register with the file, or null
 * @param kind   the kind to record, or null for the kind rules'
 * @param facets named documents to record on the artifact ({@code mlflowModel} from an MLmodel file), maybe empty
 * @param origin where it was read, for messages ({@code model.onnx.mlcatalog.json})
 */
public record Sidecar(RunName run, ModelRef model, ArtifactKind kind, Map<String, Object> facets, String origin) {
    /** The suffix of a file's own sidecar. */
    public static final String SUFFIX = ".mlcatalog.json";
    public static final String MLMODEL = "MLmodel";
    public static final String MODEL_CARD = "model-card.md";
    /** The user-metadata keys (without {@code x-amz-meta-}) of an S3 object's sidecar. */
    public static final String META_RUN = "mlcatalog-run";
    public static final String META_RUN_NAMESPACE = "mlcatalog-run-namespace";
    public static final String META_RUN_ID = "mlcatalog-run-id";
    public static final String META_MODEL = "mlcatalog-model";
    public static final String META_MODEL_VERSION = "mlcatalog-model-version";
    public static final String META_MODEL_NAMESPACE = "mlcatalog-model-namespace";
    public static final String META_KIND = "mlcatalog-kind";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Larger sidecars are refused unread: they are a few hundred bytes. */
    public static final int MAX_BYTES = 64 * 1024;

    public Sidecar {
        Objects.requireNonNull(origin, "origin is null");
        facets = facets == null ? Map.of() : Map.copyOf(facets);
    }

    /**
     * The run a sidecar names: by name (in {@code namespace}, null: the instance's), or by external id alone
     * (in {@code namespace} if given, else in any).
     */
    public record RunName(String namespace, String name, String externalId) {
        public RunName {
            if (name == null && externalId == null) {
                throw new IllegalArgumentException("a run is named by name or externalId");
            }
        }

        /** The reference records carry, with the instance's namespace where the sidecar names none. */
        public RunRef ref(String defaultNamespace) {
            return name == null ? RunRef.byExternalId(namespace, externalId)
                    : RunRef.of(namespace != null ? namespace : defaultNamespace, name, externalId);
        }
    }

    /** A model version a sidecar names; {@code namespace} null: the instance's namespace; {@code version} null: the next number. */
    public record ModelRef(String namespace, String name, String version, String description) {
        public ModelRef {
            Objects.requireNonNull(name, "name is null");
        }
    }

    /** A sidecar could not be read; the file is recorded without it and the reason logged. */
    public static final class InvalidSidecarException extends Exception {
        public InvalidSidecarException(String origin, String problem) {
            super(origin + ": " + problem);
        }
    }

    /** Whether a file name is a sidecar of any kind (sidecars are metadata, not artifacts). */
    public static boolean isSidecarName(String fileName) {
        return fileName.endsWith(SUFFIX) || fileName.equals(MLMODEL) || fileName.equals(MODEL_CARD);
    }

    /** Whether a sidecar of this name applies to the model files of its directory (rather than to one file). */
    public static boolean isDirectorySidecar(String fileName) {
        return fileName.equals(MLMODEL) || fileName.equals(MODEL_CARD);
    }

    /** Reads a sidecar file of any of the three kinds, by its name. */
    public static Sidecar read(String fileName, byte[] content) throws InvalidSidecarException {
        if (content.length > MAX_BYTES) {
            throw new InvalidSidecarException(fileName, "larger than " + MAX_BYTES + " bytes");
        }
        if (fileName.equals(MLMODEL)) {
            return mlmodel(fileName, content);
        }
        if (fileName.equals(MODEL_CARD)) {
            return modelCard(fileName, content);
        }
        return json(fileName, content);
    }

    /** {@code <file>.mlcatalog.json}. */
    public static Sidecar json(String origin, byte[] content) throws InvalidSidecarException {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JacksonException e) {
            throw new InvalidSidecarException(origin, "not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidSidecarException(origin, e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSidecarException(origin, "not a JSON object");
        }
        RunName run = null;
        JsonNode r = root.path("run");
        if (!r.isMissingNode() && !r.isNull()) {
            if (!r.isObject()) {
                throw new InvalidSidecarException(origin, "run is not an object: give {\"namespace\", \"name\", \"externalId\"}");
            }
            run = runRef(origin, text(origin, r, "namespace"), text(origin, r, "name"), text(origin, r, "externalId"));
        }
        ModelRef model = null;
        JsonNode m = root.path("model");
        if (!m.isMissingNode() && !m.isNull()) {
            if (!m.isObject()) {
                throw new InvalidSidecarException(origin, "model is not an object: give {\"name\", \"version\", \"namespace\"}");
            }
            String name = text(origin, m, "name");
            if (name == null) {
                throw new InvalidSidecarException(origin, "model has no name");
            }
            model = new ModelRef(text(origin, m, "namespace"), name, text(origin, m, "version"), text(origin, m, "description"));
        }
        return new Sidecar(run, model, kind(origin, text(origin, root, "kind")), Map.of(), origin);
    }

    /** An MLflow {@code MLmodel} file: its run by {@code run_id}, and an {@code mlflowModel} facet. */
    public static Sidecar mlmodel(String origin, byte[] content) throws InvalidSidecarException {
        JsonNode root = yaml(origin, new String(content, StandardCharsets.UTF_8));
        String runId = text(origin, root, "run_id");
        Map<String, Object> facet = new LinkedHashMap<>();
        for (String key : new String[] {"artifact_path", "model_uuid", "utc_time_created", "mlflow_version"}) {
            String v = text(origin, root, key);
            if (v != null) {
                facet.put(key, v);
            }
        }
        if (root.path("flavors").isObject()) {
            facet.put("flavors", new java.util.ArrayList<>(iterable(root.path("flavors").fieldNames())));
        }
        return new Sidecar(runId == null ? null : new RunName(null, null, runId), null, ArtifactKind.MODEL,
                facet.isEmpty() ? Map.of() : Map.of("mlflowModel", facet), origin);
    }

    /** A {@code model-card.md}: the YAML front matter between the first two {@code ---} lines, if any. */
    public static Sidecar modelCard(String origin, byte[] content) throws InvalidSidecarException {
        String text = new String(content, StandardCharsets.UTF_8).replace("\r\n", "\n");
        if (!text.startsWith("---\n")) {
            return new Sidecar(null, null, null, Map.of(), origin); // a card without front matter says nothing we read
        }
        int end = text.indexOf("\n---", 4);
        if (end < 0) {
            throw new InvalidSidecarException(origin, "the front matter has no closing ---");
        }
        JsonNode root = yaml(origin, text.substring(4, end));
        String runName = text(origin, root, "run_name");
        String runId = text(origin, root, "run_id");
        RunName run = runName == null && runId == null ? null : runRef(origin, text(origin, root, "run_namespace"), runName, runId);
        String modelName = text(origin, root, "model_name");
        ModelRef model = modelName == null ? null
                : new ModelRef(text(origin, root, "model_namespace"), modelName, text(origin, root, "version"), null);
        return new Sidecar(run, model, null, Map.of(), origin);
    }

    /** An S3 object's user metadata (keys without {@code x-amz-meta-}, any case); null when it has no mlcatalog keys. */
    public static Sidecar metadata(String origin, Map<String, String> userMetadata) throws InvalidSidecarException {
        Map<String, String> meta = new LinkedHashMap<>();
        userMetadata.forEach((k, v) -> meta.put(k.toLowerCase(Locale.ROOT), v == null || v.isBlank() ? null : v.strip()));
        if (meta.keySet().stream().noneMatch(k -> k.startsWith("mlcatalog-"))) {
            return null;
        }
        String runName = meta.get(META_RUN);
        String runId = meta.get(META_RUN_ID);
        RunName run = runName == null && runId == null ? null : runRef(origin, meta.get(META_RUN_NAMESPACE), runName, runId);
        String modelName = meta.get(META_MODEL);
        ModelRef model = modelName == null ? null
                : new ModelRef(meta.get(META_MODEL_NAMESPACE), modelName, meta.get(META_MODEL_VERSION), null);
        return new Sidecar(run, model, kind(origin, meta.get(META_KIND)), Map.of(), origin);
    }

    /** A run as a sidecar names it; a name without a namespace means the instance's ({@link RunName#ref}). */
    private static RunName runRef(String origin, String namespace, String name, String externalId) throws InvalidSidecarException {
        if (name == null && externalId == null) {
            throw new InvalidSidecarException(origin, "run has neither name nor externalId");
        }
        return new RunName(namespace, name, externalId);
    }

    private static ArtifactKind kind(String origin, String text) throws InvalidSidecarException {
        if (text == null) {
            return null;
        }
        try {
            return ArtifactKind.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSidecarException(origin, "kind '" + text + "' is not MODEL, DATASET or OTHER");
        }
    }

    private static JsonNode yaml(String origin, String text) throws InvalidSidecarException {
        try {
            JsonNode root = YAML.readTree(text);
            if (root == null || root.isMissingNode() || root.isNull()) {
                return JSON.createObjectNode();
            }
            if (!root.isObject()) {
                throw new InvalidSidecarException(origin, "not a YAML mapping");
            }
            return root;
        } catch (JacksonException e) {
            throw new InvalidSidecarException(origin, "not YAML: " + e.getOriginalMessage());
        }
    }

    private static String text(String origin, JsonNode node, String field) throws InvalidSidecarException {
        JsonNode v = node.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new InvalidSidecarException(origin, field + " is not a text");
        }
        String s = v.asText().strip();
        return s.isEmpty() ? null : s;
    }

    private static <T> java.util.List<T> iterable(java.util.Iterator<T> it) {
        java.util.List<T> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
