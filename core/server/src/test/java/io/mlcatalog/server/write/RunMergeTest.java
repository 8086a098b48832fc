package io.mlcatalog.server.write;

import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RunMergeTest {
    private static final OffsetDateTime T1 = OffsetDateTime.parse("2026-03-01T10:00:00Z");
    private static final OffsetDateTime T2 = OffsetDateTime.parse("2026-03-01T11:00:00Z");
    private static final OffsetDateTime T3 = OffsetDateTime.parse("2026-03-01T12:00:00Z");
    private static final OffsetDateTime OBSERVED = OffsetDateTime.parse("2026-03-02T00:00:00Z");

    @Test
    void aRunningRunTakesItsStatusTimeFromItsStart() {
        Run r = RunMerge.create(event(RunStatus.RUNNING, T1, null), null, OBSERVED);

        assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(r.statusAt()).isEqualTo(T1);
        assertThat(r.startedAt()).isEqualTo(T1);
        assertThat(r.endedAt()).isNull();
    }

    @Test
    void aFinishedRunWithoutEndTimeEndsWhenItWasObserved() {
        Run r = RunMerge.create(event(RunStatus.SUCCEEDED, T1, null), null, OBSERVED);

        assertThat(r.endedAt()).isEqualTo(OBSERVED);
        assertThat(r.statusAt()).isEqualTo(OBSERVED);
        assertThat(r.startedAt()).isEqualTo(T1);
    }

    @Test
    void aTerminalStatusBeatsRunningWhateverTheirTimes() {
        Run running = RunMerge.create(event(RunStatus.RUNNING, T3, null), null, OBSERVED);

        Run merged = RunMerge.merge(running, event(RunStatus.SUCCEEDED, null, T2), null, OBSERVED);

        assertThat(merged.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(merged.endedAt()).isEqualTo(T2);
    }

    @Test
    void aLateOlderStartNeverMovesAFinishedRunBack() {
        Run run = RunMerge.create(event(RunStatus.RUNNING, T1, null), null, OBSERVED);
        run = RunMerge.merge(run, event(RunStatus.SUCCEEDED, null, T3), null, OBSERVED);

        Run merged = RunMerge.merge(run, event(RunStatus.RUNNING, T2, null), null, OBSERVED);

        assertThat(merged.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(merged.endedAt()).isEqualTo(T3);
        assertThat(merged.startedAt()).isEqualTo(T1);
    }

    @Test
    void betweenTerminalStatusesTheEarliestEndWins() {
        Run failed = RunMerge.create(event(RunStatus.FAILED, T1, T2), null, OBSERVED);
        assertThat(RunMerge.merge(failed, event(RunStatus.SUCCEEDED, T1, T3), null, OBSERVED).status()).isEqualTo(RunStatus.FAILED);

        Run succeeded = RunMerge.create(event(RunStatus.SUCCEEDED, T1, T3), null, OBSERVED);
        Run merged = RunMerge.merge(succeeded, event(RunStatus.FAILED, T1, T2), null, OBSERVED);
        assertThat(merged.status()).isEqualTo(RunStatus.FAILED);
        assertThat(merged.endedAt()).isEqualTo(T2);
    }

    @Test
    void endsAtTheSameInstantResolveToTheMoreAlarmingStatusInEitherOrder() {
        for (RunStatus[] pair : new RunStatus[][] {
                {RunStatus.SUCCEEDED, RunStatus.FAILED}, {RunStatus.ABORTED, RunStatus.FAILED}, {RunStatus.SUCCEEDED, RunStatus.ABORTED}}) {
            RunStatus milder = pair[0];
            RunStatus worse = pair[1];
            Run a = RunMerge.merge(RunMerge.create(event(milder, T1, T2), null, OBSERVED), event(worse, T1, T2), null, OBSERVED);
            Run b = RunMerge.merge(RunMerge.create(event(worse, T1, T2), null, OBSERVED), event(milder, T1, T2), null, OBSERVED);
            assertThat(a.status()).as(milder + " then " + worse).isEqualTo(worse);
            assertThat(b.status()).as(worse + " then " + milder).isEqualTo(worse);
        }
    }

    @Test
    void betweenRunningUpdatesTheLatestEventTimeIsKept() {
        Run run = RunMerge.create(event(RunStatus.RUNNING, T1, null), null, OBSERVED);
        run = RunMerge.merge(run, event(RunStatus.RUNNING, T3, null), null, OBSERVED);
        run = RunMerge.merge(run, event(RunStatus.RUNNING, T2, null), null, OBSERVED);

        assertThat(run.statusAt()).isEqualTo(T3);
        assertThat(run.startedAt()).isEqualTo(T1);
    }

    @Test
    void paramsAndMetricsMergeKeyByKey() {
        Run run = RunMerge.create(spec(RunStatus.RUNNING, T1, null, Map.of("lr", 0.1, "epochs", 5), Map.of("loss", 0.5), null, null),
                null, OBSERVED);

        Run merged = RunMerge.merge(run, spec(RunStatus.RUNNING, T1, null, Map.of("epochs", 10, "batch", 32), Map.of(), null, null),
                null, OBSERVED);

        assertThat(merged.params()).containsOnly(Map.entry("lr", 0.1), Map.entry("epochs", 10L), Map.entry("batch", 32L));
        assertThat(merged.metrics()).containsOnly(Map.entry("loss", 0.5));
    }

    @Test
    void otherFieldsKeepTheirFirstValue() {
        Run run = RunMerge.create(spec(RunStatus.RUNNING, T1, null, Map.of(), Map.of(), "etl", "ada"), null, OBSERVED);

        Run merged = RunMerge.merge(run, spec(RunStatus.RUNNING, T1, null, Map.of(), Map.of(), "other", "bob"), null, OBSERVED);

        assertThat(merged.pipeline()).isEqualTo("etl");
        assertThat(merged.user()).isEqualTo("ada");
        Run filled = RunMerge.merge(RunMerge.create(event(RunStatus.RUNNING, T1, null), null, OBSERVED),
                spec(RunStatus.RUNNING, T1, null, Map.of(), Map.of(), "etl", "ada"), null, OBSERVED);
        assertThat(filled.pipeline()).isEqualTo("etl");
        assertThat(filled.user()).isEqualTo("ada");
    }

    @Test
    void anAssertionThatAddsNothingLeavesTheSnapshotEqual() {
        RunSpec spec = spec(RunStatus.SUCCEEDED, T1, T2, Map.of("lr", 0.1), Map.of("auc", 0.9), "etl", "ada");
        Run run = RunMerge.create(spec, null, OBSERVED);

        Run again = RunMerge.merge(run, spec, null, OBSERVED.plusHours(1));

        assertThat(RunMerge.snapshot(again)).isEqualTo(RunMerge.snapshot(run));
    }

    @Test
    void everyOrderOfTheSameEventsGivesTheSameRun() {
        List<RunSpec> events = List.of(
                spec(RunStatus.RUNNING, T1, null, Map.of("lr", 0.1), Map.of(), null, null),
                spec(RunStatus.RUNNING, T2, null, Map.of("epochs", 5), Map.of(), "etl", null),
                spec(RunStatus.SUCCEEDED, null, T3, Map.of(), Map.of("auc", 0.9), null, "ada"),
                spec(RunStatus.FAILED, null, T3, Map.of(), Map.of("loss", 1.5), null, null));
        Map<String, Object> expected = null;
        for (List<RunSpec> order : permutations(events)) {
            Run run = RunMerge.create(order.get(0), null, OBSERVED);
            for (RunSpec e : order.subList(1, order.size())) {
                run = RunMerge.merge(run, e, null, OBSERVED);
            }
            Map<String, Object> snapshot = RunMerge.snapshot(run);
            if (expected == null) {
                expected = snapshot;
            }
            assertThat(snapshot).as(order.toString()).isEqualTo(expected);
        }
        assertThat(expected).containsEntry("status", RunStatus.FAILED).containsEntry("startedAt", T1).containsEntry("endedAt", T3);
    }

    // ------------------------------------------------------------------ helpers

    private static RunSpec event(RunStatus status, OffsetDateTime startedAt, OffsetDateTime endedAt) {
        return spec(status, startedAt, endedAt, Map.of(), Map.of(), null, null);
    }

    private static RunSpec spec(RunStatus status, OffsetDateTime startedAt, OffsetDateTime endedAt, Map<String, Object> params,
                                Map<String, Object> metrics, String pipeline, String user) {
        return RunSpec.of("input", "ns", "train", pipeline, null, status, startedAt, endedAt, user, params, metrics, List.of(), null,
                null, List.of(), List.of());
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> p = new ArrayList<>();
                p.add(head);
                p.addAll(tail);
                result.add(p);
            }
        }
        return result;
    }
}
