package io.mlcatalog.server.write;

import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.ArtifactKind;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** "Present at t" and "gone since t" combine by time, whatever order they arrive in. */
class ArtifactGoneTest {
    private static OffsetDateTime t(int minute) {
        return OffsetDateTime.of(2025, 1, 1, 0, minute, 0, 0, ZoneOffset.UTC);
    }

    /** An assertion: present when observed at {@code at}, or gone since {@code at}. */
    private record Assertion(boolean gone, int at) {
    }

    private static Artifact apply(List<Assertion> assertions) {
        Artifact a = null;
        for (Assertion x : assertions) {
            ArtifactSpec spec = ArtifactSpec.of("a", "ns", null, "file:///m.onnx", "sha256:" + "0".repeat(64), 1L, null, ArtifactKind.MODEL,
                    null, null, x.gone() ? t(x.at()) : null);
            a = a == null ? Merges.artifact(spec, t(x.at())) : Merges.artifact(a, spec, t(x.at()));
        }
        return a;
    }

    @Test
    void theLatestOfPresentAndGoneWinsInEveryArrivalOrder() {
        List<List<Assertion>> histories = List.of(
                List.of(new Assertion(false, 1), new Assertion(true, 2)),                               // deleted
                List.of(new Assertion(false, 1), new Assertion(true, 2), new Assertion(false, 3)),      // came back
                List.of(new Assertion(false, 1), new Assertion(true, 2), new Assertion(false, 3), new Assertion(true, 4)),
                List.of(new Assertion(true, 2), new Assertion(true, 5), new Assertion(false, 3)),
                List.of(new Assertion(false, 2), new Assertion(true, 2)));                              // a tie: present
        List<OffsetDateTime> expected = new ArrayList<>();
        expected.add(t(2));
        expected.add(null);
        expected.add(t(4));
        expected.add(t(5));
        expected.add(null);
        Random random = new Random(42);
        for (int h = 0; h < histories.size(); h++) {
            for (int shuffle = 0; shuffle < 20; shuffle++) {
                List<Assertion> order = new ArrayList<>(histories.get(h));
                Collections.shuffle(order, random);
                assertThat(apply(order).goneAt()).as("history %s in order %s", h, order).isEqualTo(expected.get(h));
            }
        }
    }

    @Test
    void aNewerObservationMovesOnlyTheUnloggedSeenTime() {
        Artifact seen = apply(List.of(new Assertion(false, 1)));
        Artifact again = apply(List.of(new Assertion(false, 1), new Assertion(false, 9)));
        assertThat(Snapshots.of(again)).isEqualTo(Snapshots.of(seen));
        assertThat(Merges.seenLater(seen, again)).isTrue();
    }
}
