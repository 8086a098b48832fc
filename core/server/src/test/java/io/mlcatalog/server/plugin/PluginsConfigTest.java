package io.mlcatalog.server.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** mlcatalog.yaml as users write it: what is read, what environment variables change, and what stops start-up (naming instance and key). */
class PluginsConfigTest {
    @TempDir
    Path dir;

    private PluginsConfig load(String yaml) throws IOException {
        return load(yaml, Map.of());
    }

    private PluginsConfig load(String yaml, Map<String, String> env) throws IOException {
        return PluginsConfig.load(Files.writeString(dir.resolve("mlcatalog.yaml"), yaml), env::get);
    }

    private void refused(String yaml, String... fragments) {
        refused(yaml, Map.of(), fragments);
    }

    private void refused(String yaml, Map<String, String> env, String... fragments) {
        assertThatThrownBy(() -> load(yaml, env)).isInstanceOf(PluginConfigError.class).satisfies(e -> {
            for (String f : fragments) {
                assertThat(e.getMessage()).contains(f);
            }
        });
    }

    @Test
    void everyKeyIsRead() throws IOException {
        PluginsConfig config = load("""
                plugins:
                  - name: acme-git
                    type: git
                    schedule: 5m
                    timeout: 90s
                    enabled: false
                    settings:
                      repository: /srv/git/churn
                      branches: [main, release]
                  - name: lineage
                    type: openlineage
                    token: ${env:LINEAGE_TOKEN}
                    maxBodyBytes: 1024
                """, Map.of("LINEAGE_TOKEN", "t0k3n"));

        PluginsConfig.Instance git = config.instances().get(0);
        assertThat(git.name()).isEqualTo("acme-git");
        assertThat(git.type()).isEqualTo("git");
        assertThat(git.schedule()).isEqualTo(Duration.ofMinutes(5));
        assertThat(git.timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(git.enabled()).isFalse();
        assertThat(git.settings()).isEqualTo(Map.of("repository", "/srv/git/churn", "branches", List.of("main", "release")));
        PluginsConfig.Instance lineage = config.instances().get(1);
        assertThat(lineage.token()).isEqualTo("t0k3n");
        assertThat(lineage.maxBodyBytes()).isEqualTo(1024);
    }

    @Test
    void omittedKeysHaveTheirDefaults() throws IOException {
        PluginsConfig.Instance i = load("plugins:\n  - {name: a, type: git}\n").instances().get(0);

        assertThat(i.schedule()).isEqualTo(Duration.ofMinutes(1));
        assertThat(i.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(i.enabled()).isTrue();
        assertThat(i.token()).isNull();
        assertThat(i.maxBodyBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(i.acknowledge()).isEqualTo(PluginsConfig.Acknowledge.WRITTEN);
        assertThat(i.settings()).isEmpty();
    }

    @Test
    void acknowledgeIsWrittenOrQueuedAndTheEnvironmentMayOverrideIt() throws IOException {
        assertThat(load("plugins:\n  - {name: lineage, type: openlineage, acknowledge: queued}\n").instances().get(0).acknowledge())
                .isEqualTo(PluginsConfig.Acknowledge.QUEUED);
        assertThat(load("plugins:\n  - {name: lineage, type: openlineage, acknowledge: queued}\n",
                Map.of("MLCATALOG_PLUGIN_LINEAGE_ACKNOWLEDGE", "written")).instances().get(0).acknowledge())
                .isEqualTo(PluginsConfig.Acknowledge.WRITTEN);
        refused("plugins:\n  - {name: lineage, type: openlineage, acknowledge: later}\n", "plugin instance 'lineage'",
                "acknowledge 'later' is not 'written' or 'queued'");
    }

    @Test
    void anEmptyFileOrAnEmptyListConfiguresNothing() throws IOException {
        assertThat(load("").instances()).isEmpty();
        assertThat(load("plugins:\n").instances()).isEmpty();
    }

    @Test
    void anUnknownKeyNamesTheInstanceAndTheKey() {
        refused("plugins:\n  - {name: acme-git, type: git, schedul: 5m}\n", "plugin instance 'acme-git'", "unknown key 'schedul'",
                "known: name, type, schedule");
    }

    @Test
    void anUnknownTopLevelKeyIsNamed() {
        refused("plugin:\n  - {name: a, type: git}\n", "unknown key 'plugin'");
    }

    @Test
    void aBadDurationNamesTheInstanceAndTheKey() {
        refused("plugins:\n  - {name: acme-git, type: git, schedule: 5 minutes}\n", "plugin instance 'acme-git'",
                "schedule '5 minutes' is not a duration");
        refused("plugins:\n  - {name: acme-git, type: git, timeout: 0s}\n", "plugin instance 'acme-git'", "timeout must be longer than 0");
    }

    @Test
    void aBadNameIsRefusedByPosition() {
        refused("plugins:\n  - {name: a, type: git}\n  - {name: Acme Git, type: git}\n", "plugins[1]", "name 'Acme Git'",
                "lower-case letters");
        refused("plugins:\n  - {type: git}\n", "plugins[0]", "name ''");
    }

    @Test
    void twoInstancesWithOneNameAreRefused() {
        refused("plugins:\n  - {name: twin, type: git}\n  - {name: twin, type: s3}\n", "two plugin instances are named 'twin'");
    }

    @Test
    void aMissingTypeNamesTheInstance() {
        refused("plugins:\n  - {name: acme-git}\n", "plugin instance 'acme-git': type is required");
    }

    @Test
    void aBadEnabledValueNamesTheInstanceAndTheKey() {
        refused("plugins:\n  - {name: acme-git, type: git, enabled: maybe}\n", "plugin instance 'acme-git'", "enabled 'maybe'");
    }

    @Test
    void environmentVariablesOverrideTheInstanceKeys() throws IOException {
        PluginsConfig.Instance i = load("plugins:\n  - {name: acme-git, type: git, schedule: 5m, token: from-file}\n", Map.of(
                "MLCATALOG_PLUGIN_ACME_GIT_SCHEDULE", "30s",
                "MLCATALOG_PLUGIN_ACME_GIT_TIMEOUT", "20s",
                "MLCATALOG_PLUGIN_ACME_GIT_ENABLED", "false",
                "MLCATALOG_PLUGIN_ACME_GIT_TOKEN", "from-env",
                "MLCATALOG_PLUGIN_ACME_GIT_MAXBODYBYTES", "4096")).instances().get(0);

        assertThat(i.schedule()).isEqualTo(Duration.ofSeconds(30));
        assertThat(i.timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(i.enabled()).isFalse();
        assertThat(i.token()).isEqualTo("from-env");
        assertThat(i.maxBodyBytes()).isEqualTo(4096);
    }

    @Test
    void aBadOverrideIsRefusedLikeABadValue() {
        refused("plugins:\n  - {name: acme-git, type: git}\n", Map.of("MLCATALOG_PLUGIN_ACME_GIT_SCHEDULE", "soon"),
                "plugin instance 'acme-git'", "schedule 'soon'");
    }

    @Test
    void theOverrideVariableNameIsUpperCasedWithUnderscores() {
        assertThat(PluginsConfig.overrideVariable("acme-git.v2", "maxBodyBytes")).isEqualTo("MLCATALOG_PLUGIN_ACME_GIT_V2_MAXBODYBYTES");
        assertThat(PluginsConfig.overrideVariable("acme-git", "settings.repository"))
                .isEqualTo("MLCATALOG_PLUGIN_ACME_GIT_SETTINGS_REPOSITORY");
    }

    @Test
    void anEnvironmentReferenceInTheTokenIsResolvedWithItsDefault() throws IOException {
        PluginsConfig config = load("""
                plugins:
                  - {name: a, type: openlineage, token: "Bearer-${env:PART}-x"}
                  - {name: b, type: openlineage, token: "${env:UNSET:-fallback}"}
                """, Map.of("PART", "42"));

        assertThat(config.instances().get(0).token()).isEqualTo("Bearer-42-x");
        assertThat(config.instances().get(1).token()).isEqualTo("fallback");
    }

    @Test
    void aTokenNamingAnUnsetVariableNamesTheInstanceTheKeyAndTheVariable() {
        refused("plugins:\n  - {name: lineage, type: openlineage, token: \"${env:LINEAGE_TOKEN}\"}\n", "plugin instance 'lineage'",
                "'token' refers to environment variable LINEAGE_TOKEN, which is not set");
    }

    @Test
    void aBadBodyLimitNamesTheInstanceAndTheKey() {
        refused("plugins:\n  - {name: lineage, type: openlineage, maxBodyBytes: lots}\n", "plugin instance 'lineage'",
                "maxBodyBytes 'lots' is not a positive number of bytes");
        refused("plugins:\n  - {name: lineage, type: openlineage, maxBodyBytes: 0}\n", "plugin instance 'lineage'", "maxBodyBytes '0'");
        refused("plugins:\n  - {name: lineage, type: openlineage, maxBodyBytes: 1073741825}\n", "plugin instance 'lineage'",
                "maxBodyBytes 1073741825 is over the most a receiver reads, 1073741824 (1 GiB)");
    }

    @Test
    void settingsMustBeAMapping() {
        refused("plugins:\n  - {name: acme-git, type: git, settings: [a, b]}\n", "plugin instance 'acme-git': settings must be a mapping");
    }

    @Test
    void aFileThatIsNotYamlIsNamed() {
        refused("plugins: [\n", "mlcatalog.yaml", "cannot read it");
    }
}
