package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.store.LineageStore;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.mlcatalog.server.lineage.GraphWrites.artifact;
import static io.mlcatalog.server.lineage.GraphWrites.nodes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One dataset read by 10,000 runs, each writing one file: the per-hop and node limits cut a lineage walk
 * and say so, a blast radius follows every reader, and the statements a walk takes do not grow with the
 * nodes it returns.
 */
class FanOutIT {
    private static final int RUNS = 10_000;
    private static final String EVENTS_URI = "s3://fan/events.parquet";
    private static final String EVENTS = artifact(EVENTS_URI);
    private static final String SMALL_URI = "s3://fan/small.parquet";
    private static final Instant T = Instant.parse("2026-07-01T00:00:00Z");
    /** What a client asks of a walk: every node's type and id, every edge and who asserted it. */
    private static final String WIDE = """
            query($from: ID!, $depth: Int!) { lineage(from: $from, direction: DOWNSTREAM, depth: $depth, perHopLimit: 1000) {
              nodes { __typename ... on Run { id name status } ... on Artifact { id uri } ... on ModelVersion { id version } }
              edges { from to kind assertedBy { source } } depthReached truncated } }""";

    static TestCatalog catalog;
    static List<String> versions;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        catalog.graphql("mutation { logArtifact(input: {namespace: \"fan\", uri: \"%s\", kind: DATASET, createdAt: \"2026-06-30T00:00:00Z\"}) { id } }"
                .formatted(EVENTS_URI)).ok();
        seed(Ids.artifact(EVENTS_URI, null));

        // three of the oldest readers (not among the thousand newest a per-hop limit keeps) had model versions
        // registered from them, one of which is deployed
        GraphWrites writes = new GraphWrites(catalog);
        versions = IntStream.rangeClosed(1, 3).mapToObj(i -> writes.version("fan", "fan-m", String.valueOf(i),
                GlobalId.of(NodeType.RUN, Ids.run("fan", "fan-run-" + i, null)), null, T.plusSeconds(86_400))).toList();
        writes.deploy("fan", "prod", "fan-api", "fan-m", "2", T.plusSeconds(2 * 86_400), null);

        // the same shape, one reader wide, written through the API
        writes.run("fan", "small-run", T, T.plusSeconds(60), List.of(SMALL_URI), List.of("s3://fan/small-out.parquet"), null);
    }

    /**
     * The 10,000 readers of {@code dataset}, in one statement: runs, their outputs, the CONSUMED and PRODUCED
     * edges and the assertions of all three, as the writer records them (ids derived from natural keys exactly as
     * {@link Ids} derives them: a name-based UUID of the NUL-joined key).
     */
    private static void seed(UUID dataset) {
        TestPostgres.execute(catalog.database(), """
                create function pg_temp.id(variadic parts text[]) returns uuid language sql immutable as $$
                    select encode(set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 48), 8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid
                    from (select decode(md5(string_agg(convert_to(p, 'UTF8'), '\\x00'::bytea order by i)), 'hex') as h
                          from unnest(parts) with ordinality as u(p, i)) k
                $$;
                create temporary table reader as
                select i, pg_temp.id('run', 'fan', 'fan-run-' || i, '') as run_id,
                       pg_temp.id('artifact', 's3://fan/out/' || i || '.parquet', '') as out_id,
                       timestamptz '2026-07-01 00:00:00+00' + i * interval '1 second' as started
                from generate_series(1, %2$d) as i;
                insert into run (id, namespace, name, pipeline, status, status_at, started_at, ended_at, params, metrics, created_at, updated_at)
                select run_id, 'fan', 'fan-run-' || i, 'fan-out', 'SUCCEEDED', started + interval '1 minute', started,
                       started + interval '1 minute', '{}', '{}', now(), now()
                from reader;
                insert into artifact (id, namespace, name, uri, kind, created_at)
                select out_id, 'fan', i || '.parquet', 's3://fan/out/' || i || '.parquet', 'OTHER', now() from reader;
                create temporary table edge as
                select pg_temp.id('edge', '%1$s', run_id::text, 'CONSUMED') as id, '%1$s'::uuid as from_id, 'artifact' as from_type,
                       run_id as to_id, 'run' as to_type, 'CONSUMED' as kind, started as since
                from reader
                union all
                select pg_temp.id('edge', run_id::text, out_id::text, 'PRODUCED'), run_id, 'run', out_id, 'artifact', 'PRODUCED',
                       started + interval '1 minute'
                from reader;
                insert into lineage_edge (id, from_id, from_type, to_id, to_type, kind, since, until, created_at)
                select id, from_id, from_type, to_id, to_type, kind, since, null, now() from edge;
                insert into assertion (subject_id, source, external_id, observed_at)
                select run_id, 'api', null, now() from reader
                union all select out_id, 'api', null, now() from reader
                union all select id, 'api', null, now() from edge;
                analyze run; analyze artifact; analyze lineage_edge; analyze assertion;
                """.formatted(dataset, RUNS));
        // the ids are the ones the catalog itself derives
        assertThat(catalog.count("select count(*) from run where id = '%s'".formatted(Ids.run("fan", "fan-run-42", null)))).isEqualTo(1);
        assertThat(catalog.count("select count(*) from lineage_edge where id = '%s'".formatted(Ids.edge(dataset,
                Ids.run("fan", "fan-run-42", null), io.mlcatalog.server.model.EdgeKind.CONSUMED)))).isEqualTo(1);
        assertThat(catalog.count("select count(*) from lineage_edge where from_id = '%s'".formatted(dataset))).isEqualTo(RUNS);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static String run(int i) {
        return GlobalId.of(NodeType.RUN, Ids.run("fan", "fan-run-" + i, null));
    }

    @Test
    void thePerHopLimitKeepsTheNewestThousandReadersAndSaysItCutTheRest() {
        JsonNode g = new GraphWrites(catalog).lineage(EVENTS, "DOWNSTREAM", 1, null, 1000).ok().path("lineage");

        List<String> nodes = nodes(g);
        assertThat(nodes).hasSize(1001);
        assertThat(nodes.get(0)).isEqualTo(EVENTS);
        Set<String> newest = new HashSet<>();
        IntStream.rangeClosed(RUNS - 999, RUNS).forEach(i -> newest.add(run(i)));
        assertThat(new HashSet<>(nodes.subList(1, nodes.size()))).isEqualTo(newest);
        assertThat(g.path("edges")).hasSize(1000);
        assertThat(g.path("truncated").asBoolean()).isTrue();
        assertThat(g.path("depthReached").asInt()).isEqualTo(1);
    }

    @Test
    void twoHopsStayWithinTheNodeLimitAndSayTheyWereCut() {
        JsonNode g = catalog.graphql(WIDE, Map.of("from", EVENTS, "depth", 2)).ok().path("lineage");

        assertThat(g.path("nodes")).hasSize(2001).hasSizeLessThanOrEqualTo(10_000);
        assertThat(g.path("edges")).hasSize(2000);
        assertThat(g.path("truncated").asBoolean()).isTrue();
        assertThat(g.path("depthReached").asInt()).isEqualTo(2);
        g.path("edges").forEach(e -> assertThat(e.path("assertedBy").path(0).path("source").asText()).isEqualTo("api"));
    }

    @Test
    void theNodeLimitCutsAWalkAndKeepsOnlyEdgesBetweenNodesItReturns() throws Exception {
        LineageWalk walk = new LineageWalk(new LineageStore(catalog.server().db()));
        LineageWalk.Result r = await(walk.walk(new GlobalId(NodeType.ARTIFACT, Ids.artifact(EVENTS_URI, null)), LineageWalk.Direction.DOWNSTREAM,
                null, new LineageWalk.Limits(3, 10_000, 5_000, Duration.ofSeconds(10))));

        assertThat(r.nodes()).hasSize(5_000).doesNotHaveDuplicates();
        assertThat(r.truncated()).isTrue();
        Set<UUID> ids = new HashSet<>();
        r.nodes().forEach(n -> ids.add(n.uuid()));
        r.edges().forEach(e -> assertThat(ids).contains(e.from(), e.to()));
    }

    @Test
    void aSpentTimeBudgetStopsTheWalkAndSaysSo() throws Exception {
        LineageWalk walk = new LineageWalk(new LineageStore(catalog.server().db()));
        LineageWalk.Result r = await(walk.walk(new GlobalId(NodeType.ARTIFACT, Ids.artifact(EVENTS_URI, null)), LineageWalk.Direction.BOTH,
                null, new LineageWalk.Limits(20, 1000, 10_000, Duration.ofNanos(-1))));

        assertThat(r.nodes()).extracting(GlobalId::toString).containsExactly(EVENTS);
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void aBlastRadiusFollowsEveryOneOfTheTenThousandReaders() {
        JsonNode blast = catalog.graphql("""
                query($from: ID!) { blastRadius(from: $from) { modelVersions { id } deployments { modelVersion { version } } truncated } }""",
                Map.of("from", EVENTS)).ok().path("blastRadius");

        List<String> found = blast.path("modelVersions").findValuesAsText("id");
        assertThat(found).containsExactlyInAnyOrderElementsOf(versions);
        assertThat(blast.path("deployments").findValuesAsText("version")).containsExactly("2");
        assertThat(blast.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void theStatementsOfAWalkGrowWithItsDepthNotWithItsNodes() {
        Counted wide = statements(EVENTS, 3);
        Counted narrow = statements(artifact(SMALL_URI), 3);

        assertThat(wide.graph().path("nodes")).hasSize(2001);
        assertThat(narrow.graph().path("nodes")).hasSize(3);
        // 2001 nodes and 2000 edges cost what 3 nodes and 2 edges cost: a hop each, a batch per node type, one for assertions
        assertThat(wide.statements()).isEqualTo(narrow.statements());
        assertThat(wide.statements()).isLessThanOrEqualTo(10);
        assertThat(statements(artifact(SMALL_URI), 1).statements()).isLessThan(wide.statements());
    }

    private record Counted(long statements, JsonNode graph) {
    }

    private static Counted statements(String from, int depth) {
        catalog.graphql(WIDE, Map.of("from", from, "depth", depth)).ok(); // warm: prepared statements
        long before = catalog.server().db().statementCount();
        JsonNode graph = catalog.graphql(WIDE, Map.of("from", from, "depth", depth)).ok().path("lineage");
        return new Counted(catalog.server().db().statementCount() - before, graph);
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
