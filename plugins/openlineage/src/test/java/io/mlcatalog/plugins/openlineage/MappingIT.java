package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mapping's semantics over HTTP: status by event time, parents that arrive after their children,
 * facets by event time, replays, out-of-order arrival, dataset and job events, awkward names.
 */
class MappingIT {
    private static final String T0 = "2026-03-01T06:00:00Z";
    private static final String T1 = "2026-03-01T06:01:00Z";
    private static final String T2 = "2026-03-01T06:02:00Z";
    private static final String T3 = "2026-03-01T06:03:00Z";
    private static final String T4 = "2026-03-01T06:04:00Z";
    private static final String DAG_RUN = "01936893-9751-7a91-a2a0-a51101a3970c";
    private static final String TASK_RUN = "01936893-9751-7b3c-8f76-8ac6d0e5f8a3";
    private static TestingCatalog catalog;
    private static LineageHttp http;

    @BeforeAll
    static void start() {
        catalog = TestingCatalog.builder().start();
        http = new LineageHttp(catalog);
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void aLateStartAfterCompleteChangesNothing() {
        String ns = "late-start";
        String runId = UUID.randomUUID().toString();
        ObjectNode start = Events.run("START", T0, runId, ns, "job");
        ObjectNode complete = Events.run("COMPLETE", T2, runId, ns, "job");
        accept(start);
        accept(complete);
        Map<String, Long> rows = catalog.rowCounts();
        String state = CatalogState.ofNamespace(catalog, ns);

        accept(start);
        accept(Events.run("RUNNING", T1, runId, ns, "job"));

        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(CatalogState.diff(state, CatalogState.ofNamespace(catalog, ns))).isEmpty();
        JsonNode run = run(ns, runId);
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(run.path("startedAt").asText())).isEqualTo(Instant.parse(T0));
        assertThat(Instant.parse(run.path("endedAt").asText())).isEqualTo(Instant.parse(T2));
    }

    @Test
    void failAndAbortAreTerminalAndTheEarliestEndWins() {
        String ns = "terminal";
        String failed = UUID.randomUUID().toString();
        accept(Events.run("FAIL", T2, failed, ns, "job"));
        accept(Events.run("COMPLETE", T3, failed, ns, "job")); // a later end cannot undo a failure
        accept(Events.run("START", T0, failed, ns, "job"));
        assertThat(run(ns, failed).path("status").asText()).isEqualTo("FAILED");

        String aborted = UUID.randomUUID().toString();
        accept(Events.run("START", T0, aborted, ns, "job"));
        accept(Events.run("ABORT", T1, aborted, ns, "job"));
        accept(Events.run("RUNNING", T2, aborted, ns, "job")); // late, and after the end: ignored
        assertThat(run(ns, aborted).path("status").asText()).isEqualTo("ABORTED");
        assertThat(Instant.parse(run(ns, aborted).path("endedAt").asText())).isEqualTo(Instant.parse(T1));
    }

    @Test
    void aChildsEventsBeforeItsParentsRecordTheParentAsRunningUntilItsOwnEventsCome() {
        String ns = "child-first";
        ObjectNode childStart = Events.run("START", T1, TASK_RUN, ns, "dag.task");
        Events.parent(childStart, DAG_RUN, ns, "dag");
        ObjectNode childComplete = Events.run("COMPLETE", T2, TASK_RUN, ns, "dag.task");
        Events.parent(childComplete, DAG_RUN, ns, "dag");

        accept(childStart);
        accept(childComplete);

        JsonNode parent = run(ns, DAG_RUN);
        assertThat(parent.path("status").asText()).isEqualTo("RUNNING");
        assertThat(parent.path("name").asText()).isEqualTo("dag");
        assertThat(run(ns, TASK_RUN).path("parent").path("externalId").asText()).isEqualTo(DAG_RUN);

        accept(Events.run("START", T0, DAG_RUN, ns, "dag"));
        accept(Events.run("COMPLETE", T3, DAG_RUN, ns, "dag"));

        parent = run(ns, DAG_RUN);
        assertThat(parent.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(parent.path("startedAt").asText())).isEqualTo(Instant.parse(T0));
        assertThat(Instant.parse(parent.path("endedAt").asText())).isEqualTo(Instant.parse(T3));
        assertThat(catalog.query("{ runs(filter: {namespace: \"child-first\"}) { totalCount } }").path("runs").path("totalCount").asInt())
                .isEqualTo(2);
    }

    /**
     * A DAG run and a task with datasets, facets and a parent link: whatever order the five events arrive
     * in, the catalog ends the same as after emission order.
     */
    @Test
    void anyArrivalOrderEndsAsEmissionOrder() {
        List<List<Integer>> orders = new ArrayList<>();
        permutations(new ArrayList<>(List.of(0, 1, 2, 3, 4)), 0, orders);
        String expected = null;
        for (int i = 0; i < orders.size(); i += 5) { // every fifth of the 120 orders, emission order and its reverse among them
            String ns = "order-" + i + "-";
            List<ObjectNode> events = dagWithOneTask(ns);
            List<String> batch = new ArrayList<>();
            orders.get(i).forEach(k -> batch.add(events.get(k).toString()));
            HttpResponse<String> r = http.postArray(batch);
            assertThat(LineageHttp.json(r).path("accepted").asInt()).as(r.body()).isEqualTo(5);

            String state = CatalogState.ofNamespace(catalog, ns);
            if (expected == null) {
                assertThat(orders.get(i)).containsExactly(0, 1, 2, 3, 4);
                expected = state;
                assertThat(expected).contains("SUCCEEDED", "CONSUMED", "PRODUCED", "\"v\":2", "final").doesNotContain("draft");
            } else {
                assertThat(CatalogState.diff(expected, state)).as("arrival order %s", orders.get(i)).isEmpty();
            }
        }
        assertThat(orders.get(119)).containsExactly(4, 3, 2, 1, 0);
    }

    /** DAG START, task START (an input), task RUNNING (an output, a facet), task COMPLETE (the facet again), DAG COMPLETE. */
    private static List<ObjectNode> dagWithOneTask(String ns) {
        ObjectNode dagStart = Events.run("START", T0, DAG_RUN, ns, "dag");
        Events.runFacets(dagStart).putObject("nominalTime").put("nominalStartTime", T0);
        Events.jobFacets(dagStart).putObject("ownership").putArray("owners").addObject().put("name", "team");
        ObjectNode taskStart = Events.run("START", T1, TASK_RUN, ns, "dag.task");
        Events.parent(taskStart, DAG_RUN, ns, "dag");
        Events.input(taskStart, "s3://" + ns + "bucket", "in.csv");
        Events.runFacets(taskStart).putObject("progress").put("v", 1);
        ObjectNode taskRunning = Events.run("RUNNING", T2, TASK_RUN, ns, "dag.task");
        Events.parent(taskRunning, DAG_RUN, ns, "dag");
        ((ObjectNode) Events.output(taskRunning, "s3://" + ns + "bucket", "out.parquet").get("facets")).putObject("schema")
                .putArray("fields").addObject().put("name", "draft");
        Events.runFacets(taskRunning).putObject("progress").put("v", 2);
        ObjectNode taskComplete = Events.run("COMPLETE", T3, TASK_RUN, ns, "dag.task");
        Events.parent(taskComplete, DAG_RUN, ns, "dag");
        Events.input(taskComplete, "s3://" + ns + "bucket", "in.csv");
        ((ObjectNode) Events.output(taskComplete, "s3://" + ns + "bucket", "out.parquet").get("facets")).putObject("schema")
                .putArray("fields").addObject().put("name", "final");
        Events.jobFacets(taskComplete).putObject("sql").put("query", "select 1");
        ObjectNode dagComplete = Events.run("COMPLETE", T4, DAG_RUN, ns, "dag");
        return List.of(dagStart, taskStart, taskRunning, taskComplete, dagComplete);
    }

    private static void permutations(List<Integer> items, int k, List<List<Integer>> out) {
        if (k == items.size()) {
            out.add(List.copyOf(items));
            return;
        }
        for (int i = k; i < items.size(); i++) {
            Collections.swap(items, k, i);
            permutations(items, k + 1, out);
            Collections.swap(items, k, i);
        }
        out.sort((a, b) -> a.toString().compareTo(b.toString()));
    }

    @Test
    void ofTwoFacetsOfOneNameTheLaterEventsIsKeptWhateverArrivesLast() {
        String ns = "facet-order";
        String runId = UUID.randomUUID().toString();
        ObjectNode early = Events.run("RUNNING", T1, runId, ns, "job");
        Events.runFacets(early).putObject("acme_progress").put("step", "early");
        Events.jobFacets(early).putObject("sql").put("query", "select 1");
        ObjectNode late = Events.run("RUNNING", T2, runId, ns, "job");
        Events.runFacets(late).putObject("acme_progress").put("step", "late").putObject("nested").put("kept", "whole");
        Events.jobFacets(late).putObject("sql").put("query", "select 2");

        accept(late);
        accept(early);

        JsonNode run = run(ns, runId);
        assertThat(run.path("facets").path("acme_progress").path("step").asText()).isEqualTo("late");
        assertThat(run.path("facets").path("acme_progress").path("nested").path("kept").asText()).isEqualTo("whole");
        assertThat(run.path("jobFacets").path("sql").path("query").asText()).isEqualTo("select 2");
    }

    /** Two events of one instant with different facets: the same one is kept, sent in one batch or apart, in either order. */
    @Test
    void ofTwoFacetsOfOneNameAndOneInstantTheSameIsKeptInABatchOrApart() {
        List<String> kept = new ArrayList<>();
        for (String how : List.of("batch", "batch-reversed", "apart", "apart-reversed")) {
            String ns = "facet-tie-" + how;
            String runId = UUID.randomUUID().toString();
            ObjectNode a = Events.run("RUNNING", T1, runId, ns, "job");
            Events.runFacets(a).putObject("acme_progress").put("step", "a");
            Events.jobFacets(a).putObject("sql").put("query", "select 'a'");
            ObjectNode b = Events.run("RUNNING", T1, runId, ns, "job");
            Events.runFacets(b).putObject("acme_progress").put("step", "b");
            Events.jobFacets(b).putObject("sql").put("query", "select 'b'");
            List<ObjectNode> events = how.endsWith("reversed") ? List.of(b, a) : List.of(a, b);
            if (how.startsWith("batch")) {
                HttpResponse<String> r = http.postArray(events.stream().map(ObjectNode::toString).toList());
                assertThat(LineageHttp.json(r).path("accepted").asInt()).as(r.body()).isEqualTo(2);
            } else {
                events.forEach(MappingIT::accept);
            }
            JsonNode run = run(ns, runId);
            kept.add(run.path("facets").path("acme_progress").path("step").asText() + "/" + run.path("jobFacets").path("sql").path("query").asText());
        }
        assertThat(kept).containsOnly(kept.get(0));
        assertThat(kept.get(0)).isIn("a/select 'a'", "b/select 'b'");
    }

    @Test
    void ofTwoDatasetFacetsOfOneNameTheLaterEventsIsKeptWhateverArrivesLast() {
        String ns = "dataset-facet-order";
        ObjectNode early = Events.run("COMPLETE", T1, UUID.randomUUID().toString(), ns, "v1");
        ((ObjectNode) Events.output(early, "s3://dataset-facet-order", "table").get("facets")).putObject("schema").putArray("fields")
                .addObject().put("name", "id");
        ObjectNode late = Events.run("START", T2, UUID.randomUUID().toString(), ns, "v2");
        ((ObjectNode) Events.input(late, "s3://dataset-facet-order", "table").get("facets")).putObject("schema").putArray("fields")
                .add(LineageHttp.JSON.createObjectNode().put("name", "id")).add(LineageHttp.JSON.createObjectNode().put("name", "added"));

        accept(late);
        accept(early);

        JsonNode facets = catalog.query("{ artifact(uri: \"s3://dataset-facet-order/table\") { facets } }").path("artifact").path("facets");
        assertThat(facets.path("schema").path("fields").findValuesAsText("name")).containsExactly("id", "added");
    }

    @Test
    void replayingEveryEventLeavesTheCatalogIdentical() {
        String ns = "replay";
        List<ObjectNode> events = dagWithOneTask(ns);
        events.forEach(MappingIT::accept);
        Map<String, Long> rows = catalog.rowCounts();
        String state = CatalogState.ofNamespace(catalog, ns);

        events.forEach(MappingIT::accept);
        http.postArray(events.stream().map(ObjectNode::toString).toList());

        assertThat(catalog.rowCounts()).isEqualTo(rows);
        assertThat(CatalogState.diff(state, CatalogState.ofNamespace(catalog, ns))).isEmpty();
    }

    @Test
    void aDatasetEventIsAnArtifact() {
        ObjectNode e = LineageHttp.JSON.createObjectNode().put("eventTime", T0).put("producer", Events.PRODUCER)
                .put("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent");
        ObjectNode d = Events.dataset("s3://dataset-events", "raw/customers.parquet");
        ((ObjectNode) d.get("facets")).putObject("version").put("datasetVersion", "v3");
        e.set("dataset", d);

        accept(e);

        JsonNode a = catalog.query("{ artifact(uri: \"s3://dataset-events/raw/customers.parquet\") { name kind digest createdAt } }")
                .path("artifact");
        assertThat(a.path("kind").asText()).isEqualTo("DATASET");
        assertThat(a.path("digest").asText()).isEqualTo("version:v3");
        assertThat(a.path("name").asText()).isEqualTo("raw/customers.parquet");
        assertThat(Instant.parse(a.path("createdAt").asText())).isEqualTo(Instant.parse(T0));
    }

    @Test
    void aJobEventsFacetsShowThroughTheRunsOfThatJob() {
        String ns = "job-events";
        ObjectNode e = LineageHttp.JSON.createObjectNode().put("eventTime", T1).put("producer", Events.PRODUCER)
                .put("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent");
        ObjectNode job = e.putObject("job").put("namespace", ns).put("name", "nightly");
        job.putObject("facets").putObject("documentation").put("description", "the nightly load");
        e.putArray("inputs").add(Events.dataset("bigquery", "job-events.raw.orders"));
        String runId = UUID.randomUUID().toString();

        accept(e);
        accept(Events.run("START", T2, runId, ns, "nightly"));

        JsonNode run = run(ns, runId);
        assertThat(run.path("jobFacets").path("documentation").path("description").asText()).isEqualTo("the nightly load");
        assertThat(catalog.query("{ artifact(uri: \"bigquery:job-events.raw.orders\") { kind } }").path("artifact").path("kind").asText())
                .isEqualTo("DATASET");
    }

    @Test
    void aDatasetNameWithSpaces() {
        String ns = "spaces";
        String runId = UUID.randomUUID().toString();
        ObjectNode e = Events.run("COMPLETE", T0, runId, ns, "excel import");
        Events.input(e, "file", "/shared/Sales Reports/Q1 2026.xlsx");
        Events.output(e, "s3://bucket", "sales reports/q1 2026.parquet");

        accept(e);

        JsonNode run = run(ns, runId);
        assertThat(run.path("name").asText()).isEqualTo("excel import");
        assertThat(run.path("inputs").path(0).path("uri").asText()).isEqualTo("file:///shared/Sales%20Reports/Q1%202026.xlsx");
        assertThat(run.path("inputs").path(0).path("name").asText()).isEqualTo("/shared/Sales Reports/Q1 2026.xlsx");
        assertThat(run.path("outputs").path(0).path("uri").asText()).isEqualTo("s3://bucket/sales%20reports/q1%202026.parquet");
    }

    @Test
    void aDatasetNamedByJobsOfTwoNamespacesIsFiledByTheEarliestEventWhateverArrivesFirst() {
        for (boolean producerFirst : new boolean[]{true, false}) {
            String uri = "two-namespaces-" + producerFirst;
            ObjectNode produce = Events.run("COMPLETE", T1, UUID.randomUUID().toString(), "team-a", "produce");
            Events.output(produce, "s3://shared", uri);
            ObjectNode consume = Events.run("START", T2, UUID.randomUUID().toString(), "team-b", "consume");
            Events.input(consume, "s3://shared", uri);

            accept(producerFirst ? produce : consume);
            accept(producerFirst ? consume : produce);

            JsonNode a = catalog.query("{ artifact(uri: \"s3://shared/" + uri + "\") { namespace createdAt } }").path("artifact");
            assertThat(a.path("namespace").asText()).as("producer first: %s", producerFirst).isEqualTo("team-a");
            assertThat(Instant.parse(a.path("createdAt").asText())).isEqualTo(Instant.parse(T1));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void accept(ObjectNode event) {
        HttpResponse<String> r = http.post(event.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static JsonNode run(String namespace, String runId) {
        JsonNode run = catalog.query("""
                query($ns: String!, $id: String!) { run(namespace: $ns, externalId: $id) {
                  name status startedAt endedAt facets jobFacets parent { externalId } inputs { uri name } outputs { uri name } } }""",
                Map.of("ns", namespace, "id", runId)).path("run");
        assertThat(run.isObject()).as("run %s in %s", runId, namespace).isTrue();
        return run;
    }
}
