package io.mlcatalog.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.mlcatalog.server.lineage.GraphWrites.artifact;
import static io.mlcatalog.server.lineage.GraphWrites.codeVersion;
import static io.mlcatalog.server.lineage.GraphWrites.edge;
import static io.mlcatalog.server.lineage.GraphWrites.edges;
import static io.mlcatalog.server.lineage.GraphWrites.nodes;
import static io.mlcatalog.server.lineage.GraphWrites.sha;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lineage query on hand-built graphs: directed walks, BOTH as two directed walks, depth and per-hop
 * limits that say when they cut something, asOf, who asserted each edge, cycles, and refused arguments.
 *
 * <pre>
 *   raw ─CONSUMED→ ingest ─PRODUCED→ clean ─CONSUMED→ featA ─PRODUCED→ fa ─┐
 *   C1 ─BUILT_FROM→ ingest                └─CONSUMED→ featB ─PRODUCED→ fb ─┴CONSUMED→ train ─PRODUCED→ model.bin ─┐
 *                                                                 C2 ─BUILT_FROM→ train ─REGISTERED_FROM_RUN→ m1 ←┘ ─DEPLOYED_AS→ dep
 * </pre>
 */
class LineageIT {
    private static final String NS = "lin";
    private static final Instant T = Instant.parse("2026-06-01T00:00:00Z");

    static TestCatalog catalog;
    static GraphWrites writes;

    static String ingest, featA, featB, train, m1, dep;
    static final String RAW = artifact("s3://lin/raw.csv"), CLEAN = artifact("s3://lin/clean.parquet"),
            FA = artifact("s3://lin/fa.parquet"), FB = artifact("s3://lin/fb.parquet"), MODEL_BIN = artifact("s3://lin/model.bin");
    static final String C1 = codeVersion(NS, sha('1')), C2 = codeVersion(NS, sha('2'));
    static final String SHARED = artifact("s3://lin/shared.parquet");
    static String c1, c2, c3;
    static final String LOOP = artifact("s3://lin/loop.parquet");
    static String loop;
    static final String CYCLE_A = artifact("s3://lin/cycle-a"), CYCLE_B = artifact("s3://lin/cycle-b");
    static String r1, r2;
    static final String LONE = artifact("s3://lin/lone.csv");

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        writes = new GraphWrites(catalog);

        ingest = writes.run(NS, "ingest", h(1), h(2), List.of("s3://lin/raw.csv"), List.of("s3://lin/clean.parquet"), sha('1'));
        featA = writes.run(NS, "featA", h(3), h(4), List.of("s3://lin/clean.parquet"), List.of("s3://lin/fa.parquet"), null);
        featB = writes.run(NS, "featB", h(3).plusSeconds(600), h(4), List.of("s3://lin/clean.parquet"), List.of("s3://lin/fb.parquet"), null);
        train = writes.run(NS, "train", h(5), h(6), List.of("s3://lin/fa.parquet", "s3://lin/fb.parquet"), List.of("s3://lin/model.bin"),
                sha('2'));
        m1 = writes.version(NS, "lin-m", "1", train, "s3://lin/model.bin", h(7));
        dep = writes.deploy(NS, "prod", "lin-api", "lin-m", "1", h(8), null);
        writes.endDeployment(dep, h(10));

        // one dataset read by three runs, an hour apart
        c1 = writes.run(NS, "c1", h(1), h(2), List.of("s3://lin/shared.parquet"), List.of(), null);
        c2 = writes.run(NS, "c2", h(2), h(3), List.of("s3://lin/shared.parquet"), List.of(), null);
        c3 = writes.run(NS, "c3", h(3), h(4), List.of("s3://lin/shared.parquet"), List.of(), null);

        // a run that reads its own output, and two runs that feed each other
        loop = writes.run(NS, "loop", h(1), h(2), List.of("s3://lin/loop.parquet"), List.of("s3://lin/loop.parquet"), null);
        r1 = writes.run(NS, "r1", h(1), h(2), List.of("s3://lin/cycle-a"), List.of("s3://lin/cycle-b"), null);
        r2 = writes.run(NS, "r2", h(3), h(4), List.of("s3://lin/cycle-b"), List.of("s3://lin/cycle-a"), null);

        catalog.graphql("mutation { logArtifact(input: {namespace: \"lin\", uri: \"s3://lin/lone.csv\"}) { id } }").ok();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static Instant h(int hours) {
        return T.plusSeconds(hours * 3600L);
    }

    private static JsonNode lineage(String from, String direction, Integer depth) {
        return writes.lineage(from, direction, depth, null, null).ok().path("lineage");
    }

    // ------------------------------------------------------------------ direction

    @Test
    void upstreamFollowsOnlyWhatSomethingWasMadeFrom() {
        JsonNode g = lineage(train, "UPSTREAM", 5);

        assertThat(nodes(g).get(0)).isEqualTo(train);
        assertThat(nodes(g)).containsExactlyInAnyOrder(train, FA, FB, C2, featA, featB, CLEAN, ingest, RAW, C1);
        assertThat(edges(g)).containsExactlyInAnyOrder(
                edge(FA, "CONSUMED", train), edge(FB, "CONSUMED", train), edge(C2, "BUILT_FROM", train),
                edge(featA, "PRODUCED", FA), edge(featB, "PRODUCED", FB),
                edge(CLEAN, "CONSUMED", featA), edge(CLEAN, "CONSUMED", featB),
                edge(ingest, "PRODUCED", CLEAN), edge(RAW, "CONSUMED", ingest), edge(C1, "BUILT_FROM", ingest));
        assertThat(g.path("root").path("id").asText()).isEqualTo(train);
        assertThat(g.path("root").path("__typename").asText()).isEqualTo("Run");
        // the diamond clean → featA/featB → train: clean once, both of its edges
        assertThat(nodes(g)).doesNotHaveDuplicates();
        assertThat(g.path("depthReached").asInt()).isEqualTo(5);
        assertThat(g.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void downstreamFollowsOnlyWhatWasMadeFromSomething() {
        JsonNode g = lineage(RAW, "DOWNSTREAM", 20);

        // C2 feeds train, but reaching it from raw would mean walking up again
        assertThat(nodes(g)).containsExactlyInAnyOrder(RAW, ingest, CLEAN, featA, featB, FA, FB, train, MODEL_BIN, m1, dep);
        assertThat(edges(g)).containsExactlyInAnyOrder(
                edge(RAW, "CONSUMED", ingest), edge(ingest, "PRODUCED", CLEAN),
                edge(CLEAN, "CONSUMED", featA), edge(CLEAN, "CONSUMED", featB),
                edge(featA, "PRODUCED", FA), edge(featB, "PRODUCED", FB),
                edge(FA, "CONSUMED", train), edge(FB, "CONSUMED", train),
                edge(train, "PRODUCED", MODEL_BIN), edge(train, "REGISTERED_FROM_RUN", m1),
                edge(MODEL_BIN, "REGISTERED_FROM_ARTIFACT", m1), edge(m1, "DEPLOYED_AS", dep));
        assertThat(g.path("depthReached").asInt()).isEqualTo(7);
        assertThat(g.path("truncated").asBoolean()).isFalse();
        assertThat(typeOf(g, dep)).isEqualTo("Deployment");
        assertThat(typeOf(g, m1)).isEqualTo("ModelVersion");
    }

    @Test
    void upstreamOfAFeatureRunNeverReachesItsSiblingOrItsOutputs() {
        JsonNode g = lineage(featA, "UPSTREAM", 20);

        assertThat(nodes(g)).containsExactlyInAnyOrder(featA, CLEAN, ingest, RAW, C1);
    }

    @Test
    void bothIsTheUnionOfTheTwoDirectedWalksNeverAWalkThatTurns() {
        JsonNode g = lineage(FA, "BOTH", 20);

        // fb (the other input of train), featB (the other reader of clean) and C2 (train's code) are each
        // reachable only by going down and then up again (or up and then down): none belongs in the answer
        assertThat(nodes(g).get(0)).isEqualTo(FA);
        assertThat(nodes(g)).containsExactlyInAnyOrder(FA, featA, CLEAN, ingest, RAW, C1, train, MODEL_BIN, m1, dep);
        assertThat(nodes(g)).doesNotContain(FB, featB, C2);
        assertThat(edges(g)).containsExactlyInAnyOrder(
                edge(featA, "PRODUCED", FA), edge(CLEAN, "CONSUMED", featA), edge(ingest, "PRODUCED", CLEAN),
                edge(RAW, "CONSUMED", ingest), edge(C1, "BUILT_FROM", ingest),
                edge(FA, "CONSUMED", train), edge(train, "PRODUCED", MODEL_BIN), edge(train, "REGISTERED_FROM_RUN", m1),
                edge(MODEL_BIN, "REGISTERED_FROM_ARTIFACT", m1), edge(m1, "DEPLOYED_AS", dep));
        assertThat(g.path("depthReached").asInt()).isEqualTo(4); // the deeper of the two walks
        assertThat(g.path("truncated").asBoolean()).isFalse();

        JsonNode up = lineage(FA, "UPSTREAM", 20);
        JsonNode down = lineage(FA, "DOWNSTREAM", 20);
        List<String> union = new ArrayList<>(nodes(up));
        nodes(down).stream().filter(n -> !union.contains(n)).forEach(union::add);
        assertThat(nodes(g)).containsExactlyInAnyOrderElementsOf(union);
    }

    @Test
    void bothFromADatasetIncludesItsReadersButNotTheirOtherInputs() {
        JsonNode g = lineage(CLEAN, "BOTH", 2);

        assertThat(nodes(g)).containsExactlyInAnyOrder(CLEAN, ingest, RAW, C1, featA, featB, FA, FB);
        assertThat(g.path("truncated").asBoolean()).isTrue(); // train lies beyond fa and fb
    }

    // ------------------------------------------------------------------ depth

    @Test
    void theDefaultDepthIsTwoAndTheWalkSaysItWasCut() {
        JsonNode g = lineage(train, null, null);

        assertThat(nodes(g)).containsExactlyInAnyOrder(train, FA, FB, C2, featA, featB);
        assertThat(g.path("depthReached").asInt()).isEqualTo(2);
        assertThat(g.path("truncated").asBoolean()).isTrue();
    }

    @Test
    void aWalkThatEndsExactlyAtTheDepthLimitIsNotTruncated() {
        JsonNode exact = lineage(train, "UPSTREAM", 5);
        assertThat(exact.path("depthReached").asInt()).isEqualTo(5);
        assertThat(exact.path("truncated").asBoolean()).isFalse();

        JsonNode cut = lineage(train, "UPSTREAM", 4);
        assertThat(nodes(cut)).containsExactlyInAnyOrder(train, FA, FB, C2, featA, featB, CLEAN, ingest);
        assertThat(cut.path("depthReached").asInt()).isEqualTo(4);
        assertThat(cut.path("truncated").asBoolean()).isTrue();

        JsonNode deeper = lineage(train, "UPSTREAM", 20);
        assertThat(deeper.path("depthReached").asInt()).isEqualTo(5);
        assertThat(deeper.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void aNodeWithoutEdgesIsAGraphOfOne() {
        JsonNode g = lineage(LONE, "BOTH", 20);

        assertThat(nodes(g)).containsExactly(LONE);
        assertThat(g.path("edges")).isEmpty();
        assertThat(g.path("depthReached").asInt()).isZero();
        assertThat(g.path("truncated").asBoolean()).isFalse();
    }

    // ------------------------------------------------------------------ per-hop limit

    @Test
    void thePerHopLimitKeepsTheNewestEdgesAndSaysItCutTheRest() {
        JsonNode cut = writes.lineage(SHARED, "DOWNSTREAM", 1, null, 2).ok().path("lineage");
        assertThat(nodes(cut)).containsExactlyInAnyOrder(SHARED, c3, c2); // c1 started first
        assertThat(cut.path("truncated").asBoolean()).isTrue();
        assertThat(cut.path("depthReached").asInt()).isEqualTo(1);

        JsonNode whole = writes.lineage(SHARED, "DOWNSTREAM", 1, null, 3).ok().path("lineage");
        assertThat(nodes(whole)).containsExactlyInAnyOrder(SHARED, c1, c2, c3);
        assertThat(whole.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void thePerHopLimitAppliesToEachNodeOfAHop() {
        // from train, one hop up: three edges (fa, fb, C2); a limit of 2 cuts the oldest (by since: all
        // start with the run, so any one), a limit of 3 cuts nothing
        JsonNode cut = writes.lineage(train, "UPSTREAM", 1, null, 2).ok().path("lineage");
        assertThat(nodes(cut)).hasSize(3);
        assertThat(cut.path("truncated").asBoolean()).isTrue();

        JsonNode whole = writes.lineage(train, "UPSTREAM", 1, null, 3).ok().path("lineage");
        assertThat(nodes(whole)).containsExactlyInAnyOrder(train, FA, FB, C2);
        assertThat(whole.path("truncated").asBoolean()).isTrue(); // featA and featB lie beyond depth 1
    }

    // ------------------------------------------------------------------ asOf

    @Test
    void asOfLeavesOutEdgesRecordedAsStartingLater() {
        JsonNode before = writes.lineage(SHARED, "DOWNSTREAM", 1, h(2).plusSeconds(1800), null).ok().path("lineage");
        assertThat(nodes(before)).containsExactlyInAnyOrder(SHARED, c1, c2); // c3 started at 03:00
        assertThat(before.path("truncated").asBoolean()).isFalse();

        JsonNode justAt = writes.lineage(SHARED, "DOWNSTREAM", 1, h(3), null).ok().path("lineage");
        assertThat(nodes(justAt)).containsExactlyInAnyOrder(SHARED, c1, c2, c3);

        JsonNode beforeAny = writes.lineage(SHARED, "DOWNSTREAM", 1, h(1).minusSeconds(1), null).ok().path("lineage");
        assertThat(nodes(beforeAny)).containsExactly(SHARED);
    }

    @Test
    void asOfLeavesOutAModelVersionNotYetRegisteredAndOutputsNotYetWritten() {
        JsonNode running = writes.lineage(train, "DOWNSTREAM", 1, h(5).plusSeconds(1800), null).ok().path("lineage");
        assertThat(nodes(running)).containsExactly(train); // model.bin is written when the run ends, at 06:00

        JsonNode ended = writes.lineage(train, "DOWNSTREAM", 1, h(6).plusSeconds(1800), null).ok().path("lineage");
        assertThat(nodes(ended)).containsExactlyInAnyOrder(train, MODEL_BIN); // m1 is registered at 07:00

        JsonNode registered = writes.lineage(train, "DOWNSTREAM", 1, h(7), null).ok().path("lineage");
        assertThat(nodes(registered)).containsExactlyInAnyOrder(train, MODEL_BIN, m1);
    }

    @Test
    void asOfShowsADeploymentOnlyWhileItServed() {
        assertThat(nodes(writes.lineage(m1, "DOWNSTREAM", 1, h(8).minusSeconds(1), null).ok().path("lineage"))).containsExactly(m1);
        JsonNode serving = writes.lineage(m1, "DOWNSTREAM", 1, h(9), null).ok().path("lineage");
        assertThat(nodes(serving)).containsExactlyInAnyOrder(m1, dep);
        JsonNode edge = serving.path("edges").path(0);
        assertThat(Instant.parse(edge.path("since").asText())).isEqualTo(h(8));
        assertThat(Instant.parse(edge.path("until").asText())).isEqualTo(h(10));
        // [since, until): at the end instant it no longer serves
        assertThat(nodes(writes.lineage(m1, "DOWNSTREAM", 1, h(10), null).ok().path("lineage"))).containsExactly(m1);
        assertThat(nodes(writes.lineage(m1, "DOWNSTREAM", 1, h(11), null).ok().path("lineage"))).containsExactly(m1);
        // without asOf: everything ever recorded
        assertThat(nodes(lineage(m1, "DOWNSTREAM", 1))).containsExactlyInAnyOrder(m1, dep);
    }

    @Test
    void asOfAppliesToEveryHopOfAnUpstreamWalk() {
        // from the deployment, as of while it served: everything it was made from existed by then
        JsonNode g = writes.lineage(dep, "UPSTREAM", 20, h(9), null).ok().path("lineage");
        assertThat(nodes(g)).containsExactlyInAnyOrder(dep, m1, train, MODEL_BIN, FA, FB, C2, featA, featB, CLEAN, ingest, RAW, C1);
        // as of 04:30, fa and fb were written (04:00) but train had not started: from fa, downstream is empty
        JsonNode early = writes.lineage(FA, "BOTH", 20, h(4).plusSeconds(1800), null).ok().path("lineage");
        assertThat(nodes(early)).containsExactlyInAnyOrder(FA, featA, CLEAN, ingest, RAW, C1);
    }

    // ------------------------------------------------------------------ who asserted each edge

    @Test
    void everyEdgeSaysWhoAssertedIt() {
        JsonNode g = lineage(train, "UPSTREAM", 1);
        for (JsonNode e : g.path("edges")) {
            assertThat(e.path("assertedBy").findValuesAsText("source")).as(e.toString()).containsExactly("api");
        }

        // the same run reported again by the scheduler: its edges now have two sources
        ObjectNode body = TestCatalog.JSON.createObjectNode();
        body.put("query", "mutation($input: RunInput!) { upsertRun(input: $input) { id } }");
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("namespace", NS);
        input.put("name", "c1");
        input.put("status", "SUCCEEDED");
        input.put("startedAt", h(1).toString());
        input.put("endedAt", h(2).toString());
        input.put("inputs", List.of(Map.of("namespace", NS, "uri", "s3://lin/shared.parquet")));
        body.set("variables", TestCatalog.JSON.valueToTree(Map.of("input", input)));
        catalog.post(body.toString(), Map.of("Content-Type", "application/json", "X-MLCatalog-Client", "airflow")).ok();

        JsonNode shared = writes.lineage(SHARED, "DOWNSTREAM", 1, null, null).ok().path("lineage");
        for (JsonNode e : shared.path("edges")) {
            List<String> sources = e.path("assertedBy").findValuesAsText("source");
            if (e.path("to").asText().equals(c1)) {
                assertThat(sources).containsExactlyInAnyOrder("api", "api:airflow");
            } else {
                assertThat(sources).containsExactly("api");
            }
        }
    }

    // ------------------------------------------------------------------ cycles

    @Test
    void aRunThatReadsItsOwnOutputEndsTheWalkWithEachNodeOnce() {
        for (String direction : List.of("UPSTREAM", "DOWNSTREAM", "BOTH")) {
            JsonNode g = lineage(loop, direction, 20);
            assertThat(nodes(g)).as(direction).containsExactly(loop, LOOP);
            assertThat(edges(g)).as(direction).containsExactlyInAnyOrder(edge(LOOP, "CONSUMED", loop), edge(loop, "PRODUCED", LOOP));
            assertThat(g.path("depthReached").asInt()).as(direction).isEqualTo(1);
            assertThat(g.path("truncated").asBoolean()).as(direction).isFalse();
        }
        // at depth 1 the edge back into the artifact has not been followed: the answer misses it and says so
        JsonNode one = lineage(loop, "UPSTREAM", 1);
        assertThat(edges(one)).containsExactly(edge(LOOP, "CONSUMED", loop));
        assertThat(one.path("truncated").asBoolean()).isTrue();
    }

    @Test
    void twoRunsThatFeedEachOtherEndTheWalkWithEachNodeOnce() {
        for (String direction : List.of("UPSTREAM", "DOWNSTREAM", "BOTH")) {
            JsonNode g = lineage(r1, direction, 20);
            assertThat(nodes(g)).as(direction).containsExactlyInAnyOrder(r1, CYCLE_A, CYCLE_B, r2);
            assertThat(edges(g)).as(direction).containsExactlyInAnyOrder(edge(CYCLE_A, "CONSUMED", r1), edge(r1, "PRODUCED", CYCLE_B),
                    edge(CYCLE_B, "CONSUMED", r2), edge(r2, "PRODUCED", CYCLE_A));
            assertThat(g.path("depthReached").asInt()).as(direction).isEqualTo(3);
            assertThat(g.path("truncated").asBoolean()).as(direction).isFalse();
        }
    }

    // ------------------------------------------------------------------ refused requests

    @Test
    void anUnknownIdIsNotFound() {
        for (String from : List.of(GlobalId.of(NodeType.RUN, UUID.randomUUID()), GlobalId.of(NodeType.ARTIFACT, UUID.randomUUID()),
                GlobalId.of(NodeType.DEPLOYMENT, UUID.randomUUID()))) {
            Result r = writes.lineage(from, "BOTH", 2, null, null);
            assertThat(r.errorCode()).as(from).isEqualTo("NOT_FOUND");
            assertThat(r.errorField()).as(from).isEqualTo("from");
            assertThat(r.errorMessage()).contains(from);

            Result blast = catalog.graphql("query($from: ID!) { blastRadius(from: $from) { truncated } }", Map.of("from", from));
            assertThat(blast.errorCode()).as(from).isEqualTo("NOT_FOUND");
            assertThat(blast.errorField()).as(from).isEqualTo("from");
        }
    }

    @Test
    void anIdThatIsNoIdIsBadInput() {
        Result r = writes.lineage("train", "UPSTREAM", 2, null, null);
        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(r.errorField()).isEqualTo("from");
    }

    @Test
    void aModelHasNoLineageOfItsOwn() {
        // a model is a name; its versions are what runs produced and deployments serve
        String model = GlobalId.of(NodeType.MODEL, Ids.model(NS, "lin-m"));
        Result r = writes.lineage(model, "BOTH", 2, null, null);
        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(r.errorField()).isEqualTo("from");
        assertThat(r.errorMessage()).contains("version");

        Result blast = catalog.graphql("query($from: ID!) { blastRadius(from: $from) { truncated } }", Map.of("from", model));
        assertThat(blast.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(blast.errorField()).isEqualTo("from");
    }

    @Test
    void depthAndPerHopLimitOutsideTheirRangeAreRefusedWithTheirField() {
        Map<String, Result> refused = new LinkedHashMap<>();
        refused.put("depth", writes.lineage(train, "UPSTREAM", 0, null, null));
        refused.put("depth ", writes.lineage(train, "UPSTREAM", 21, null, null));
        refused.put("perHopLimit", writes.lineage(train, "UPSTREAM", 2, null, 0));
        refused.put("perHopLimit ", writes.lineage(train, "UPSTREAM", 2, null, 1001));
        refused.forEach((field, r) -> {
            assertThat(r.errorCode()).as(field).isEqualTo("BAD_USER_INPUT");
            assertThat(r.errorField()).as(field).isEqualTo(field.strip());
        });
        // the bounds themselves are accepted
        writes.lineage(train, "UPSTREAM", 1, null, 1).ok();
        writes.lineage(train, "UPSTREAM", 20, null, 1000).ok();

        for (int depth : new int[] {0, 21}) {
            Result blast = catalog.graphql("query($from: ID!, $d: Int) { blastRadius(from: $from, depth: $d) { truncated } }",
                    Map.of("from", train, "d", depth));
            assertThat(blast.errorCode()).isEqualTo("BAD_USER_INPUT");
            assertThat(blast.errorField()).isEqualTo("depth");
            Result explain = catalog.graphql("query($d: Int) { explain(environment: \"prod\", target: \"lin-api\", depth: $d) { at } }",
                    Map.of("d", depth));
            assertThat(explain.errorCode()).isEqualTo("BAD_USER_INPUT");
            assertThat(explain.errorField()).isEqualTo("depth");
        }
    }

    private static String typeOf(JsonNode graph, String id) {
        for (JsonNode n : graph.path("nodes")) {
            if (n.path("id").asText().equals(id)) {
                return n.path("__typename").asText();
            }
        }
        return null;
    }
}
