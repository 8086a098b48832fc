package io.mlcatalog.plugins.git;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tag name in the conventions of DVC's GTO (Git Tag Ops), which keeps a model registry in Git tags:
 * <ul>
 *   <li>{@code churn@v1.2.0}: registers version {@code 1.2.0} of {@code churn} at the tagged commit;</li>
 *   <li>{@code churn#prod#3}: assigns stage {@code prod} to the version registered at the tagged commit
 *       ({@code #3} only keeps tag names unique; the legacy form {@code churn#prod} is read too);</li>
 *   <li>{@code churn#prod!#4}: unassigns stage {@code prod} from the version registered at the tagged commit.</li>
 * </ul>
 * Any other tag name is not a GTO tag. Deregistrations ({@code churn@v1.2.0!}) and deprecations
 * ({@code churn@deprecated}) are not read: the catalog keeps every version it was told about.
 */
sealed interface GtoTag {
    /** GTO's artifact names: letters, digits and dashes, with {@code /} between path segments. */
    String NAME = "[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?";
    String STAGE = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
    Pattern REGISTRATION = Pattern.compile("(" + NAME + ")@v(" + Semver.REGEX + ")");
    /** The catalog's limits, in characters (the patterns admit ASCII only, so also in bytes). */
    int MAX_MODEL = 256;
    int MAX_VERSION = 128;
    Pattern STAGE_TAG = Pattern.compile("(" + NAME + ")#(" + STAGE + ")(!)?(?:#(\\d{1,9}))?");

    String model();

    record Registration(String model, Semver version) implements GtoTag {
    }

    /**
     * A stage assigned to, or (when {@code unassign}) taken from, the version at the tagged commit.
     *
     * @param number the {@code #n} suffix, 0 when absent
     */
    record Stage(String model, String stage, boolean unassign, int number) implements GtoTag {
    }

    /**
     * The GTO meaning of a tag name, if it has one. Names longer than the catalog takes (a model name of 256
     * characters, a version or stage of 128) are not read as GTO tags: one of them would refuse a whole poll.
     */
    static Optional<GtoTag> parse(String tagName) {
        Matcher r = REGISTRATION.matcher(tagName);
        if (r.matches()) {
            if (r.group(1).length() > MAX_MODEL || r.group(2).length() > MAX_VERSION) {
                return Optional.empty();
            }
            return Optional.of(new Registration(r.group(1), Semver.parse(r.group(2))));
        }
        Matcher s = STAGE_TAG.matcher(tagName);
        if (s.matches() && s.group(1).length() <= MAX_MODEL && s.group(2).length() <= MAX_VERSION) {
            return Optional.of(new Stage(s.group(1), s.group(2), s.group(3) != null, s.group(4) == null ? 0 : Integer.parseInt(s.group(4))));
        }
        return Optional.empty();
    }
}
