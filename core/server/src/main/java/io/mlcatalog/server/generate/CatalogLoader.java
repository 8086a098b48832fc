package io.mlcatalog.server.generate;

import io.mlcatalog.server.generate.SyntheticCatalog.AliasEventRow;
import io.mlcatalog.server.generate.SyntheticCatalog.AliasRow;
import io.mlcatalog.server.generate.SyntheticCatalog.ArtifactRow;
import io.mlcatalog.server.generate.SyntheticCatalog.ChangeRow;
import io.mlcatalog.server.generate.SyntheticCatalog.CodeVersionRow;
import io.mlcatalog.server.generate.SyntheticCatalog.DeploymentRow;
import io.mlcatalog.server.generate.SyntheticCatalog.ModelRow;
import io.mlcatalog.server.generate.SyntheticCatalog.RunRow;
import io.mlcatalog.server.generate.SyntheticCatalog.TagRow;
import io.mlcatalog.server.generate.SyntheticCatalog.VersionRow;
import io.mlcatalog.server.model.EdgeKind;
import org.postgresql.copy.CopyManager;

import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import static io.mlcatalog.server.generate.SyntheticCatalog.SOURCE;

/**
 * Writes a {@link SyntheticCatalog} into the catalog's tables with COPY, parents before children
 * (the foreign keys are checked as rows arrive). Runs in the caller's transaction.
 */
final class CatalogLoader {
    /** The catalog's data tables, in the order they are loaded. */
    static final List<String> TABLES = List.of("namespace", "code_version", "run", "artifact", "model", "model_version",
            "alias_event", "alias", "deployment", "tag", "lineage_edge", "assertion", "change_log");

    /** Told about each table as it is written. */
    interface Progress {
        void table(String table, long rows, long nanos);
    }

    private final CopyManager copy;
    private final SyntheticCatalog c;
    private final boolean freeze;
    private final Progress progress;

    CatalogLoader(CopyManager copy, SyntheticCatalog catalog, boolean freeze, Progress progress) {
        this.copy = copy;
        this.c = catalog;
        this.freeze = freeze;
        this.progress = progress;
    }

    private interface Rows {
        void write(CopyWriter w) throws SQLException;
    }

    private void table(String table, List<String> columns, Rows rows) throws SQLException {
        long start = System.nanoTime();
        long stored;
        try (CopyWriter w = CopyWriter.open(copy, table, columns, freeze)) {
            rows.write(w);
            stored = w.finish();
        }
        progress.table(table, stored, System.nanoTime() - start);
    }

    void load() throws SQLException {
        table("namespace", List.of("name", "created_at"), w -> {
            for (String ns : c.namespaces()) {
                w.text(ns).time(Workload.START - 400 * Workload.DAY).endRow();
            }
        });
        table("code_version", List.of("id", "repository", "commit_sha", "branches", "tags", "author", "message", "committed_at", "created_at"), w -> {
            for (CodeVersionRow r : c.codeVersions()) {
                w.uuid(r.id()).text(r.repository()).text(r.commit()).words(r.branches()).words(r.tags()).text(r.author()).text(r.message())
                        .time(r.committedAt()).time(r.createdAt()).endRow();
            }
        });
        table("run", List.of("id", "namespace", "name", "external_id", "pipeline", "status", "status_at", "started_at", "ended_at",
                "run_user", "params", "metrics", "code_version_id", "parent_id", "created_at", "updated_at"), w -> {
            for (RunRow r : c.runs()) {
                w.uuid(r.id()).text(c.namespaces().get(r.namespace())).text(r.name()).text(r.externalId()).text(r.pipeline())
                        .text(r.status().name()).time(r.statusAt()).time(r.startedAt()).time(r.endedAt()).text(r.user())
                        .text(r.params()).text(r.metrics()).uuid(r.codeVersion() < 0 ? null : c.codeVersions().get(r.codeVersion()).id())
                        .nil().time(r.createdAt()).time(r.updatedAt()).endRow();
            }
        });
        table("artifact", List.of("id", "namespace", "name", "uri", "digest", "size_bytes", "media_type", "kind", "created_at"), w -> {
            for (ArtifactRow a : c.artifacts()) {
                w.uuid(a.id()).text(c.namespaces().get(a.namespace())).text(a.name()).text(a.uri()).text(a.digest());
                if (a.sizeBytes() > 0) {
                    w.number(a.sizeBytes());
                } else {
                    w.nil();
                }
                w.text(a.mediaType()).text(a.kind().name()).time(a.createdAt()).endRow();
            }
        });
        table("model", List.of("id", "namespace", "name", "description", "created_at"), w -> {
            for (ModelRow m : c.models()) {
                w.uuid(m.id()).text(c.namespaces().get(m.namespace())).text(m.name()).text(m.description()).time(m.createdAt()).endRow();
            }
        });
        table("model_version", List.of("id", "model_id", "version", "version_number", "status", "description", "artifact_id", "run_id",
                "created_at"), w -> {
            for (VersionRow v : c.versions()) {
                w.uuid(v.id()).uuid(c.models().get(v.model()).id()).text(v.version()).number(v.number()).text("READY").text(v.description())
                        .uuid(c.artifacts().get(v.artifact()).id()).uuid(c.runs().get(v.run()).id()).time(v.createdAt()).endRow();
            }
        });
        table("alias_event", List.of("model_id", "name", "at", "model_version_id", "set_by"), w -> {
            for (AliasEventRow e : c.aliasEvents()) {
                w.uuid(c.models().get(e.model()).id()).text(e.name()).time(e.at()).uuid(e.version() < 0 ? null : c.versions().get(e.version()).id())
                        .text(SOURCE).endRow();
            }
        });
        table("alias", List.of("model_id", "name", "model_version_id", "since", "until", "set_by"), w -> {
            for (AliasRow a : c.aliases()) {
                w.uuid(c.models().get(a.model()).id()).text(a.name()).uuid(c.versions().get(a.version()).id()).time(a.since()).time(a.until())
                        .text(SOURCE).endRow();
            }
        });
        table("deployment", List.of("id", "namespace", "environment", "target", "model_version_id", "status", "traffic_percent", "replicas",
                "config", "deployed_by", "started_at", "ended_at"), w -> {
            for (DeploymentRow d : c.deployments()) {
                w.uuid(d.id()).text(c.namespaces().get(d.namespace())).text(d.environment()).text(d.target())
                        .uuid(c.versions().get(d.version()).id()).text(d.status().name()).number(d.trafficPercent()).number(d.replicas())
                        .text(d.config()).text(d.deployedBy()).time(d.startedAt()).time(d.endedAt()).endRow();
            }
        });
        table("tag", List.of("entity_id", "key", "value"), w -> {
            for (TagRow t : c.tags()) {
                w.uuid(t.entity()).text(t.key()).text(t.value()).endRow();
            }
        });
        table("lineage_edge", List.of("id", "from_id", "from_type", "to_id", "to_type", "kind", "since", "until", "created_at"), w -> {
            SqlConsumer<SyntheticCatalog.EdgeRow> each = e -> {
                EdgeKind k = e.kind();
                w.uuid(e.id()).uuid(e.from()).text(k.from().dbName()).uuid(e.to()).text(k.to().dbName()).text(k.name()).time(e.since())
                        .time(e.until()).time(e.createdAt()).endRow();
            };
            forEachEdge(each);
        });
        table("assertion", List.of("subject_id", "source", "external_id", "observed_at"), w -> {
            for (CodeVersionRow r : c.codeVersions()) {
                assertion(w, r.id(), null, r.createdAt());
            }
            for (RunRow r : c.runs()) {
                assertion(w, r.id(), r.externalId(), r.createdAt());
            }
            for (ArtifactRow a : c.artifacts()) {
                assertion(w, a.id(), null, a.createdAt());
            }
            for (ModelRow m : c.models()) {
                assertion(w, m.id(), null, m.createdAt());
            }
            for (VersionRow v : c.versions()) {
                assertion(w, v.id(), null, v.createdAt());
            }
            for (DeploymentRow d : c.deployments()) {
                assertion(w, d.id(), null, d.startedAt());
            }
            forEachEdge(e -> assertion(w, e.id(), null, e.createdAt()));
        });
        table("change_log", List.of("at", "actor", "entity_id", "entity_type", "action", "before", "after"), w -> {
            for (ChangeRow ch : c.changes()) {
                w.time(ch.at()).text(SOURCE).uuid(ch.entity()).text(ch.type().dbName()).text(ch.action()).text(ch.before()).text(ch.after())
                        .endRow();
            }
        });
    }

    private static void assertion(CopyWriter w, UUID subject, String externalId, long observedAt) throws SQLException {
        w.uuid(subject).text(SOURCE).text(externalId).time(observedAt).endRow();
    }

    private interface SqlConsumer<T> {
        void accept(T t) throws SQLException;
    }

    /** {@link SyntheticCatalog#forEachEdge} for a sink that throws SQLException. */
    private void forEachEdge(SqlConsumer<SyntheticCatalog.EdgeRow> sink) throws SQLException {
        try {
            c.forEachEdge(e -> {
                try {
                    sink.accept(e);
                } catch (SQLException x) {
                    throw new Wrapped(x);
                }
            });
        } catch (Wrapped w) {
            throw w.cause;
        }
    }

    private static final class Wrapped extends RuntimeException {
        final SQLException cause;

        Wrapped(SQLException cause) {
            super(cause);
            this.cause = cause;
        }
    }
}
