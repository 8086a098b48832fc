package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.PluginConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which branches to ingest: names or globs, as in the {@code branches} setting. {@code *} and {@code ?} stay within a
 * path segment ({@code release/*} matches {@code release/1.0}, not {@code release/1.0/hotfix}); {@code **} crosses
 * segments. A {@code refs/heads/} prefix is allowed and ignored. No patterns: every branch.
 */
final class BranchFilter {
    private final List<String> patterns;
    private final List<Pattern> regexes;

    private BranchFilter(List<String> patterns, List<Pattern> regexes) {
        this.patterns = patterns;
        this.regexes = regexes;
    }

    static BranchFilter of(List<String> patterns) {
        List<String> given = new ArrayList<>();
        List<Pattern> regexes = new ArrayList<>();
        for (String p : patterns) {
            String glob = p.strip();
            if (glob.startsWith("refs/heads/")) {
                glob = glob.substring("refs/heads/".length());
            }
            if (glob.isEmpty()) {
                throw new PluginConfigException(GitSourceFactory.BRANCHES, "has an empty branch name");
            }
            given.add(glob);
            regexes.add(Pattern.compile(toRegex(glob)));
        }
        return new BranchFilter(List.copyOf(given), List.copyOf(regexes));
    }

    /** Whether a branch (short name, {@code feature/x}) is ingested. */
    boolean matches(String branch) {
        if (regexes.isEmpty()) {
            return true;
        }
        for (Pattern r : regexes) {
            if (r.matcher(branch).matches()) {
                return true;
            }
        }
        return false;
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    @Override
    public String toString() {
        return patterns.isEmpty() ? "all" : String.join(",", patterns);
    }
}
