package io.mlcatalog.server.generate;

import io.mlcatalog.server.generate.SyntheticCatalog.AliasEventRow;
import io.mlcatalog.server.generate.SyntheticCatalog.AliasRow;
import io.mlcatalog.server.generate.SyntheticCatalog.ArtifactRow;
import io.mlcatalog.server.generate.SyntheticCatalog.DeploymentRow;
import io.mlcatalog.server.generate.SyntheticCatalog.RunRow;
import io.mlcatalog.server.generate.SyntheticCatalog.VersionRow;
import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.RunStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulated catalog, before any database: reproducible, of the requested size, and consistent with itself. */
class SyntheticCatalogTest {
    static final double SCALE = 0.01;
    static SyntheticCatalog catalog;

    @BeforeAll
    static void generate() {
        catalog = SyntheticCatalog.generate(42, Sizes.of(SCALE));
    }

    @Test
    void theSameSeedGivesTheSameCatalogAndAnotherSeedAnotherOne() {
        SyntheticCatalog again = SyntheticCatalog.generate(42, Sizes.of(SCALE));
        assertThat(fingerprint(again)).isEqualTo(fingerprint(catalog));
        assertThat(fingerprint(SyntheticCatalog.generate(43, Sizes.of(SCALE)))).isNotEqualTo(fingerprint(catalog));
    }

    @Test
    void scaleOneIsTheBenchmarkCatalog() {
        Sizes s = Sizes.of(1.0);
        assertThat(List.of(s.runs(), s.artifacts(), s.models(), s.versions(), s.deployments(), s.edgesTarget()))
                .containsExactly(100_000, 300_000, 1_000, 20_000, 5_000, 1_000_000);
        assertThat(s.ingestRuns() + s.featureRuns() + s.trainRuns() + s.evalRuns()).isEqualTo(s.runs());
        assertThatThrownBy(() -> Sizes.of(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--scale");
        assertThatThrownBy(() -> Sizes.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowCountsMatchTheScale() {
        Sizes s = catalog.sizes();
        assertThat(catalog.runs()).hasSize(s.runs());
        assertThat(catalog.artifacts()).hasSize(s.artifacts());
        assertThat(catalog.models()).hasSize(s.models());
        assertThat(catalog.versions()).hasSize(s.versions());
        assertThat(catalog.deployments()).hasSize(s.deployments());
        assertThat(catalog.edgeCount()).isBetween((long) (s.edgesTarget() * 0.8), (long) (s.edgesTarget() * 1.2));
        // the smallest scale still builds a catalog
        SyntheticCatalog tiny = SyntheticCatalog.generate(1, Sizes.of(Sizes.MIN_SCALE));
        assertThat(tiny.runs()).hasSize(100);
        assertThat(tiny.versions()).hasSize(20);
    }

    @Test
    void idsAreUnique() {
        Set<Object> ids = new HashSet<>();
        catalog.runs().forEach(r -> assertThat(ids.add(r.id())).isTrue());
        catalog.artifacts().forEach(a -> assertThat(ids.add(a.id())).isTrue());
        catalog.versions().forEach(v -> assertThat(ids.add(v.id())).isTrue());
        catalog.deployments().forEach(d -> assertThat(ids.add(d.id())).isTrue());
        catalog.codeVersions().forEach(c -> assertThat(ids.add(c.id())).isTrue());
        Set<Object> edges = new HashSet<>();
        catalog.forEachEdge(e -> assertThat(edges.add(e.id())).as("edge %s", e).isTrue());
        assertThat((long) edges.size()).isEqualTo(catalog.edgeCount());
    }

    @Test
    void aRunReadsOnlyWhatExistedWhenItStartedAndWritesWhenItEnds() {
        for (RunRow r : catalog.runs()) {
            for (int a : r.inputs()) {
                assertThat(catalog.artifacts().get(a).createdAt()).as("input of %s", r.name()).isLessThanOrEqualTo(r.startedAt());
            }
            for (int a : r.outputs()) {
                assertThat(catalog.artifacts().get(a).createdAt()).isEqualTo(r.endedAt());
            }
            assertThat(r.status() == RunStatus.RUNNING).isEqualTo(r.endedAt() == null);
            assertThat(r.outputs().length == 0 || r.status() != RunStatus.RUNNING).isTrue();
        }
    }

    @Test
    void everyVersionComesFromASucceededTrainingRunAndTheModelFileItWrote() {
        Map<Integer, Integer> versionsPerModel = new HashMap<>();
        for (VersionRow v : catalog.versions()) {
            RunRow run = catalog.runs().get(v.run());
            assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(run.name()).startsWith("train-");
            assertThat(run.outputs()).contains(v.artifact());
            assertThat(catalog.artifacts().get(v.artifact()).kind()).isEqualTo(ArtifactKind.MODEL);
            assertThat(v.createdAt()).isGreaterThan(run.endedAt());
            // numbered 1, 2, 3… in the order they were registered
            assertThat(v.number()).isEqualTo(versionsPerModel.merge(v.model(), 1, Integer::sum));
        }
    }

    @Test
    void replacingDeploymentsOnATargetNeverOverlap() {
        Map<String, List<DeploymentRow>> byTarget = new HashMap<>();
        for (DeploymentRow d : catalog.deployments()) {
            if (d.replaces()) {
                byTarget.computeIfAbsent(d.namespace() + "/" + d.environment() + "/" + d.target(), k -> new ArrayList<>()).add(d);
            }
            assertThat(d.startedAt()).isGreaterThanOrEqualTo(catalog.versions().get(d.version()).createdAt());
            assertThat(d.endedAt() == null || d.endedAt() >= d.startedAt()).isTrue();
        }
        assertThat(byTarget).isNotEmpty();
        for (List<DeploymentRow> target : byTarget.values()) {
            for (int i = 1; i < target.size(); i++) {
                DeploymentRow before = target.get(i - 1);
                assertThat(before.endedAt()).as("a deployment followed by another on its target has ended").isNotNull();
                assertThat(before.endedAt()).isLessThanOrEqualTo(target.get(i).startedAt());
            }
        }
    }

    @Test
    void aFewDatasetsAreReadByManyRunsAndMostByAFew() {
        int[] readers = new int[catalog.artifacts().size()];
        for (RunRow r : catalog.runs()) {
            for (int a : r.inputs()) {
                readers[a]++;
            }
        }
        int[] sorted = readers.clone();
        Arrays.sort(sorted);
        assertThat(sorted[sorted.length - 1]).as("the most read dataset").isGreaterThan(catalog.runs().size() / 20);
        assertThat(sorted[sorted.length / 2]).as("the median artifact").isLessThanOrEqualTo(2);
        // the same URI with new content: date partitions rewritten by backfills, monthly reference tables
        Set<String> uris = new HashSet<>();
        catalog.artifacts().stream().map(ArtifactRow::uri).forEach(uris::add);
        assertThat(uris.size()).isLessThan(catalog.artifacts().size());
    }

    @Test
    void aliasIntervalsAreDerivedFromEventsAsTheAliasStoreDoes() {
        List<AliasEventRow> events = List.of(new AliasEventRow(0, "production", 10, 1), new AliasEventRow(0, "production", 20, 1),
                new AliasEventRow(0, "production", 30, 2), new AliasEventRow(0, "production", 40, -1),
                new AliasEventRow(0, "production", 50, 2));
        assertThat(Releases.intervalsOf(events)).containsExactly(new AliasRow(0, "production", 1, 10, 30L),
                new AliasRow(0, "production", 2, 30, 40L), new AliasRow(0, "production", 2, 50, null));
        assertThat(catalog.aliases()).isNotEmpty();
        assertThat(catalog.aliases()).allSatisfy(a -> assertThat(a.until() == null || a.until() > a.since()).isTrue());
    }

    /** Every field of every row, as text (a run's inputs are arrays, which records compare by identity). */
    static String fingerprint(SyntheticCatalog c) {
        StringBuilder b = new StringBuilder();
        b.append(c.namespaces()).append(c.codeVersions()).append(c.artifacts()).append(c.models()).append(c.versions())
                .append(c.aliasEvents()).append(c.aliases()).append(c.deployments()).append(c.tags()).append(c.changes());
        for (RunRow r : c.runs()) {
            b.append(r.id()).append(r.name()).append(r.externalId()).append(r.status()).append(r.startedAt()).append(r.endedAt())
                    .append(r.params()).append(r.metrics()).append(r.codeVersion()).append(r.createdAt()).append(r.updatedAt())
                    .append(Arrays.toString(r.inputs())).append(Arrays.toString(r.outputs()));
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
