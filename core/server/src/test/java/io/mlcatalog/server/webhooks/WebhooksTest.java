package io.mlcatalog.server.webhooks;

import io.mlcatalog.server.events.EventKind;
import io.mlcatalog.server.plugin.PluginConfigError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhooksTest {
    @Test
    void retriesGoOnForAboutSixteenHoursThenStop() {
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Duration next = Backoff.DEFAULT.after(attempt);
            assertThat(next).isGreaterThan(attempt == 1 ? Duration.ZERO : Backoff.DEFAULT.after(attempt - 1));
            total = total.plus(next);
        }
        assertThat(Backoff.DEFAULT.after(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Backoff.DEFAULT.after(Backoff.MAX_ATTEMPTS)).isNull();
        assertThat(total).isBetween(Duration.ofHours(15), Duration.ofHours(17));
    }

    @Test
    void aSignatureIsTheHmacOfTheTimestampAndTheBody() {
        byte[] body = "{\"kind\":\"ALIAS_SET\"}".getBytes(StandardCharsets.UTF_8);
        String header = Signatures.header("whsec_test-secret-0001", 1796500000L, body);
        // as a receiver computes it: openssl dgst -sha256 -hmac whsec_test-secret-0001 of '1796500000.{"kind":"ALIAS_SET"}'
        assertThat(header).isEqualTo("t=1796500000,v1=" + Signatures.hmac("whsec_test-secret-0001", 1796500000L, body));
        assertThat(header).matches("t=1796500000,v1=[0-9a-f]{64}");
        assertThat(Signatures.verify("whsec_test-secret-0001", header, body)).isTrue();
        assertThat(Signatures.verify("whsec_test-secret-0001", header.replace("t=1796500000", "t=1796500001"), body)).isFalse();
        assertThat(Signatures.verify("whsec_test-secret-0001", header, "{}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(Signatures.verify("whsec_test-secret-0001", "garbage", body)).isFalse();
    }

    @Test
    void theConfigurationsWebhooksAreReadWithTheirSecretsFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mlcatalog.yaml");
        Files.writeString(file, """
                plugins: []
                webhooks:
                  - name: cd-production
                    url: https://cd.internal/hooks/mlcatalog
                    secret: ${env:CD_SECRET}
                    filter:
                      kinds: [ALIAS_SET, ALIAS_REMOVED]
                      namespace: growth
                """);
        WebhooksConfig config = WebhooksConfig.load(file, Map.of("CD_SECRET", "0123456789abcdef-secret")::get);
        assertThat(config.webhooks()).singleElement().satisfies(w -> {
            assertThat(w.name()).isEqualTo("cd-production");
            assertThat(w.secret()).isEqualTo("0123456789abcdef-secret");
            assertThat(w.filter().kinds()).containsExactlyInAnyOrder(EventKind.ALIAS_SET, EventKind.ALIAS_REMOVED);
            assertThat(w.filter().namespace()).isEqualTo("growth");
            assertThat(w.toString()).doesNotContain("0123456789abcdef");
        });
        assertThatThrownBy(() -> WebhooksConfig.load(file, Map.<String, String>of()::get)).isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("webhook 'cd-production': secret refers to environment variable CD_SECRET, which is not set");
        assertThatThrownBy(() -> WebhooksConfig.load(file, Map.of("CD_SECRET", "short")::get)).isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("secret").hasMessageNotContaining("short");
        Files.writeString(file, "webhooks:\n  - name: x\n    url: https://h/\n    secret: 0123456789abcdef0\n    filter: {kinds: [NOPE]}\n");
        assertThatThrownBy(() -> WebhooksConfig.load(file, k -> null)).isInstanceOf(PluginConfigError.class).hasMessageContaining("NOPE");
    }
}
