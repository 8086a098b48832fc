package io.mlcatalog.plugins.git;

import static java.util.Objects.requireNonNull;

/**
 * A {@code git} instance's settings, checked.
 *
 * @param repositoryName        the name commits are recorded under
 * @param token                 the https password, or null; never in {@link #toString()}
 * @param networkTimeoutSeconds how long a fetch may wait on the network
 */
record GitSettings(RepositoryLocation location, String repositoryName, BranchFilter branches, String namespace, String token,
                   String username, int maxRecordsPerPoll, int networkTimeoutSeconds) {

    GitSettings {
        requireNonNull(location, "location is null");
        requireNonNull(repositoryName, "repositoryName is null");
        requireNonNull(branches, "branches is null");
        requireNonNull(namespace, "namespace is null");
        requireNonNull(username, "username is null");
    }

    @Override
    public String toString() {
        return "GitSettings[" + location.redacted() + " as " + repositoryName + ", branches " + branches + ", namespace " + namespace
                + (token == null ? "" : ", token ***") + "]";
    }
}
