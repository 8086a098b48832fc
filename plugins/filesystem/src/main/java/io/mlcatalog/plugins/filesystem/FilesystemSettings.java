package io.mlcatalog.plugins.filesystem;

import io.mlcatalog.plugins.storage.KindRules;

import java.nio.file.Path;
import java.util.List;

/** A {@code filesystem} instance's checked settings. */
record FilesystemSettings(List<Path> roots, Globs include, Globs exclude, String namespace, KindRules kinds, int maxFilesPerPoll,
                          boolean sidecars) {
    FilesystemSettings {
        roots = List.copyOf(roots);
    }
}
