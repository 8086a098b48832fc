package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the parser refuses, and the JSON path it names for each problem. */
class EventParserTest {
    private static final String RUN_ID = "0192963f-929e-731b-a075-9bb14bf41d38";
    private final EventParser parser = new EventParser(false);

    /** An event given as a JSON tree, read as the receiver reads one from a request. */
    private Event parse(JsonNode e) throws EventError {
        return parser.parse(Events.read(e));
    }

    private static ObjectNode valid() {
        ObjectNode e = Events.run("START", "2024-10-16T16:53:08.979Z", RUN_ID, "default", "job");
        Events.input(e, "bigquery", "p.d.t");
        Events.output(e, "gs://bucket", "out.csv");
        return e;
    }

    @Test
    void aValidRunEvent() throws EventError {
        Event e = parse(valid());

        assertThat(e.kind()).isEqualTo(Event.Kind.RUN);
        assertThat(e.eventTime()).isEqualTo(Instant.parse("2024-10-16T16:53:08.979Z"));
        assertThat(e.runId()).isEqualTo(RUN_ID);
        assertThat(e.job().namespace()).isEqualTo("default");
        assertThat(e.inputs()).extracting(Event.Dataset::name).containsExactly("p.d.t");
        assertThat(e.outputs()).extracting(Event.Dataset::namespace).containsExactly("gs://bucket");
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventTime", "producer", "run.runId", "job.namespace", "job.name"})
    void eachRequiredFieldMissingIsNamedByItsPath(String field) {
        assertRefused(Events.without(valid(), field), "$." + field, "required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventTime", "producer", "run.runId", "job.namespace", "job.name"})
    void eachRequiredFieldNullOrBlankIsNamedByItsPath(String field) {
        ObjectNode e = valid();
        String[] parts = field.split("\\.");
        ObjectNode owner = parts.length == 1 ? e : (ObjectNode) e.get(parts[0]);
        owner.putNull(parts[parts.length - 1]);
        assertRefused(e, "$." + field, "required");
        owner.put(parts[parts.length - 1], "  ");
        assertRefused(e, "$." + field, "blank");
    }

    @Test
    void wrongTypesAreNamedByTheirPath() {
        ObjectNode e = valid();
        e.put("eventTime", 1729097588979L);
        assertRefused(e, "$.eventTime", "must be a string");

        e = valid();
        e.put("run", "0192963f-929e-731b-a075-9bb14bf41d38");
        assertRefused(e, "$.run", "must be an object");

        e = valid();
        e.put("job", 3);
        assertRefused(e, "$.job", "must be an object");

        e = valid();
        e.putObject("inputs").put("namespace", "bigquery");
        assertRefused(e, "$.inputs", "array");

        e = valid();
        e.withArray("outputs").add("gs://bucket/x");
        assertRefused(e, "$.outputs[1]", "object");

        e = valid();
        ((ObjectNode) e.get("inputs").get(0)).put("name", 7);
        assertRefused(e, "$.inputs[0].name", "string");

        e = valid();
        ((ObjectNode) e.get("outputs").get(0)).remove("namespace");
        assertRefused(e, "$.outputs[0].namespace", "required");

        e = valid();
        ((ObjectNode) e.get("run")).putArray("facets");
        assertRefused(e, "$.run.facets", "object");

        e = valid();
        ((ObjectNode) e.get("job")).put("facets", "sql");
        assertRefused(e, "$.job.facets", "object");

        e = valid();
        ((ObjectNode) e.get("inputs").get(0)).put("inputFacets", 1);
        assertRefused(e, "$.inputs[0].inputFacets", "object");

        e = valid();
        e.put("eventType", 1);
        assertRefused(e, "$.eventType", "string");
    }

    @Test
    void anEventTimeThatIsNoDateTime() {
        ObjectNode e = valid();
        e.put("eventTime", "yesterday");
        assertRefused(e, "$.eventTime", "ISO 8601");
        e.put("eventTime", "2024-10-16");
        assertRefused(e, "$.eventTime", "ISO 8601");
        e.put("eventTime", "2024-10-16T25:53:08");
        assertRefused(e, "$.eventTime", "ISO 8601");
    }

    @Test
    void anEventTimeWithoutAnOffsetIsTakenAsUtcAndSaysSo() throws EventError {
        ObjectNode e = valid();
        e.put("eventTime", "2024-10-16T16:53:08.979");
        Event event = parse(e);
        assertThat(event.eventTime()).isEqualTo(Instant.parse("2024-10-16T16:53:08.979Z"));
        assertThat(event.warnings()).containsExactly(
                "eventTime '2024-10-16T16:53:08.979' has no offset: taken as UTC (2024-10-16T16:53:08.979Z)");

        e.put("eventTime", "2024-10-16T16:53:08.979Z");
        assertThat(parse(e).warnings()).isEmpty();

        ObjectNode job = e;
        job.remove("run");
        job.remove("eventType");
        job.remove("schemaURL");
        job.put("eventTime", "2024-10-16T16:53");
        Event jobEvent = parse(job);
        assertThat(jobEvent.kind()).isEqualTo(Event.Kind.JOB);
        assertThat(jobEvent.eventTime()).isEqualTo(Instant.parse("2024-10-16T16:53:00Z"));
        assertThat(jobEvent.warnings()).hasSize(1);
    }

    @Test
    void theTimeZonesProducersWriteAreAllRead() throws EventError {
        ObjectNode e = valid();
        e.put("eventTime", "2024-11-26T13:05:23.809955+00:00");
        assertThat(parse(e).eventTime()).isEqualTo(Instant.parse("2024-11-26T13:05:23.809955Z"));
        e.put("eventTime", "2024-11-26T15:05:23.8+02:00");
        assertThat(parse(e).eventTime()).isEqualTo(Instant.parse("2024-11-26T13:05:23.800Z"));
    }

    @Test
    void anUnknownEventType() {
        ObjectNode e = valid();
        e.put("eventType", "FINISHED");
        assertRefused(e, "$.eventType", "unknown eventType 'FINISHED'");
        e.put("eventType", "start");
        assertRefused(e, "$.eventType", "unknown eventType");
    }

    @Test
    void everyEventTypeOfTheSpecAndNoneAtAll() throws EventError {
        for (String type : new String[]{"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"}) {
            ObjectNode e = valid();
            e.put("eventType", type);
            assertThat(parse(e).eventType()).isEqualTo(type);
        }
        assertThat(parse(Events.without(valid(), "eventType")).eventType()).isNull();
    }

    @Test
    void aRunIdThatIsNoUuidIsTakenAsSentByDefault() throws EventError {
        for (String id : new String[]{"run_id", "manual__2024-11-26T13:06:08.846147+00:00", "42"}) {
            ObjectNode e = valid();
            ((ObjectNode) e.get("run")).put("runId", id);
            assertThat(parse(e).runId()).isEqualTo(id);
        }
    }

    @Test
    void requireUuidRunIdsRefusesARunIdThatIsNoUuid() throws EventError {
        EventParser strict = new EventParser(true);
        // UUID.fromString takes these too; the spec's format does not
        for (String id : new String[]{"run_id", "manual__2024-11-26T13:06:08.846147+00:00", "1-1-1-1-1",
                "0192963f-929e-731b-a075-9bb14bf41d3", "0192963f-929e-731b-a075-9bb14bf41d38 ", "0192963f+929e-731b-a075-9bb14bf41d38",
                "0192963f-929e-731b-a075-9bb14bf41d3\uff18"}) {
            ObjectNode e = valid();
            ((ObjectNode) e.get("run")).put("runId", id);
            assertThatThrownBy(() -> strict.parse(Events.read(e))).as(id).isInstanceOfSatisfying(EventError.class, err -> {
                assertThat(err.path()).isEqualTo("$.run.runId");
                assertThat(err.getMessage()).contains("must be a UUID");
            });
        }
        ObjectNode e = valid();
        ((ObjectNode) e.get("run")).put("runId", RUN_ID.toUpperCase(java.util.Locale.ROOT));
        assertThat(strict.parse(Events.read(e)).runId()).isEqualTo(RUN_ID.toUpperCase(java.util.Locale.ROOT));
    }

    @Test
    void aRunEventWithoutItsRunIsNotTakenForAJobEvent() {
        assertRefused(Events.without(valid(), "run"), "$.run", "required");
        // without eventType too, its schemaURL still says what it is
        assertRefused(Events.without(Events.without(valid(), "run"), "eventType"), "$.run", "required");
    }

    @Test
    void notAnEventAtAll() {
        assertRefused(LineageHttp.JSON.createArrayNode(), "$", "object");
        assertRefused(LineageHttp.JSON.getNodeFactory().textNode("event"), "$", "object");
        ObjectNode e = LineageHttp.JSON.createObjectNode().put("eventTime", "2024-10-16T16:53:08.979Z").put("producer", "p");
        assertRefused(e, "$", "no run, job or dataset");
    }

    @Test
    void aDatasetEvent() throws EventError {
        ObjectNode e = LineageHttp.JSON.createObjectNode().put("eventTime", "2024-10-16T16:53:08.979Z").put("producer", "p")
                .put("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent");
        e.set("dataset", Events.dataset("s3://bucket", "key"));

        Event event = parse(e);

        assertThat(event.kind()).isEqualTo(Event.Kind.DATASET);
        assertThat(event.dataset().name()).isEqualTo("key");
        ((ObjectNode) e.get("dataset")).remove("name");
        assertRefused(e, "$.dataset.name", "required");
    }

    @Test
    void aJobEvent() throws EventError {
        ObjectNode e = LineageHttp.JSON.createObjectNode().put("eventTime", "2024-10-16T16:53:08.979Z").put("producer", "p")
                .put("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent");
        e.putObject("job").put("namespace", "ns").put("name", "j").putObject("facets").putObject("sql").put("query", "select 1");
        e.putArray("inputs").add(Events.dataset("bigquery", "p.d.t"));

        Event event = parse(e);

        assertThat(event.kind()).isEqualTo(Event.Kind.JOB);
        assertThat(event.job().facets()).containsKey("sql");
        assertThat(event.inputs()).hasSize(1);
        ((ObjectNode) e.get("job")).remove("name");
        assertRefused(e, "$.job.name", "required");
    }

    @Test
    void inputAndOutputFacetsAreFacetsOfTheDatasetAsTheRunSawIt() throws EventError {
        ObjectNode e = valid();
        ((ObjectNode) e.get("outputs").get(0)).putObject("outputFacets").putObject("outputStatistics").put("rowCount", 10);

        assertThat(parse(e).outputs().get(0).facets()).containsKey("outputStatistics");
    }

    private void assertRefused(JsonNode event, String path, String message) {
        assertThatThrownBy(() -> parse(event)).isInstanceOf(EventError.class)
                .hasMessageContaining(message)
                .satisfies(t -> assertThat(((EventError) t).path()).isEqualTo(path));
    }

    @Test
    void facetsAreReadAsTheSamePlainValuesJacksonWouldConvertThemToWithWholeNumbersAsLong() throws Exception {
        String text = """
                {"a": {"_producer": "p", "int": 7, "long": 12345678901, "big": 123456789012345678901234567890, "float": 1.5,
                 "exp": 1e300, "neg": -0.0, "t": true, "f": false, "n": null, "s": "caf\u00e9 \ud83d\ude00",
                 "list": [1, "two", [3.25, {"x": null}], {}], "empty": [], "nested": {"deep": {"deeper": [{"k": "v"}]}}}}""";

        Object plain;
        try (var p = LineageHttp.JSON.createParser(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            p.nextToken();
            plain = EventReader.read(p);
        }

        // whole numbers as Long: the catalog's normal form, so that its check takes the document as it is
        assertThat(plain).isEqualTo(intsAsLongs(LineageHttp.JSON.readValue(text, java.util.LinkedHashMap.class)));
        assertThat(((java.util.Map<?, ?>) ((java.util.Map<?, ?>) plain).get("a")).get("int")).isEqualTo(7L);
        assertThat(new java.util.ArrayList<Object>(((java.util.Map<?, ?>) ((java.util.Map<?, ?>) plain).get("a")).keySet()))
                .containsExactly("_producer", "int", "long", "big", "float", "exp", "neg", "t", "f", "n", "s", "list", "empty", "nested");
    }

    private static Object intsAsLongs(Object v) {
        if (v instanceof java.util.Map<?, ?> m) {
            java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, intsAsLongs(x)));
            return out;
        }
        if (v instanceof java.util.List<?> l) {
            return l.stream().map(EventParserTest::intsAsLongs).toList();
        }
        return v instanceof Integer i ? (Object) i.longValue() : v;
    }
}
