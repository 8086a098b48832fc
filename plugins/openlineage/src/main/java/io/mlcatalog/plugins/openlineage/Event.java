package io.mlcatalog.plugins.openlineage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An OpenLineage event, checked: a run event (with {@code run} and {@code job}), a dataset event (with
 * {@code dataset}), or a job event (with {@code job}, no run). Facets are kept as parsed JSON maps. {@code warnings}
 * are what the catalog assumed to accept it (an eventTime without an offset taken as UTC), told to the sender.
 */
record Event(Kind kind, Instant eventTime, String producer, String eventType, String runId, Map<String, Object> runFacets,
             Job job, List<Dataset> inputs, List<Dataset> outputs, Dataset dataset, List<String> warnings) {

    Event {
        warnings = List.copyOf(warnings);
    }

    enum Kind {
        RUN, DATASET, JOB
    }

    record Job(String namespace, String name, Map<String, Object> facets) {
    }

    record Dataset(String namespace, String name, Map<String, Object> facets) {
    }
}
