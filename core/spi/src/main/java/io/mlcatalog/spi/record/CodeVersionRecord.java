package io.mlcatalog.spi.record;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A commit of a repository. Branches and tags are added to those already known (a commit reachable
 * from a branch stays recorded there even after a force-push).
 *
 * @param repository  canonical URL or path of the repository
 * @param commit      the full sha
 * @param branches    branches that contain the commit
 * @param tags        tags that point at it
 * @param author      the author, e.g. {@code Maria <maria@acme.io>}
 * @param message     the commit message
 * @param committedAt when it was committed
 */
public record CodeVersionRecord(String repository, String commit, List<String> branches, List<String> tags, String author,
                                String message, Instant committedAt, String externalId, Instant observedAt) implements MetadataRecord {

    public CodeVersionRecord {
        Objects.requireNonNull(repository, "repository is null");
        Objects.requireNonNull(commit, "commit is null");
        branches = branches == null ? List.of() : List.copyOf(branches);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public static CodeVersionRecord of(String repository, String commit) {
        return new CodeVersionRecord(repository, commit, List.of(), List.of(), null, null, null, null, null);
    }
}
