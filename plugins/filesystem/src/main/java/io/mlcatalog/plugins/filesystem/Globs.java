package io.mlcatalog.plugins.filesystem;

import io.mlcatalog.spi.PluginConfigException;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Include and exclude globs over paths relative to a root, with {@code /} between segments: {@code *} and {@code ?}
 * within a segment, {@code **} across segments, {@code {a,b}} alternatives. A pattern that starts with {@code **}{@code /}
 * also matches at the root ({@code **}{@code /*.onnx} matches {@code model.onnx}), as users expect and Java's glob does not.
 */
final class Globs {
    private final List<PathMatcher> matchers;

    private Globs(List<PathMatcher> matchers) {
        this.matchers = matchers;
    }

    static Globs of(String key, List<String> patterns) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String p : patterns) {
            String pattern = p.strip();
            if (pattern.isEmpty()) {
                continue;
            }
            try {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
                if (pattern.startsWith("**/")) {
                    matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)));
                }
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(key, "has an invalid glob '" + pattern + "': " + e.getMessage());
            }
        }
        return new Globs(List.copyOf(matchers));
    }

    boolean isEmpty() {
        return matchers.isEmpty();
    }

    /** Whether a relative path ({@code a/b/c.onnx}) matches any pattern. */
    boolean matches(String relative) {
        Path p = Path.of(relative);
        for (PathMatcher m : matchers) {
            if (m.matches(p)) {
                return true;
            }
        }
        return false;
    }
}
