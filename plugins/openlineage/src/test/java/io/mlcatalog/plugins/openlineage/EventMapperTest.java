package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.JobRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.spi.record.RunRecord;
import io.mlcatalog.spi.record.RunRef;
import io.mlcatalog.spi.record.RunStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An event to catalog records, without a catalog: the mapping table of docs/plugins/openlineage.md. */
class EventMapperTest {
    private static final String T = "2024-10-16T16:53:08.979Z";
    private static final String RUN_ID = "0192963f-929e-731b-a075-9bb14bf41d38";
    private static final String PARENT_ID = "0192963f-0000-731b-a075-9bb14bf41d38";
    private static final String SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
    private final EventParser parser = new EventParser(false);

    /** An event given as a JSON tree, read as the receiver reads one from a request. */
    private Event parse(JsonNode e) throws EventError {
        return parser.parse(Events.read(e));
    }
    private final EventMapper mapper = new EventMapper(false);

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"START, RUNNING, true", "RUNNING, RUNNING, true", "OTHER, RUNNING, true", "COMPLETE, SUCCEEDED, false",
            "FAIL, FAILED, false", "ABORT, ABORTED, false"})
    void eventTypeToStatusAtTheEventTime(String eventType, RunStatus status, boolean started) throws EventError {
        RunRecord run = run(Events.run(eventType, T, RUN_ID, "team", "daily_sales"));

        assertThat(run.status()).isEqualTo(status);
        assertThat(started ? run.startedAt() : run.endedAt()).isEqualTo(Instant.parse(T));
        assertThat(started ? run.endedAt() : run.startedAt()).isNull();
    }

    @Test
    void jobToPipelineRunIdToExternalIdNamespaceFromTheJob() throws EventError {
        RunRecord run = run(Events.run("START", T, RUN_ID, "team", "daily_sales"));

        assertThat(run.namespace()).isEqualTo("team");
        assertThat(run.name()).isEqualTo("daily_sales");
        assertThat(run.pipeline()).isEqualTo("daily_sales");
        assertThat(run.externalId()).isEqualTo(RUN_ID);
        assertThat(run.parent()).isNull();
        assertThat(run.repository()).isNull();
    }

    @Test
    void datasetsToArtifactsNamedByUriInTheJobsNamespaceCreatedAtTheEventTime() throws EventError {
        ObjectNode e = Events.run("START", T, RUN_ID, "team", "job");
        Events.input(e, "bigquery", "p.d.t");
        Events.output(e, "s3://bucket", "out/part-0.parquet");

        RunRecord run = run(e);

        ArtifactRecord in = run.inputs().get(0);
        assertThat(in.uri()).isEqualTo("bigquery:p.d.t");
        assertThat(in.namespace()).isEqualTo("team");
        assertThat(in.name()).isEqualTo("p.d.t");
        assertThat(in.kind()).isEqualTo(ArtifactKind.DATASET);
        assertThat(in.createdAt()).isEqualTo(Instant.parse(T));
        assertThat(in.digest()).isNull();
        assertThat(run.outputs()).extracting(ArtifactRecord::uri).containsExactly("s3://bucket/out/part-0.parquet");
    }

    @Test
    void theDatasetVersionFacetIsTheDigestAndTheStorageFacetTheMediaType() throws EventError {
        ObjectNode e = Events.run("COMPLETE", T, RUN_ID, "team", "job");
        ObjectNode facets = (ObjectNode) Events.output(e, "s3://bucket", "table").get("facets");
        facets.putObject("version").put("datasetVersion", "42");
        facets.putObject("storage").put("storageLayer", "iceberg").put("fileFormat", "parquet");
        ObjectNode csv = (ObjectNode) Events.input(e, "s3://bucket", "raw.csv").get("facets");
        csv.putObject("storage").put("storageLayer", "s3").put("fileFormat", "CSV");
        csv.putObject("version").put("datasetVersion", "not a digest: it has spaces");

        RunRecord run = run(e);

        assertThat(run.outputs().get(0).digest()).isEqualTo("version:42");
        assertThat(run.outputs().get(0).mediaType()).isEqualTo("application/vnd.apache.parquet");
        assertThat(run.inputs().get(0).mediaType()).isEqualTo("text/csv");
        assertThat(run.inputs().get(0).digest()).as("a version the catalog cannot key on is left out").isNull();
        assertThat(run.outputs().get(0).facets()).containsOnlyKeys("version", "storage");
    }

    @Test
    void datasetFacetsAndTheRunsInputAndOutputFacetsAreTheArtifactsFacets() throws EventError {
        ObjectNode e = Events.run("COMPLETE", T, RUN_ID, "team", "job");
        ObjectNode out = Events.output(e, "s3://bucket", "table");
        ((ObjectNode) out.get("facets")).putObject("schema").putArray("fields").addObject().put("name", "id").put("type", "long");
        ((ObjectNode) out.get("facets")).putObject("acme_quality").put("score", 0.98);
        out.putObject("outputFacets").putObject("outputStatistics").put("rowCount", 10);

        ArtifactRecord a = run(e).outputs().get(0);

        assertThat(a.facets()).containsOnlyKeys("schema", "acme_quality", "outputStatistics");
        assertThat(a.facets().get("acme_quality")).isEqualTo(Map.of("score", 0.98));
    }

    @Test
    void theParentRunFacetLinksTheParentAndRecordsItAsRunningUntilItsOwnEventsCome() throws EventError {
        ObjectNode e = Events.run("START", T, RUN_ID, "team", "dag.task");
        Events.parent(e, PARENT_ID, "team", "dag");

        List<MetadataRecord> records = mapper.records(parse(e));

        assertThat(records).hasSize(2);
        RunRecord parent = (RunRecord) records.get(0);
        assertThat(parent.externalId()).isEqualTo(PARENT_ID);
        assertThat(parent.name()).isEqualTo("dag");
        assertThat(parent.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(parent.startedAt()).isEqualTo(Instant.parse(T));
        assertThat(parent.facets()).isEmpty();
        RunRecord child = (RunRecord) records.get(1);
        assertThat(child.parent()).isEqualTo(parent.ref());
        assertThat(child.facets()).containsKey("parent");
    }

    @Test
    void aParentWhoseRunIdIsNoUuidIsFollowedByDefaultAndNotWithRequireUuidRunIds() throws EventError {
        ObjectNode e = Events.run("START", T, RUN_ID, "team", "dag.task");
        Events.parent(e, "manual__2024-11-26", "team", "dag");

        List<MetadataRecord> records = mapper.records(parse(e));
        assertThat(records).hasSize(2);
        assertThat(((RunRecord) records.get(1)).parent()).isEqualTo(RunRef.of("team", "dag", "manual__2024-11-26"));

        List<MetadataRecord> strict = new EventMapper(true).records(parse(e));
        assertThat(strict).hasSize(1);
        assertThat(((RunRecord) strict.get(0)).parent()).isNull();
        assertThat(((RunRecord) strict.get(0)).facets()).containsKey("parent");
    }

    @Test
    void aParentFacetWhoseRunIdTheCatalogCannotKeepIsKeptAsAFacetButNotFollowed() throws EventError {
        for (String id : new String[]{"x".repeat(513), "\u00e9".repeat(257), "a\tb", " ", "run\ud800", "\udc00run", "a\ud800b"}) {
            ObjectNode e = Events.run("START", T, RUN_ID, "team", "dag.task");
            Events.parent(e, id, "team", "dag");

            List<MetadataRecord> records = mapper.records(parse(e));

            assertThat(records).as(id).hasSize(1);
            assertThat(((RunRecord) records.get(0)).parent()).isNull();
            assertThat(((RunRecord) records.get(0)).facets()).containsKey("parent");
        }
        ObjectNode e = Events.run("START", T, RUN_ID, "team", "dag.task");
        Events.parent(e, "x".repeat(512), "team", "dag");
        assertThat(mapper.records(parse(e))).hasSize(2);
        Events.parent(e, "run-\ud83d\ude80", "team", "dag"); // a pair is one character, kept
        assertThat(mapper.records(parse(e))).hasSize(2);
    }

    @Test
    void aGitSourceCodeLocationWithAFullShaIsTheCodeVersion() throws EventError {
        ObjectNode e = Events.run("START", T, RUN_ID, "team", "job");
        Events.jobFacets(e).putObject("sourceCodeLocation").put("type", "git").put("url", "https://github.com/acme/etl/blob/main/job.py")
                .put("repoUrl", "https://github.com/acme/etl.git").put("version", SHA.toUpperCase()).put("path", "job.py");

        RunRecord run = run(e);

        assertThat(run.repository()).isEqualTo("https://github.com/acme/etl.git");
        assertThat(run.commit()).isEqualTo(SHA);
        assertThat(run.jobFacets()).containsKey("sourceCodeLocation");
    }

    @Test
    void aSourceCodeLocationWithoutAFullGitCommitNamesNoCodeVersion() throws EventError {
        for (Map<String, String> location : List.of(Map.of("type", "git", "url", "https://github.com/acme/etl", "version", "3f78685"),
                Map.of("type", "svn", "url", "https://svn.acme.com/etl", "version", SHA),
                Map.of("type", "git", "version", SHA))) {
            ObjectNode e = Events.run("START", T, RUN_ID, "team", "job");
            ObjectNode facet = Events.jobFacets(e).putObject("sourceCodeLocation");
            location.forEach(facet::put);

            RunRecord run = run(e);

            assertThat(run.commit()).as(location.toString()).isNull();
            assertThat(run.jobFacets()).containsKey("sourceCodeLocation");
        }
    }

    @Test
    void everyRunAndJobFacetKnownOrCustomIsKeptWhole() throws EventError {
        ObjectNode e = Events.run("FAIL", T, RUN_ID, "team", "job");
        Events.runFacets(e).putObject("errorMessage").put("message", "boom").put("programmingLanguage", "python");
        Events.runFacets(e).putObject("nominalTime").put("nominalStartTime", "2024-10-16T00:00:00Z");
        Events.runFacets(e).putObject("acme_costs").put("dollars", 12.5).putArray("tags").add("x").add(1);
        Events.jobFacets(e).putObject("sql").put("query", "select 1");

        RunRecord run = run(e);

        assertThat(run.facets()).containsOnlyKeys("errorMessage", "nominalTime", "acme_costs");
        assertThat(run.facets().get("acme_costs")).isEqualTo(Map.of("dollars", 12.5, "tags", List.of("x", 1L)));
        assertThat(run.jobFacets()).containsOnlyKeys("sql");
    }

    @Test
    void aFacetTooLargeToKeepIsReplacedByANoteAndTheOthersAreKept() throws EventError {
        ObjectNode e = Events.run("RUNNING", T, RUN_ID, "team", "job");
        var plan = Events.runFacets(e).putObject("spark.logicalPlan").putArray("plan");
        for (int i = 0; i <= EventReader.MAX_FACET_VALUES; i++) {
            plan.add(i);
        }
        Events.runFacets(e).putObject("small").put("ok", true);

        RunRecord run = run(e);

        // the facet, its array and MAX + 1 numbers
        assertThat(droppedNote(run, "spark.logicalPlan"))
                .isEqualTo("facet too large to keep (" + (EventReader.MAX_FACET_VALUES + 3) + " values, depth 2)");
        assertThat(run.facets().get("small")).isEqualTo(Map.of("ok", true));
    }

    @Test
    void aFacetCutShortIsStillMeasuredWholeAndWhatFollowsItIsRead() throws EventError {
        ObjectNode e = Events.run("RUNNING", T, RUN_ID, "team", "job");
        ObjectNode plan = Events.runFacets(e).putObject("plan");
        var numbers = plan.putArray("a");
        for (int i = 0; i <= EventReader.MAX_FACET_VALUES; i++) {
            numbers.add(i);
        }
        plan.putObject("b").putObject("c").put("d", 1);
        Events.runFacets(e).putObject("after").put("ok", true);

        RunRecord run = run(e);

        // the facet, a, its MAX + 1 numbers, b, c and d, with d three levels down
        assertThat(droppedNote(run, "plan"))
                .isEqualTo("facet too large to keep (" + (EventReader.MAX_FACET_VALUES + 6) + " values, depth 3)");
        assertThat(run.facets().get("after")).isEqualTo(Map.of("ok", true));
    }

    @Test
    void aFacetNestedTooDeeplyIsReplacedByANoteAndOneJustWithinIsKept() throws EventError {
        ObjectNode e = Events.run("RUNNING", T, RUN_ID, "team", "job");
        ObjectNode deep = Events.runFacets(e).putObject("deep");
        ObjectNode within = Events.runFacets(e).putObject("within");
        for (int i = 0; i < EventReader.MAX_FACET_DEPTH; i++) {
            deep = deep.putObject("d");
            if (i < EventReader.MAX_FACET_DEPTH - 1) {
                within = within.putObject("d");
            }
        }
        deep.put("leaf", 1);
        within.put("leaf", 1);

        RunRecord run = run(e);

        assertThat(droppedNote(run, "deep"))
                .isEqualTo("facet too large to keep (" + (EventReader.MAX_FACET_DEPTH + 2) + " values, depth " + (EventReader.MAX_FACET_DEPTH + 1) + ")");
        assertThat(run.facets().get("within").toString()).doesNotContain("_mlcatalogDropped").contains("leaf=1");
    }

    @Test
    void valuesNestedAsDeepAsTheParserAllowsAreReadWithoutADeepStack() throws Exception {
        ObjectNode e = Events.run("RUNNING", T, RUN_ID, "team", "job");
        ObjectNode facet = Events.runFacets(e).putObject("deep");
        ObjectNode extra = ((ObjectNode) e.get("run")).putObject("extra");
        for (int i = 0; i < 990; i++) {
            facet = facet.putObject("d");
            extra = extra.putObject("d");
        }
        facet.put("leaf", 1);
        extra.put("leaf", 1);
        byte[] json = e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);

        // read from the bytes as the receiver reads a request
        RunRecord run = SmallStack.call(() -> {
            try (com.fasterxml.jackson.core.JsonParser p = LineageHttp.JSON.createParser(json)) {
                p.nextToken();
                List<MetadataRecord> records = mapper.records(parser.parse(EventReader.read(p)));
                return (RunRecord) records.get(records.size() - 1);
            }
        });

        assertThat(droppedNote(run, "deep"))
                .isEqualTo("facet too large to keep (992 values, depth 991)");
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void aDatasetEventIsAnArtifact() throws EventError {
        ObjectNode e = LineageHttp.JSON.createObjectNode().put("eventTime", T).put("producer", "p");
        e.set("dataset", Events.dataset("s3://bucket", "raw/orders.csv"));

        List<MetadataRecord> records = mapper.records(parse(e));

        assertThat(records).singleElement().isInstanceOfSatisfying(ArtifactRecord.class, a -> {
            assertThat(a.uri()).isEqualTo("s3://bucket/raw/orders.csv");
            assertThat(a.createdAt()).isEqualTo(Instant.parse(T));
        });
    }

    @Test
    void anEventTakenAsUtcKeepsANoteOnWhatItDescribes() throws EventError {
        ObjectNode dataset = LineageHttp.JSON.createObjectNode().put("eventTime", "2026-01-02T03:04:05").put("producer", "p");
        dataset.set("dataset", Events.dataset("s3://bucket", "raw/orders.csv"));
        ObjectNode run = Events.run("START", "2026-01-02T03:04:05", "0192963f-929e-731b-a075-9bb14bf41d38", "team", "daily");

        ArtifactRecord artifact = (ArtifactRecord) mapper.records(parse(dataset)).get(0);
        RunRecord started = (RunRecord) mapper.records(parse(run)).get(0);

        assertThat(artifact.createdAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(artifact.facets()).containsKey(EventMapper.WARNINGS_FACET);
        assertThat(started.facets().get(EventMapper.WARNINGS_FACET)).asString().contains("has no offset: taken as UTC");
        assertThat(run(Events.run("START", T, RUN_ID, "team", "daily")).facets()).doesNotContainKey(EventMapper.WARNINGS_FACET);
    }

    @Test
    void aJobEventIsItsJobsFacetsAndItsDatasets() throws EventError {
        ObjectNode e = LineageHttp.JSON.createObjectNode().put("eventTime", T).put("producer", "p");
        e.putObject("job").put("namespace", "team").put("name", "daily").putObject("facets").putObject("sql").put("query", "select 1");
        e.putArray("inputs").add(Events.dataset("bigquery", "p.d.in"));
        e.putArray("outputs").add(Events.dataset("bigquery", "p.d.out"));

        List<MetadataRecord> records = mapper.records(parse(e));

        assertThat(records).singleElement().isInstanceOfSatisfying(JobRecord.class, j -> {
            assertThat(j.namespace()).isEqualTo("team");
            assertThat(j.name()).isEqualTo("daily");
            assertThat(j.facets()).containsKey("sql");
            assertThat(j.at()).isEqualTo(Instant.parse(T));
            // its datasets are its declared (static) inputs and outputs, filed under the job's namespace
            assertThat(j.inputs()).extracting(ArtifactRecord::uri).containsExactly("bigquery:p.d.in");
            assertThat(j.outputs()).extracting(ArtifactRecord::uri).containsExactly("bigquery:p.d.out");
            assertThat(j.inputs()).extracting(ArtifactRecord::namespace).containsExactly("team");
            assertThat(j.inputs()).extracting(ArtifactRecord::createdAt).containsExactly(Instant.parse(T));
        });
    }

    @Test
    void everyEventOfTheCorpusMapsToRecords() throws EventError {
        for (Corpus.Scenario s : Corpus.scenarios().values()) {
            for (String json : s.events()) {
                Event event;
                try {
                    event = parse(LineageHttp.JSON.readTree(json));
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
                assertThat(mapper.records(event)).as(s.name()).isNotEmpty();
            }
        }
    }

    /** The note a facet too large to keep was replaced by, or null if it was kept. */
    private static Object droppedNote(RunRecord run, String facet) {
        return ((Map<?, ?>) run.facets().get(facet)).get("_mlcatalogDropped");
    }

    private RunRecord run(ObjectNode event) throws EventError {
        List<MetadataRecord> records = mapper.records(parse(event));
        return (RunRecord) records.get(records.size() - 1);
    }
}
