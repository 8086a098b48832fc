package io.mlcatalog.server.plugin;

import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.Setting.Type;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An instance's settings against what its type declares, as start-up checks them. */
class InstanceSettingsTest {
    private static final List<Setting> GIT = List.of(
            Setting.required("repository", Type.STRING, "the repository to read"),
            Setting.optional("depth", Type.INT, "50", "how many commits back"),
            Setting.optional("tags", Type.BOOLEAN, "true", "whether to read tags"),
            Setting.optional("fetchTimeout", Type.DURATION, "30s", "how long a fetch may take"),
            Setting.optional("branches", Type.LIST, "main", "the branches to read"),
            Setting.secret("password", false, "the password of the repository"));

    private static InstanceSettings check(Map<String, Object> raw) {
        return check(raw, Map.of());
    }

    private static InstanceSettings check(Map<String, Object> raw, Map<String, String> env) {
        return InstanceSettings.check("acme-git", GIT, raw, env::get);
    }

    private static Map<String, Object> with(Object... keysAndValues) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("repository", "/srv/git/churn");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            raw.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return raw;
    }

    @Test
    void valuesAreReadByTypeWithDefaultsForWhatIsNotSet() {
        InstanceSettings s = check(with("depth", "200", "branches", List.of("main", "release")));

        assertThat(s.require("repository")).isEqualTo("/srv/git/churn");
        assertThat(s.getInt("depth")).isEqualTo(200);
        assertThat(s.getBoolean("tags")).isTrue();
        assertThat(s.getDuration("fetchTimeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.getList("branches")).containsExactly("main", "release");
        assertThat(s.get("password")).isEmpty();
        assertThat(s.keys()).containsExactlyInAnyOrder("repository", "depth", "tags", "fetchTimeout", "branches");
    }

    @Test
    void aListMayBeWrittenWithCommas() {
        assertThat(check(with("branches", "main, release ,")).getList("branches")).containsExactly("main", "release");
    }

    @Test
    void anUnknownSettingIsRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> check(with("branch", "main")))
                .isInstanceOf(PluginConfigError.class)
                .hasMessage("plugin instance 'acme-git': setting 'branch' is not a setting of this type "
                        + "(known: repository, depth, tags, fetchTimeout, branches, password)");
        assertThatThrownBy(() -> InstanceSettings.check("bare", List.of(), Map.of("x", "1"), k -> null))
                .hasMessageContaining("plugin instance 'bare': setting 'x'").hasMessageContaining("(it has none)");
    }

    @Test
    void aMissingRequiredSettingIsRefusedWithItsDescription() {
        assertThatThrownBy(() -> check(Map.of()))
                .isInstanceOf(PluginConfigError.class)
                .hasMessage("plugin instance 'acme-git': setting 'repository' is required: the repository to read");
        assertThatThrownBy(() -> check(with("repository", ""))).hasMessageContaining("setting 'repository' is required");
    }

    @Test
    void valuesOfTheWrongTypeAreRefusedNamingInstanceAndKey() {
        assertThatThrownBy(() -> check(with("depth", "fifty"))).isInstanceOf(PluginConfigError.class)
                .hasMessage("plugin instance 'acme-git': setting 'depth' must be a whole number, got 'fifty'");
        assertThatThrownBy(() -> check(with("tags", "sometimes"))).isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("plugin instance 'acme-git'").hasMessageContaining("setting 'tags'")
                .hasMessageContaining("'sometimes' is not true or false");
        assertThatThrownBy(() -> check(with("fetchTimeout", "30 seconds"))).isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("plugin instance 'acme-git'").hasMessageContaining("setting 'fetchTimeout'")
                .hasMessageContaining("is not a duration");
    }

    @Test
    void aListForAOneValueSettingOrAMappingIsRefused() {
        assertThatThrownBy(() -> check(with("repository", List.of("/a", "/b")))).isInstanceOf(PluginConfigError.class)
                .hasMessage("plugin instance 'acme-git': setting 'repository' takes one value, not a list");
        assertThatThrownBy(() -> check(with("branches", Map.of("name", "main")))).isInstanceOf(PluginConfigError.class)
                .hasMessage("plugin instance 'acme-git': setting 'branches' must be a list, not a mapping");
    }

    @Test
    void environmentVariablesOverrideAndFillInSettings() {
        InstanceSettings s = check(with("password", "${env:GIT_PASSWORD}"), Map.of(
                "GIT_PASSWORD", "hunter2",
                "MLCATALOG_PLUGIN_ACME_GIT_SETTINGS_DEPTH", "7",
                "MLCATALOG_PLUGIN_ACME_GIT_SETTINGS_REPOSITORY", "/srv/git/other"));

        assertThat(s.get("password")).contains("hunter2");
        assertThat(s.getInt("depth")).isEqualTo(7);
        assertThat(s.require("repository")).isEqualTo("/srv/git/other");
    }

    @Test
    void anOverrideIsCheckedLikeAValue() {
        assertThatThrownBy(() -> check(with(), Map.of("MLCATALOG_PLUGIN_ACME_GIT_SETTINGS_DEPTH", "deep")))
                .hasMessage("plugin instance 'acme-git': setting 'depth' must be a whole number, got 'deep'");
    }

    @Test
    void aReferenceToAnUnsetVariableNamesInstanceKeyAndVariable() {
        assertThatThrownBy(() -> check(with("password", "${env:GIT_PASSWORD}"))).isInstanceOf(PluginConfigError.class)
                .hasMessage("plugin instance 'acme-git': setting 'password' refers to environment variable GIT_PASSWORD, which is not set");
    }

    @Test
    void secretsNeverShow() {
        InstanceSettings s = check(with("password", "hunter2"));

        assertThat(s.toString()).contains("password=***").contains("repository=/srv/git/churn").doesNotContain("hunter2");
        List<Setting> pin = List.of(new Setting("pin", Type.INT, true, null, true, "a secret number"));
        assertThatThrownBy(() -> InstanceSettings.check("vault", pin, Map.of("pin", "hunter2"), k -> null))
                .hasMessageContaining("setting 'pin'").hasMessageNotContaining("hunter2");
    }

    @Test
    void anUndeclaredKeyCannotBeRead() {
        assertThatThrownBy(() -> check(with()).get("colour")).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("colour");
    }
}
