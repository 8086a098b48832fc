package io.mlcatalog.plugins.metaflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A datastore in a local folder: the {@code .metaflow} folder, or the folder holding it. */
final class LocalStore implements Store {
    private final Path root;

    LocalStore(Path root) {
        this.root = Files.isDirectory(root.resolve(".metaflow")) ? root.resolve(".metaflow") : root;
    }

    @Override
    public List<String> folders(String path) throws IOException {
        return list(path, true);
    }

    @Override
    public List<String> files(String path) throws IOException {
        return list(path, false);
    }

    private List<String> list(String path, boolean folders) throws IOException {
        Path dir = resolve(path);
        if (path.isEmpty() && !Files.isDirectory(dir)) {
            throw new IOException("the Metaflow datastore " + dir + " is not a folder (is the volume mounted?)");
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> folders == Files.isDirectory(p)).forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    @Override
    public Optional<byte[]> read(String path) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(resolve(path)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public String describe(String path) {
        return resolve(path).toString();
    }

    private Path resolve(String path) {
        return path.isEmpty() ? root : root.resolve(path);
    }
}
