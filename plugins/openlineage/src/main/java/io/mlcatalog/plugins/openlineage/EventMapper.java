package io.mlcatalog.plugins.openlineage;

import io.mlcatalog.spi.record.ArtifactKind;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.JobRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.spi.record.RunRecord;
import io.mlcatalog.spi.record.RunRef;
import io.mlcatalog.spi.record.RunStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An OpenLineage event to catalog records:
 * <ul>
 *   <li>job → the run's pipeline, run → a run named after its job, identified by its runId (with its job: see
 *       {@link EventParser} on runIds that are no UUID), in the job's namespace;</li>
 *   <li>eventType → status by event time: START, RUNNING, OTHER → RUNNING; COMPLETE → SUCCEEDED; FAIL → FAILED;
 *       ABORT → ABORTED (the catalog never moves a finished run back, whatever arrives later);</li>
 *   <li>inputs and outputs → datasets (artifacts named by URI, with the dataset version as digest when given) and the
 *       consumed/produced edges, from the first event that names them, so lineage shows while a run is running;</li>
 *   <li>the parent run facet → the parent run (recorded as running, if it is not yet known, so that the link never waits);</li>
 *   <li>the sourceCodeLocation job facet (git, with a full commit) → the code version the run was built from;</li>
 *   <li>a job event → the job's facets and its declared inputs and outputs (static lineage, no run); a dataset event → its
 *       dataset;</li>
 *   <li>every run, job and dataset facet (with the dataset's input or output facets), known or custom, kept whole (but for
 *       one too large to keep, see {@link EventReader}).</li>
 * </ul>
 */
final class EventMapper {
    /** The most UTF-8 bytes of a run id the catalog keeps (its external id); a longer parent id is not followed. */
    private static final int MAX_RUN_ID_BYTES = 512;
    private static final Pattern FULL_SHA = Pattern.compile("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}");
    private static final Pattern DIGEST_TEXT = Pattern.compile("[\\x21-\\x7e]{1,256}");

    private final boolean requireUuidRunIds;

    /** With {@code requireUuidRunIds}, a parent facet whose runId is no UUID is kept as a facet, not followed. */
    EventMapper(boolean requireUuidRunIds) {
        this.requireUuidRunIds = requireUuidRunIds;
    }

    /** The facet that keeps what the catalog assumed to accept an event, on what the event describes. */
    static final String WARNINGS_FACET = "mlcatalog_warnings";

    List<MetadataRecord> records(Event e) {
        Event noted = noted(e);
        return switch (noted.kind()) {
            case RUN -> runEvent(noted);
            case DATASET -> List.of(artifact(noted.dataset(), noted.dataset().namespace(), noted.eventTime()));
            case JOB -> jobEvent(noted);
        };
    }

    /**
     * An event accepted on an assumption (an eventTime without an offset, taken as UTC) keeps a note of it, where a user
     * of the catalog sees it later (most producers never read the answer that says so): a facet {@value #WARNINGS_FACET}
     * of its run, of its job for a job event, of its dataset for a dataset event.
     */
    private static Event noted(Event e) {
        if (e.warnings().isEmpty()) {
            return e;
        }
        Map<String, Object> note = Map.of(WARNINGS_FACET, Map.of("warnings", e.warnings(), "eventTime", e.eventTime().toString()));
        return switch (e.kind()) {
            case RUN -> new Event(e.kind(), e.eventTime(), e.producer(), e.eventType(), e.runId(), with(e.runFacets(), note), e.job(),
                    e.inputs(), e.outputs(), e.dataset(), e.warnings());
            case JOB -> new Event(e.kind(), e.eventTime(), e.producer(), e.eventType(), e.runId(), e.runFacets(),
                    new Event.Job(e.job().namespace(), e.job().name(), with(e.job().facets(), note)), e.inputs(), e.outputs(), e.dataset(),
                    e.warnings());
            case DATASET -> new Event(e.kind(), e.eventTime(), e.producer(), e.eventType(), e.runId(), e.runFacets(), e.job(), e.inputs(),
                    e.outputs(), new Event.Dataset(e.dataset().namespace(), e.dataset().name(), with(e.dataset().facets(), note)),
                    e.warnings());
        };
    }

    private static Map<String, Object> with(Map<String, Object> facets, Map<String, Object> more) {
        Map<String, Object> all = new LinkedHashMap<>(facets);
        all.putAll(more);
        return all;
    }

    private List<MetadataRecord> runEvent(Event e) {
        List<MetadataRecord> records = new ArrayList<>(2);
        Event.Job job = e.job();
        RunStatus status = status(e.eventType());
        RunRecord.Builder run = RunRecord.builder(job.namespace(), job.name(), status)
                .externalId(e.runId())
                .pipeline(job.name())
                .facets(e.runFacets())
                .jobFacets(job.facets());
        if (status == RunStatus.RUNNING) {
            run.startedAt(e.eventTime());
        } else {
            run.endedAt(e.eventTime());
        }
        RunRef parent = parent(e.runFacets());
        if (parent != null) {
            // the parent may not be known yet (events of a task can arrive before its DAG run's): record it as running
            // since at least this instant; its own events, whenever they come, complete it
            records.add(RunRecord.builder(parent.namespace(), parent.name(), RunStatus.RUNNING).externalId(parent.externalId())
                    .pipeline(parent.name()).startedAt(e.eventTime()).build());
            run.parent(parent);
        }
        String[] code = code(job.facets());
        if (code != null) {
            run.code(code[0], code[1].toLowerCase(java.util.Locale.ROOT));
        }
        e.inputs().forEach(d -> run.input(artifact(d, job.namespace(), e.eventTime())));
        e.outputs().forEach(d -> run.output(artifact(d, job.namespace(), e.eventTime())));
        records.add(run.build());
        return records;
    }

    /** A job event: the job's facets, and the datasets it declares as its static inputs and outputs. */
    private List<MetadataRecord> jobEvent(Event e) {
        Event.Job job = e.job();
        List<ArtifactRecord> inputs = e.inputs().stream().map(d -> artifact(d, job.namespace(), e.eventTime())).toList();
        List<ArtifactRecord> outputs = e.outputs().stream().map(d -> artifact(d, job.namespace(), e.eventTime())).toList();
        return List.of(new JobRecord(job.namespace(), job.name(), job.facets(), e.eventTime(), null, null, inputs, outputs));
    }

    static RunStatus status(String eventType) {
        if (eventType == null) {
            return RunStatus.RUNNING;
        }
        return switch (eventType) {
            case "COMPLETE" -> RunStatus.SUCCEEDED;
            case "FAIL" -> RunStatus.FAILED;
            case "ABORT" -> RunStatus.ABORTED;
            default -> RunStatus.RUNNING; // START, RUNNING, OTHER
        };
    }

    /**
     * A dataset as an artifact: namespaced like the job that saw it (or, for a dataset event, like the
     * dataset), created (at the latest) when first seen in an event; its facets are of this event's time.
     */
    private static ArtifactRecord artifact(Event.Dataset d, String namespace, Instant seen) {
        ArtifactRecord.Builder a = ArtifactRecord.builder(namespace, DatasetUris.uri(d.namespace(), d.name()))
                .name(d.name().length() > 200 ? d.name().substring(d.name().length() - 200) : d.name())
                .kind(ArtifactKind.DATASET)
                .createdAt(seen)
                .facets(d.facets());
        String version = nested(d.facets(), "version", "datasetVersion");
        if (version != null && DIGEST_TEXT.matcher(version).matches()) {
            a.digest("version:" + version);
        }
        String format = nested(d.facets(), "storage", "fileFormat");
        if (format != null && format.matches("[A-Za-z0-9._+-]{1,40}")) {
            a.mediaType(mediaType(format));
        }
        return a.build();
    }

    private static String mediaType(String fileFormat) {
        return switch (fileFormat.toLowerCase(java.util.Locale.ROOT)) {
            case "parquet" -> "application/vnd.apache.parquet";
            case "csv" -> "text/csv";
            case "json" -> "application/json";
            case "avro" -> "application/avro";
            case "orc" -> "application/x-orc";
            default -> "application/x-" + fileFormat.toLowerCase(java.util.Locale.ROOT);
        };
    }

    @SuppressWarnings("unchecked")
    private RunRef parent(Map<String, Object> runFacets) {
        if (!(runFacets.get("parent") instanceof Map<?, ?> parent)) {
            return null;
        }
        String runId = nested((Map<String, Object>) parent, "run", "runId");
        String namespace = nested((Map<String, Object>) parent, "job", "namespace");
        String name = nested((Map<String, Object>) parent, "job", "name");
        if (runId == null || namespace == null || name == null || namespace.isBlank() || name.isBlank()) {
            return null;
        }
        if (requireUuidRunIds ? !EventParser.isUuid(runId) : !storableRunId(runId)) {
            return null; // a malformed parent facet is kept as a facet, not followed
        }
        return RunRef.of(namespace, name, runId);
    }

    /** A run id the catalog can keep as an external id: not blank, no control characters or lone surrogates, at most 512 bytes of UTF-8. */
    private static boolean storableRunId(String runId) {
        if (runId.isBlank() || runId.length() > MAX_RUN_ID_BYTES
                || runId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_RUN_ID_BYTES) {
            return false;
        }
        for (int i = 0; i < runId.length(); i++) {
            char c = runId.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            // PostgreSQL cannot store a lone half of a surrogate pair
            if (Character.isHighSurrogate(c) ? i + 1 == runId.length() || !Character.isLowSurrogate(runId.charAt(++i))
                    : Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The repository and full commit a sourceCodeLocation facet names, or null. */
    @SuppressWarnings("unchecked")
    private static String[] code(Map<String, Object> jobFacets) {
        if (!(jobFacets.get("sourceCodeLocation") instanceof Map<?, ?> raw)) {
            return null;
        }
        Map<String, Object> location = (Map<String, Object>) raw;
        Object type = location.get("type");
        String repository = location.get("repoUrl") instanceof String r && !r.isBlank() ? r
                : location.get("url") instanceof String u && !u.isBlank() ? u : null;
        String version = location.get("version") instanceof String v ? v : null;
        if (repository == null || version == null || !FULL_SHA.matcher(version).matches()
                || (type instanceof String t && !t.equalsIgnoreCase("git"))) {
            return null;
        }
        return new String[]{repository, version};
    }

    @SuppressWarnings("unchecked")
    private static String nested(Map<String, Object> map, String outer, String inner) {
        return map.get(outer) instanceof Map<?, ?> m && ((Map<String, Object>) m).get(inner) instanceof String s ? s : null;
    }
}
