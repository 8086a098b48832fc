package io.mlcatalog.testkit;

import io.mlcatalog.server.plugin.PluginConfigError;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.testkit.testplugin.CountingSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static io.mlcatalog.testkit.testplugin.CountingSource.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness runs a source as the host does: settings checked, records checked, checkpoints committed only after a good poll. */
class SourceHarnessTest {

    private static SourceHarness.Builder counter(String instance, int count) {
        return SourceHarness.builder(new CountingSource.Factory()).instance(instance).setting("count", String.valueOf(count));
    }

    @Test
    void anUnknownSettingIsRefusedNamingTheInstanceTheKeyAndTheKnownOnes() {
        assertThatThrownBy(() -> counter("h-unknown", 3).setting("colour", "blue").build())
                .isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("plugin instance 'h-unknown'")
                .hasMessageContaining("setting 'colour'")
                .hasMessageContaining("known: count, namespace, perPoll");
    }

    @Test
    void aMissingRequiredSettingIsRefusedNamingTheInstanceAndTheKey() {
        assertThatThrownBy(() -> SourceHarness.builder(new CountingSource.Factory()).instance("h-missing").build())
                .isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("plugin instance 'h-missing': setting 'count' is required");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNamingTheInstanceAndTheKey() {
        assertThatThrownBy(() -> counter("h-type", 3).setting("perPoll", "many").build())
                .isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("plugin instance 'h-type': setting 'perPoll' must be a whole number, got 'many'");
    }

    @Test
    void aValueTheFactoryRefusesIsReportedAsStartUpWouldReportIt() {
        assertThatThrownBy(() -> counter("h-create", 3).setting("atomicity", "SOMETIMES").build())
                .isInstanceOf(PluginConfigError.class)
                .hasMessageContaining("plugin instance 'h-create': setting 'atomicity' must be ALL_OR_NOTHING or PER_RECORD");
    }

    @Test
    void anEnvironmentReferenceIsResolved() throws Exception {
        try (SourceHarness harness = counter("h-env", 3).setting("namespace", "${env:TEAM}").env(Map.of("TEAM", "vision")).build()) {
            assertThat(harness.poll().records(ArtifactRecord.class)).extracting(ArtifactRecord::namespace).containsOnly("vision");
        }
    }

    @Test
    void checkpointsAreCommittedOnlyAfterAGoodPoll() throws Exception {
        try (SourceHarness harness = counter("h-fail-once", 3).setting("failPolls", "1").build()) {
            Poll failed = harness.poll();
            assertThat(failed.ok()).isFalse();
            assertThat(failed.failure()).isInstanceOf(IOException.class).hasMessageContaining("unreachable");
            assertThat(harness.committed()).isEmpty();

            Poll first = harness.poll();
            assertThat(first.ok()).isTrue();
            assertThat(first.records(ArtifactRecord.class)).extracting(ArtifactRecord::externalId).containsExactly("obj-1", "obj-2", "obj-3");
            assertThat(harness.committed()).isEqualTo(Map.of(PARTITION, Map.of("position", "3")));

            Poll again = harness.poll();
            assertThat(again.ok()).isTrue();
            assertThat(again.records()).isEmpty();
            assertThat(harness.committed()).isEqualTo(Map.of(PARTITION, Map.of("position", "3")));
        }
    }

    @Test
    void aPollResumesFromACheckpointTheTestSets() throws Exception {
        try (SourceHarness harness = counter("h-resume", 5).build()) {
            harness.commit(PARTITION, Map.of("position", "2"));
            Poll poll = harness.poll();
            assertThat(poll.records(ArtifactRecord.class)).extracting(ArtifactRecord::externalId).containsExactly("obj-3", "obj-4", "obj-5");
            assertThat(poll.checkpoints()).isEqualTo(Map.of(PARTITION, Map.of("position", "5")));
        }
    }

    @Test
    void aReplayFromTheBeginningEmitsTheSameRecords() throws Exception {
        try (SourceHarness harness = counter("h-replay", 4).setting("perPoll", "2").build()) {
            List<Object> first = List.of(harness.poll().records(), harness.poll().records());
            assertThat(harness.poll().records()).isEmpty();
            harness.resetCheckpoints();
            List<Object> replay = List.of(harness.poll().records(), harness.poll().records());
            assertThat(replay).isEqualTo(first);
        }
    }

    @Test
    void anInvalidRecordFailsThePollAndKeepsTheCheckpoint() throws Exception {
        try (SourceHarness harness = counter("h-invalid", 3).setting("invalid", List.of("2:digest")).build()) {
            Poll poll = harness.poll();
            assertThat(poll.ok()).isFalse();
            assertThat(poll.failure()).isInstanceOf(InvalidRecordException.class).hasMessageContaining("record 1 (artifact.digest)");
            assertThat(((InvalidRecordException) poll.failure()).index()).isEqualTo(1);
            assertThat(harness.committed()).isEmpty();
        }
    }

    @Test
    void aPerRecordSourceHasItsInvalidRecordsRejectedAndTheRestCommitted() throws Exception {
        try (SourceHarness harness = counter("h-per-record", 3).setting("invalid", List.of("2:digest"))
                .setting("atomicity", "PER_RECORD").build()) {
            Poll poll = harness.poll();
            assertThat(poll.ok()).isTrue();
            assertThat(poll.rejected()).singleElement().satisfies(e -> {
                assertThat(e.index()).isEqualTo(1);
                assertThat(e).hasMessageContaining("digest");
            });
            assertThat(harness.committed()).isEqualTo(Map.of(PARTITION, Map.of("position", "3")));
        }
    }
}
