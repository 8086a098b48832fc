package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfig;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;

import java.time.Duration;
import java.util.List;

/**
 * Creates {@code git} sources. Only what the settings say is checked here: whether the repository
 * exists, or a URL answers, is found out by each poll, which the host retries, so that a repository
 * that is not mounted yet or a Git server that is down never stops the catalog from starting.
 */
public final class GitSourceFactory implements SourceFactory {
    public static final String TYPE = "git";

    static final String REPOSITORY = "repository";
    static final String REPOSITORY_NAME = "repositoryName";
    static final String BRANCHES = "branches";
    static final String NAMESPACE = "namespace";
    static final String TOKEN = "token";
    static final String USERNAME = "username";
    static final String MAX_RECORDS_PER_POLL = "maxRecordsPerPoll";
    static final String NETWORK_TIMEOUT = "networkTimeout";

    private static final List<Setting> SETTINGS = List.of(
            Setting.required(REPOSITORY, Setting.Type.STRING,
                    "a local repository (working tree or bare) path, or a clone URL (file://, https://, ssh://, git@host:path)"),
            Setting.optional(REPOSITORY_NAME, Setting.Type.STRING, null,
                    "the repository name to record commits under; must be what runs report (default: the URL without "
                            + "credentials, or file:// and the absolute path)"),
            Setting.optional(BRANCHES, Setting.Type.LIST, null,
                    "branch names or globs (* within a path segment, ** across segments); default: all branches"),
            Setting.optional(NAMESPACE, Setting.Type.STRING, "default", "the namespace of the model versions and aliases read from GTO tags"),
            Setting.secret(TOKEN, false, "a token for https clones, sent as the password (never logged)"),
            Setting.optional(USERNAME, Setting.Type.STRING, "x-access-token", "the user name sent with token"),
            Setting.optional(MAX_RECORDS_PER_POLL, Setting.Type.INT, "20000",
                    "the most records one poll emits; a larger history is ingested over several polls"),
            Setting.optional(NETWORK_TIMEOUT, Setting.Type.DURATION, "60s", "how long a fetch may wait on the network"));

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
        return new GitSource(context, settings(context.config()));
    }

    static GitSettings settings(PluginConfig config) {
        RepositoryLocation location = RepositoryLocation.parse(config.require(REPOSITORY));
        String name = config.get(REPOSITORY_NAME).map(String::strip).filter(s -> !s.isEmpty())
                .map(RepositoryLocation::normalizeName).orElse(location.defaultName());
        BranchFilter branches = BranchFilter.of(config.getList(BRANCHES));
        String namespace = config.require(NAMESPACE).strip();
        if (namespace.isEmpty()) {
            throw new PluginConfigException(NAMESPACE, "must not be blank");
        }
        int max = config.getInt(MAX_RECORDS_PER_POLL);
        if (max < 1) {
            throw new PluginConfigException(MAX_RECORDS_PER_POLL, "must be at least 1, got " + max);
        }
        Duration timeout = config.getDuration(NETWORK_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > Integer.MAX_VALUE) {
            throw new PluginConfigException(NETWORK_TIMEOUT, "must be a positive duration, got " + timeout);
        }
        String token = config.get(TOKEN).filter(t -> !t.isBlank()).orElse(null);
        if (token != null) {
            if (!(location instanceof RepositoryLocation.Remote remote) || !remote.isHttps()) {
                // a token over plain http or to a path would leak it or do nothing: refuse either
                throw new PluginConfigException(TOKEN, "is only sent to an https:// repository URL, and repository is "
                        + location.redacted());
            }
        }
        return new GitSettings(location, name, branches, namespace, token, config.require(USERNAME), max,
                (int) Math.max(1, timeout.toSeconds()));
    }
}
