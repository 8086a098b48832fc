package io.mlcatalog.plugins.filesystem;

import io.mlcatalog.plugins.storage.KindRules;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Creates {@code filesystem} sources. Whether a root exists is found out by each poll (a mount may come later), not
 * here: a missing folder must not stop the catalog from starting.
 */
public final class FilesystemSourceFactory implements SourceFactory {
    public static final String TYPE = "filesystem";

    static final String ROOTS = "roots";
    static final String INCLUDE = "include";
    static final String EXCLUDE = "exclude";
    static final String NAMESPACE = "namespace";
    static final String MODEL_EXTENSIONS = "modelExtensions";
    static final String DATASET_EXTENSIONS = "datasetExtensions";
    static final String MAX_FILES_PER_POLL = "maxFilesPerPoll";
    static final String SIDECARS = "sidecars";

    private static final List<Setting> SETTINGS = List.of(
            Setting.required(ROOTS, Setting.Type.LIST, "the folders to scan (absolute paths, or relative to the catalog's working directory)"),
            Setting.optional(INCLUDE, Setting.Type.LIST, "**", "globs of the files to record, relative to a root"),
            Setting.optional(EXCLUDE, Setting.Type.LIST, "**/.*", "globs of the files and folders to skip, relative to a root (default: hidden ones)"),
            Setting.optional(NAMESPACE, Setting.Type.STRING, "default", "the namespace to file the artifacts under"),
            Setting.optional(MODEL_EXTENSIONS, Setting.Type.LIST, String.join(",", KindRules.DEFAULT_MODEL_EXTENSIONS),
                    "the extensions of files recorded as MODEL"),
            Setting.optional(DATASET_EXTENSIONS, Setting.Type.LIST, String.join(",", KindRules.DEFAULT_DATASET_EXTENSIONS),
                    "the extensions of files recorded as DATASET (any other file is OTHER)"),
            Setting.optional(MAX_FILES_PER_POLL, Setting.Type.INT, "1000",
                    "the most new, changed or deleted files one poll records; a larger folder is recorded over several polls"),
            Setting.optional(SIDECARS, Setting.Type.BOOLEAN, "true",
                    "read sidecars (<file>.mlcatalog.json, MLmodel, model-card.md) to link files to runs and register model versions"));

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Setting> settings() {
        return SETTINGS;
    }

    @Override
    public IngestSource create(SourceContext context) {
        return new FilesystemSource(context, settings(context.config()));
    }

    static FilesystemSettings settings(PluginConfig config) {
        Set<Path> roots = new LinkedHashSet<>();
        for (String r : config.getList(ROOTS)) {
            if (r.isBlank()) {
                throw new PluginConfigException(ROOTS, "has an empty path");
            }
            roots.add(Path.of(r.strip()).toAbsolutePath().normalize());
        }
        if (roots.isEmpty()) {
            throw new PluginConfigException(ROOTS, "names no folder");
        }
        List<Path> sorted = new ArrayList<>(roots);
        for (Path a : sorted) {
            for (Path b : sorted) {
                if (!a.equals(b) && b.startsWith(a)) {
                    throw new PluginConfigException(ROOTS, "has " + b + " inside " + a + ": a file would be recorded twice");
                }
            }
        }
        String namespace = config.require(NAMESPACE).strip();
        if (namespace.isEmpty()) {
            throw new PluginConfigException(NAMESPACE, "must not be blank");
        }
        int max = config.getInt(MAX_FILES_PER_POLL);
        if (max < 1) {
            throw new PluginConfigException(MAX_FILES_PER_POLL, "must be at least 1, got " + max);
        }
        Globs include = Globs.of(INCLUDE, config.getList(INCLUDE));
        if (include.isEmpty()) {
            throw new PluginConfigException(INCLUDE, "has no pattern: nothing would be recorded");
        }
        return new FilesystemSettings(sorted, include, Globs.of(EXCLUDE, config.getList(EXCLUDE)), namespace,
                KindRules.of(MODEL_EXTENSIONS, config.getList(MODEL_EXTENSIONS), DATASET_EXTENSIONS, config.getList(DATASET_EXTENSIONS)),
                max, config.getBoolean(SIDECARS));
    }
}
