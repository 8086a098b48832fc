package io.mlcatalog.plugins.storage;

import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.record.ArtifactKind;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What kind of artifact a file or object is, and its media type, by the extension of its name: the extensions that
 * are models and those that are datasets come from settings (with the defaults below); anything else is OTHER. A
 * sidecar may say otherwise for one file.
 */
public final class KindRules {
    /** Model files: ONNX, PyTorch, safetensors, pickles, joblib, Keras/HDF5, GGUF, raw weights. */
    public static final List<String> DEFAULT_MODEL_EXTENSIONS = List.of(".onnx", ".pt", ".pth", ".safetensors", ".pkl", ".joblib", ".h5",
            ".keras", ".gguf", ".bin");
    /** Datasets: columnar and row formats. */
    public static final List<String> DEFAULT_DATASET_EXTENSIONS = List.of(".parquet", ".csv", ".json", ".jsonl", ".avro", ".orc", ".arrow",
            ".feather", ".tfrecord");

    private static final Map<String, String> MEDIA_TYPES = Map.ofEntries(
            Map.entry(".onnx", "application/onnx"),
            Map.entry(".pt", "application/x-pytorch"),
            Map.entry(".pth", "application/x-pytorch"),
            Map.entry(".safetensors", "application/x-safetensors"),
            Map.entry(".pkl", "application/x-python-pickle"),
            Map.entry(".joblib", "application/x-joblib"),
            Map.entry(".h5", "application/x-hdf5"),
            Map.entry(".keras", "application/x-keras"),
            Map.entry(".gguf", "application/x-gguf"),
            Map.entry(".bin", "application/octet-stream"),
            Map.entry(".parquet", "application/vnd.apache.parquet"),
            Map.entry(".csv", "text/csv"),
            Map.entry(".json", "application/json"),
            Map.entry(".jsonl", "application/jsonl"),
            Map.entry(".avro", "application/avro"),
            Map.entry(".orc", "application/x-orc"),
            Map.entry(".arrow", "application/vnd.apache.arrow.file"),
            Map.entry(".feather", "application/vnd.apache.arrow.file"),
            Map.entry(".tfrecord", "application/x-tfrecord"),
            Map.entry(".txt", "text/plain"),
            Map.entry(".md", "text/markdown"),
            Map.entry(".yaml", "application/yaml"),
            Map.entry(".yml", "application/yaml"),
            Map.entry(".zip", "application/zip"),
            Map.entry(".gz", "application/gzip"),
            Map.entry(".tar", "application/x-tar"),
            Map.entry(".npy", "application/x-npy"),
            Map.entry(".npz", "application/x-npz"));

    private final Set<String> models;
    private final Set<String> datasets;

    private KindRules(Set<String> models, Set<String> datasets) {
        this.models = models;
        this.datasets = datasets;
    }

    public static KindRules defaults() {
        return of("modelExtensions", DEFAULT_MODEL_EXTENSIONS, "datasetExtensions", DEFAULT_DATASET_EXTENSIONS);
    }

    /**
     * Rules from two settings; an extension is given with or without its dot, in any case.
     *
     * @throws PluginConfigException when an extension is empty or both lists have it
     */
    public static KindRules of(String modelKey, List<String> modelExtensions, String datasetKey, List<String> datasetExtensions) {
        Set<String> models = normalize(modelKey, modelExtensions);
        Set<String> datasets = normalize(datasetKey, datasetExtensions);
        for (String e : models) {
            if (datasets.contains(e)) {
                throw new PluginConfigException(datasetKey, "has " + e + ", which " + modelKey + " has too: an extension is one kind");
            }
        }
        return new KindRules(models, datasets);
    }

    private static Set<String> normalize(String key, List<String> extensions) {
        Set<String> result = new TreeSet<>();
        for (String e : extensions) {
            String x = e.strip().toLowerCase(Locale.ROOT);
            if (x.isEmpty() || x.equals(".")) {
                throw new PluginConfigException(key, "has an empty extension");
            }
            result.add(x.startsWith(".") ? x : "." + x);
        }
        return result;
    }

    /** The kind of a file by its name (the last path segment). */
    public ArtifactKind kind(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        // longest match first, so that ".tar.gz"-style extensions can be configured
        for (String e : models) {
            if (lower.endsWith(e) && lower.length() > e.length()) {
                return ArtifactKind.MODEL;
            }
        }
        for (String e : datasets) {
            if (lower.endsWith(e) && lower.length() > e.length()) {
                return ArtifactKind.DATASET;
            }
        }
        return ArtifactKind.OTHER;
    }

    /** The media type of a file by its extension, or null when unknown. */
    public static String mediaType(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        int dot = lower.lastIndexOf('.');
        return dot < 0 ? null : MEDIA_TYPES.get(lower.substring(dot));
    }
}
