package io.mlcatalog.server.write;

import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.CodeVersion;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.store.LineageStore.Edge;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * How an assertion combines with what is stored, for code versions, artifacts and a run's edges: one
 * rule, used by the one-at-a-time writes and by the batched ones alike. Every rule is commutative, so
 * the result never depends on the order assertions arrive in.
 */
final class Merges {
    private Merges() {
    }

    static CodeVersion codeVersion(CodeVersionSpec spec, OffsetDateTime observedAt) {
        return new CodeVersion(spec.id(), spec.repository(), spec.commit(), spec.branches(), spec.tags(), spec.author(), spec.message(),
                spec.committedAt(), observedAt);
    }

    /** Branches and tags are unions (a commit once on a branch stays recorded there); other fields fill in what was unknown. */
    static CodeVersion codeVersion(CodeVersion old, CodeVersionSpec spec) {
        return new CodeVersion(old.id(), old.repository(), old.commit(), union(old.branches(), spec.branches()),
                union(old.tags(), spec.tags()), first(old.author(), spec.author()), first(old.message(), spec.message()),
                first(old.committedAt(), spec.committedAt()), old.createdAt());
    }

    /** A new artifact row: seen at {@code observedAt}, or, for a gone assertion, never seen and gone since its time. */
    static Artifact artifact(ArtifactSpec spec, OffsetDateTime observedAt) {
        return new Artifact(spec.id(), spec.namespace(), spec.name(), spec.uri(), spec.digest(), spec.sizeBytes(), spec.mediaType(),
                spec.kind(), spec.createdAt() != null ? spec.createdAt() : observedAt, spec.goneAt(), spec.gone() ? null : observedAt);
    }

    /**
     * An artifact is immutable content: later assertions only fill in what was unknown (and a specific kind
     * beats OTHER). Its namespace and name are those of the earliest assertion (ties: the smaller namespace),
     * so that where a dataset named by the jobs of two namespaces is filed does not depend on arrival order.
     */
    static Artifact artifact(Artifact old, ArtifactSpec spec, OffsetDateTime observedAt) {
        boolean earlier = filedEarlier(spec, old);
        OffsetDateTime seen = old.seenAt();
        OffsetDateTime gone = old.goneAt();
        if (spec.gone()) {
            // gone since the latest gone time after the latest presence: a gone time at or before it changes nothing
            if (seen == null || spec.goneAt().isAfter(seen)) {
                gone = latest(gone, spec.goneAt());
            }
        } else {
            seen = latest(seen, observedAt);
            if (gone != null && !gone.isAfter(seen)) {
                gone = null; // seen there again later than it went (a tie: present)
            }
        }
        return new Artifact(old.id(), earlier ? spec.namespace() : old.namespace(), earlier ? spec.name() : old.name(), old.uri(),
                old.digest(), first(old.sizeBytes(), spec.sizeBytes()), first(old.mediaType(), spec.mediaType()),
                old.kind() == ArtifactKind.OTHER ? spec.kind() : old.kind(), earliest(old.createdAt(), spec.createdAt()), gone, seen);
    }

    /**
     * Whether the merge moved only what the change log does not show: the time the artifact was last seen, which
     * every newer observation advances (written to its slot apart from the row, V16__artifact_seen.sql, and never
     * logged, so a re-observation is not a change).
     */
    static boolean seenLater(Artifact old, Artifact merged) {
        return merged.seenAt() != null && (old.seenAt() == null || merged.seenAt().isAfter(old.seenAt()));
    }

    static OffsetDateTime latest(OffsetDateTime a, OffsetDateTime b) {
        if (a == null) {
            return b;
        }
        return b == null || !b.isAfter(a) ? a : b;
    }

    private static boolean filedEarlier(ArtifactSpec spec, Artifact old) {
        if (spec.createdAt() == null || spec.namespace().equals(old.namespace())) {
            return false;
        }
        return spec.createdAt().isBefore(old.createdAt())
                || (spec.createdAt().isEqual(old.createdAt()) && spec.namespace().compareTo(old.namespace()) < 0);
    }

    /**
     * The edges a run assertion names: what the run consumed and produced, and its code. An edge holds
     * since the time the assertion gives it: an input or the code from the run's start, an output from its
     * end, or, where the assertion lacks that time, its own event time ({@link RunSpec#eventTime}: a running
     * run's start, a finished run's end). An edge named again keeps the earliest: a minimum over the
     * assertions, the same whatever order they arrive in, and never an arrival time unless an assertion
     * carries no time at all.
     */
    static List<Edge> runEdges(RunSpec spec, UUID runId, UUID codeVersionId, List<UUID> inputs, List<UUID> outputs,
                               OffsetDateTime observedAt) {
        OffsetDateTime at = spec.eventTime(observedAt);
        OffsetDateTime consumed = first(spec.startedAt(), at);
        OffsetDateTime produced = first(spec.endedAt(), at);
        List<Edge> edges = new ArrayList<>();
        inputs.forEach(a -> edges.add(new Edge(a, runId, EdgeKind.CONSUMED, consumed, null)));
        outputs.forEach(a -> edges.add(new Edge(runId, a, EdgeKind.PRODUCED, produced, null)));
        if (codeVersionId != null) {
            edges.add(new Edge(codeVersionId, runId, EdgeKind.BUILT_FROM, consumed, null));
        }
        return edges;
    }

    /** What the change log records when a write adds edges to an entity: the other ends, by kind. */
    static Map<String, Object> linked(UUID entityId, List<Edge> created) {
        Map<String, Object> after = new LinkedHashMap<>();
        for (Edge e : created) {
            boolean outgoing = e.from().equals(entityId);
            UUID other = outgoing ? e.to() : e.from();
            NodeType otherType = outgoing ? e.kind().to() : e.kind().from();
            @SuppressWarnings("unchecked")
            List<String> list = (List<String>) after.computeIfAbsent(e.kind().name(), k -> new ArrayList<String>());
            list.add(GlobalId.of(otherType, other));
        }
        return after;
    }

    static <T> T first(T existing, T incoming) {
        return existing != null ? existing : incoming;
    }

    static OffsetDateTime earliest(OffsetDateTime a, OffsetDateTime b) {
        if (a == null) {
            return b;
        }
        return b == null || !b.isBefore(a) ? a : b;
    }

    static List<String> union(List<String> a, List<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
