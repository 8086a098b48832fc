package io.mlcatalog.server.write;

import io.mlcatalog.server.model.Artifact;
import io.mlcatalog.server.model.CodeVersion;
import io.mlcatalog.server.model.Deployment;
import io.mlcatalog.server.model.Model;
import io.mlcatalog.server.model.ModelVersion;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Tag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the change log records of each entity: the fields a client can see. Two states with equal
 * snapshots are the same state, which is how a repeated write is recognized as changing nothing.
 */
final class Snapshots {
    private Snapshots() {
    }

    static Map<String, Object> of(CodeVersion c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", c.repository());
        m.put("commit", c.commit());
        m.put("branches", c.branches());
        m.put("tags", c.tags());
        m.put("author", c.author());
        m.put("message", c.message());
        m.put("committedAt", c.committedAt());
        return m;
    }

    static Map<String, Object> of(Artifact a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", a.namespace());
        m.put("name", a.name());
        m.put("uri", a.uri());
        m.put("digest", a.digest());
        m.put("sizeBytes", a.sizeBytes());
        m.put("mediaType", a.mediaType());
        m.put("kind", a.kind());
        m.put("createdAt", a.createdAt());
        if (a.goneAt() != null) {
            m.put("goneAt", a.goneAt()); // only when gone: what the log showed of a present artifact stays as it was
        }
        return m;
    }

    static Map<String, Object> of(Model model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", model.namespace());
        m.put("name", model.name());
        m.put("description", model.description());
        m.put("createdAt", model.createdAt());
        return m;
    }

    static Map<String, Object> of(ModelVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", gid(NodeType.MODEL, v.modelId()));
        m.put("version", v.version());
        m.put("status", v.status());
        m.put("description", v.description());
        m.put("artifact", gid(NodeType.ARTIFACT, v.artifactId()));
        m.put("run", gid(NodeType.RUN, v.runId()));
        m.put("createdAt", v.createdAt());
        return m;
    }

    static Map<String, Object> of(Deployment d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", d.namespace());
        m.put("environment", d.environment());
        m.put("target", d.target());
        m.put("modelVersion", gid(NodeType.MODEL_VERSION, d.modelVersionId()));
        m.put("status", d.status());
        m.put("trafficPercent", d.trafficPercent());
        m.put("replicas", d.replicas());
        m.put("config", d.config());
        m.put("deployedBy", d.deployedBy());
        m.put("startedAt", d.startedAt());
        m.put("endedAt", d.endedAt());
        return m;
    }

    static String gid(NodeType type, java.util.UUID id) {
        return id == null ? null : GlobalId.of(type, id);
    }

    static Map<String, Object> of(List<Tag> tags) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Tag t : tags) {
            m.put(t.key(), t.value());
        }
        return Map.of("tags", m);
    }
}
