package io.mlcatalog.plugins.git;

import io.mlcatalog.server.plugin.PluginConfigError;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.testkit.SourceHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings an instance may have, checked as the host checks them at start-up. */
class GitSettingsTest {
    @TempDir
    Path tmp;

    private SourceHarness.Builder builder() {
        return SourceHarness.builder(new GitSourceFactory()).instance("acme-git").workDirectory(tmp);
    }

    @Test
    void everySettingIsDeclaredWithADescriptionAndTheTokenIsSecret() {
        assertThat(new GitSourceFactory().settings()).extracting(Setting::key).containsExactly("repository", "repositoryName",
                "branches", "namespace", "token", "username", "maxRecordsPerPoll", "networkTimeout");
        assertThat(new GitSourceFactory().settings()).allSatisfy(s -> assertThat(s.description()).isNotBlank());
        assertThat(new GitSourceFactory().settings()).filteredOn(Setting::secret).extracting(Setting::key).containsExactly("token");
    }

    @Test
    void anUnknownSettingIsRefusedNamingTheInstanceAndTheKey() {
        assertThatThrownBy(() -> builder().setting("repository", "/srv/git/churn").setting("branch", "main").build())
                .hasMessageContaining("acme-git").hasMessageContaining("'branch'").hasMessageContaining("is not a setting");
    }

    @Test
    void theRepositoryIsRequired() {
        assertThatThrownBy(() -> builder().setting("branches", "main").build())
                .hasMessageContaining("acme-git").hasMessageContaining("'repository'").hasMessageContaining("is required");
    }

    @Test
    void aTokenIsOnlySentOverHttpsAndNeverShown() {
        assertThatThrownBy(() -> builder().setting("repository", "/srv/git/churn").setting("token", "s3cr3t").build())
                .isInstanceOf(PluginConfigError.class).hasMessageContaining("acme-git").hasMessageContaining("'token'")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> builder().setting("repository", "http://git.acme.io/churn.git").setting("token", "s3cr3t").build())
                .isInstanceOf(PluginConfigError.class).hasMessageNotContaining("s3cr3t");
        GitSettings settings = GitSourceFactory.settings(io.mlcatalog.server.plugin.InstanceSettings.check("acme-git",
                new GitSourceFactory().settings(), Map.of("repository", "https://github.com/acme/churn.git", "token", "s3cr3t"),
                k -> null));
        assertThat(settings.token()).isEqualTo("s3cr3t");
        assertThat(settings.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void otherChecksOfValues() {
        assertThatThrownBy(() -> builder().setting("repository", "ftp://example.com/churn").build())
                .hasMessageContaining("repository").hasMessageContaining("ftp");
        assertThatThrownBy(() -> builder().setting("repository", "/srv/git/churn").setting("maxRecordsPerPoll", "0").build())
                .hasMessageContaining("maxRecordsPerPoll");
        assertThatThrownBy(() -> builder().setting("repository", "/srv/git/churn").setting("networkTimeout", "soon").build())
                .hasMessageContaining("networkTimeout");
    }

    @Test
    void theDefaultRepositoryNameIsTheUrlWithoutCredentialsOrThePathAsAFileUrl() {
        assertThat(name("https://github.com/acme/churn.git")).isEqualTo("https://github.com/acme/churn");
        assertThat(name("https://bot:s3cr3t@github.com/acme/churn.git/")).isEqualTo("https://github.com/acme/churn");
        assertThat(name("ssh://git@github.com/acme/churn.git")).isEqualTo("ssh://git@github.com/acme/churn");
        assertThat(name("git@github.com:acme/churn.git")).isEqualTo("git@github.com:acme/churn");
        assertThat(name("/srv/git/churn.git")).isEqualTo("file:///srv/git/churn");
        assertThat(name("/srv/work/churn/.git")).isEqualTo("file:///srv/work/churn");
        assertThat(name("/srv/work/../git/churn/")).isEqualTo("file:///srv/git/churn");
        assertThat(name("relative/churn")).isEqualTo("file://" + Path.of("relative/churn").toAbsolutePath());
        assertThat(RepositoryLocation.parse("https://bot:s3cr3t@github.com/acme/churn.git").redacted())
                .isEqualTo("https://bot:***@github.com/acme/churn.git");
    }

    @Test
    void repositoryNameOverridesTheDefault() {
        GitSettings settings = GitSourceFactory.settings(io.mlcatalog.server.plugin.InstanceSettings.check("acme-git",
                new GitSourceFactory().settings(), Map.of("repository", "/srv/git/churn", "repositoryName",
                        "https://github.com/acme/churn.git"), k -> null));
        assertThat(settings.repositoryName()).isEqualTo("https://github.com/acme/churn");
        assertThat(settings.namespace()).isEqualTo("default");
        assertThat(settings.maxRecordsPerPoll()).isEqualTo(20_000);
    }

    @Test
    void branchGlobsMatchWithinAndAcrossPathSegments() {
        BranchFilter filter = BranchFilter.of(java.util.List.of("main", "release/*", "refs/heads/team/**"));
        assertThat(filter.matches("main")).isTrue();
        assertThat(filter.matches("release/1.0")).isTrue();
        assertThat(filter.matches("release/1.0/hotfix")).isFalse();
        assertThat(filter.matches("team/a/b")).isTrue();
        assertThat(filter.matches("mainline")).isFalse();
        assertThat(BranchFilter.of(java.util.List.of()).matches("anything/at/all")).isTrue();
    }

    private static String name(String repository) {
        return RepositoryLocation.parse(repository).defaultName();
    }
}
