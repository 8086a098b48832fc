package io.mlcatalog.server.write;

import io.mlcatalog.server.model.Run;
import io.mlcatalog.server.model.RunStatus;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * How a run assertion combines with the run as stored. The rules make the result independent of
 * arrival order, so a late, older update never moves a run backwards:
 * <ul>
 *   <li>a status has an event time: {@code endedAt} for a terminal status, else {@code startedAt}, else when it was observed;</li>
 *   <li>a terminal status always beats RUNNING; between terminal statuses the earliest event wins
 *       (ties: the more alarming), so a run never leaves the first end it had;</li>
 *   <li>between RUNNING updates the latest event time is kept;</li>
 *   <li>{@code startedAt} is the earliest seen; params and metrics are merged key by key; other fields
 *       keep their value unless they had none.</li>
 * </ul>
 */
public final class RunMerge {
    private RunMerge() {
    }

    /** The run as first recorded from {@code spec}. */
    public static Run create(RunSpec spec, UUID codeVersionId, OffsetDateTime observedAt) {
        OffsetDateTime statusAt = eventTime(spec, observedAt);
        return new Run(spec.id(), spec.namespace(), spec.name(), spec.externalId(), spec.pipeline(), spec.status(), statusAt,
                spec.startedAt(), spec.status().terminal() ? statusAt : null, spec.user(), spec.params(), spec.metrics(),
                codeVersionId, spec.parentId(), observedAt, observedAt);
    }

    /** The stored run combined with a new assertion; equal to {@code old} (ignoring updatedAt) when it adds nothing. */
    public static Run merge(Run old, RunSpec spec, UUID codeVersionId, OffsetDateTime observedAt) {
        RunStatus status = old.status();
        OffsetDateTime statusAt = old.statusAt();
        OffsetDateTime endedAt = old.endedAt();
        OffsetDateTime newAt = eventTime(spec, observedAt);
        if (spec.status().terminal()) {
            boolean wins = !old.status().terminal()
                    || newAt.isBefore(old.statusAt())
                    || (newAt.isEqual(old.statusAt()) && spec.status().severity() > old.status().severity());
            if (wins) {
                status = spec.status();
                statusAt = newAt;
                endedAt = newAt;
            }
        } else if (!old.status().terminal() && newAt.isAfter(old.statusAt())) {
            statusAt = newAt;
        }
        return new Run(old.id(), old.namespace(), old.name(), old.externalId(), first(old.pipeline(), spec.pipeline()),
                status, statusAt, earliest(old.startedAt(), spec.startedAt()), endedAt, first(old.user(), spec.user()),
                mergeMaps(old.params(), spec.params()), mergeMaps(old.metrics(), spec.metrics()),
                first(old.codeVersionId(), codeVersionId), first(old.parentId(), spec.parentId()), old.createdAt(), old.updatedAt());
    }

    /** The fields of a run a client can see change, for the change log. */
    public static Map<String, Object> snapshot(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", r.namespace());
        m.put("name", r.name());
        m.put("externalId", r.externalId());
        m.put("pipeline", r.pipeline());
        m.put("status", r.status());
        m.put("startedAt", r.startedAt());
        m.put("endedAt", r.endedAt());
        m.put("user", r.user());
        m.put("params", r.params());
        m.put("metrics", r.metrics());
        m.put("codeVersion", Snapshots.gid(io.mlcatalog.server.model.NodeType.CODE_VERSION, r.codeVersionId()));
        m.put("parent", Snapshots.gid(io.mlcatalog.server.model.NodeType.RUN, r.parentId()));
        return m;
    }

    private static OffsetDateTime eventTime(RunSpec spec, OffsetDateTime observedAt) {
        return spec.eventTime(observedAt);
    }

    private static <T> T first(T existing, T incoming) {
        return existing != null ? existing : incoming;
    }

    private static OffsetDateTime earliest(OffsetDateTime a, OffsetDateTime b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }

    private static Map<String, Object> mergeMaps(Map<String, Object> old, Map<String, Object> incoming) {
        if (incoming.isEmpty()) {
            return old;
        }
        Map<String, Object> merged = new LinkedHashMap<>(old);
        merged.putAll(incoming);
        return merged;
    }
}
