package io.mlcatalog.plugins.git;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A semantic version ({@code 1.2.0}, {@code 2.0.0-rc.1+build.5}), ordered by semver precedence. */
record Semver(long major, long minor, long patch, String preRelease, String text) implements Comparable<Semver> {
    static final String REGEX = "(?:0|[1-9]\\d{0,17})\\.(?:0|[1-9]\\d{0,17})\\.(?:0|[1-9]\\d{0,17})"
            + "(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
    private static final Pattern PARTS = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)(?:-([^+]+))?(?:\\+.*)?");

    /** Reads a version that matches {@link #REGEX}. */
    static Semver parse(String text) {
        Matcher m = PARTS.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a semantic version: " + text);
        }
        return new Semver(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), m.group(4), text);
    }

    @Override
    public int compareTo(Semver o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        if (c == 0) {
            c = comparePreRelease(preRelease, o.preRelease);
        }
        return c;
    }

    /** A release ranks above its pre-releases; pre-release identifiers compare numerically when both are numbers. */
    private static int comparePreRelease(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean xn = x[i].matches("\\d+");
            boolean yn = y[i].matches("\\d+");
            int c = xn && yn ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]))
                    : xn ? -1 : yn ? 1 : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
