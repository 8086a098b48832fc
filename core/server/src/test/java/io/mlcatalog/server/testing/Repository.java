package io.mlcatalog.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository (README, schema, compose file), found from wherever the test runs. */
public final class Repository {
    private Repository() {
    }

    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("schema")) && Files.isRegularFile(d.resolve("README.md"))) {
                return d;
            }
        }
        throw new IllegalStateException("not inside the mlcatalog repository: " + dir);
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }
}
