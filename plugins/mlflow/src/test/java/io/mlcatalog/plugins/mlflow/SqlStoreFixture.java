package io.mlcatalog.plugins.mlflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a scenario as MLflow's SQL store in a SQLite file, with the tables and columns of MLflow 3.x's schema (as its
 * SQLAlchemy models and migrations define them, up to the logged-model tables; {@code workspaces} optional): statuses
 * as names, NaN metrics as 0 with {@code is_nan}, datasets linked to runs through {@code inputs}, deleted versions kept
 * with the stage {@code Deleted_Internal}.
 */
final class SqlStoreFixture {
    private static final String SCHEMA = """
            create table alembic_version (version_num varchar(32) not null primary key);
            create table experiments (experiment_id integer primary key autoincrement, name varchar(256) not null unique,
              artifact_location varchar(256), lifecycle_stage varchar(32), creation_time bigint, last_update_time bigint %1$s);
            create table experiment_tags (key varchar(250) not null, value varchar(5000), experiment_id integer not null
              references experiments(experiment_id), primary key (key, experiment_id));
            create table runs (run_uuid varchar(32) not null primary key, name varchar(250), source_type varchar(20),
              source_name varchar(500), entry_point_name varchar(50), user_id varchar(256), status varchar(9), start_time bigint,
              end_time bigint, source_version varchar(50), lifecycle_stage varchar(20), artifact_uri varchar(200),
              experiment_id integer references experiments(experiment_id), deleted_time bigint);
            create table params (key varchar(250) not null, value varchar(8000) not null, run_uuid varchar(32) not null
              references runs(run_uuid), primary key (key, run_uuid));
            create table tags (key varchar(250) not null, value varchar(8000), run_uuid varchar(32) not null references runs(run_uuid),
              primary key (key, run_uuid));
            create table metrics (key varchar(250) not null, value float not null, timestamp bigint not null, step bigint default 0 not null,
              is_nan boolean default 0 not null, run_uuid varchar(32) not null references runs(run_uuid),
              primary key (key, timestamp, step, run_uuid, value, is_nan));
            create table latest_metrics (key varchar(250) not null, value float not null, timestamp bigint, step bigint not null,
              is_nan boolean not null, run_uuid varchar(32) not null references runs(run_uuid), primary key (key, run_uuid));
            create table datasets (dataset_uuid varchar(36) not null, experiment_id integer not null references experiments(experiment_id),
              name varchar(500) not null, digest varchar(36) not null, dataset_source_type varchar(36) not null, dataset_source text not null,
              dataset_schema text, dataset_profile text, primary key (experiment_id, name, digest));
            create table inputs (input_uuid varchar(36) not null, source_type varchar(36) not null, source_id varchar(36) not null,
              destination_type varchar(36) not null, destination_id varchar(36) not null, step bigint default 0 not null,
              primary key (source_type, source_id, destination_type, destination_id));
            create table input_tags (input_uuid varchar(36) not null, name varchar(255) not null, value varchar(500) not null,
              primary key (input_uuid, name));
            create table logged_models (model_id varchar(36) not null primary key, experiment_id integer not null, name varchar(500) not null,
              artifact_location varchar(1000) not null, creation_timestamp_ms bigint not null, last_updated_timestamp_ms bigint not null,
              status integer not null, lifecycle_stage varchar(32), model_type varchar(500), source_run_id varchar(32),
              status_message varchar(1000));
            create table logged_model_params (model_id varchar(36) not null, experiment_id integer not null, param_key varchar(255) not null,
              param_value text not null, primary key (model_id, param_key));
            create table registered_models (name varchar(256) not null primary key, creation_time bigint, last_updated_time bigint,
              description varchar(5000) %1$s);
            create table registered_model_tags (key varchar(250) not null, value varchar(5000), name varchar(256) not null %1$s,
              primary key (key, name));
            create table registered_model_aliases (alias varchar(256) not null, version integer not null, name varchar(256) not null %1$s,
              primary key (name, alias));
            create table model_versions (name varchar(256) not null, version integer not null, creation_time bigint,
              last_updated_time bigint, description varchar(5000), user_id varchar(256), current_stage varchar(20), source varchar(500),
              run_id varchar(32), status varchar(20), status_message varchar(500), run_link varchar(500), storage_location varchar(500) %1$s,
              primary key (name, version));
            create table model_version_tags (key varchar(250) not null, value text, name varchar(256) not null, version integer not null %1$s,
              primary key (key, name, version));
            """;

    private SqlStoreFixture() {
    }

    static Path write(MlflowScenario s, Path file) throws Exception {
        return write(s, file, false);
    }

    /** Writes the scenario afresh; with {@code workspaces}, the tables carry MLflow's {@code workspace} column (all 'default'). */
    static Path write(MlflowScenario s, Path file, boolean workspaces) throws Exception {
        Files.deleteIfExists(file);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String ddl : SCHEMA.formatted(workspaces ? ", workspace varchar(63) not null default 'default'" : "").split(";")) {
                    if (!ddl.isBlank()) {
                        st.execute(ddl);
                    }
                }
                st.execute("insert into alembic_version values ('400f98739977')");
            }
            for (MlflowScenario.Experiment e : s.experiments) {
                exec(c, "insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) "
                        + "values (?, ?, ?, ?, ?, ?)", Long.parseLong(e.id()), e.name(), e.artifactLocation(), e.lifecycleStage(),
                        MlflowScenario.T0 - 90_000_000, MlflowScenario.T0);
            }
            for (MlflowScenario.Run r : s.runs) {
                exec(c, "insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, "
                        + "source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) values (?, ?, 'UNKNOWN', '', '', ?, ?, ?, ?, '', ?, ?, ?, ?)",
                        r.id, r.name, r.user, r.status, r.start, r.end, r.lifecycleStage, r.artifactUri(s), Long.parseLong(r.experimentId),
                        "deleted".equals(r.lifecycleStage) ? r.end : null);
                for (Map.Entry<String, String> p : r.params.entrySet()) {
                    exec(c, "insert into params values (?, ?, ?)", p.getKey(), p.getValue(), r.id);
                }
                for (Map.Entry<String, String> t : r.tags.entrySet()) {
                    exec(c, "insert into tags values (?, ?, ?)", t.getKey(), t.getValue(), r.id);
                }
                Map<String, MlflowScenario.Metric> latest = new java.util.HashMap<>();
                for (MlflowScenario.Metric m : r.metrics) {
                    boolean nan = Double.isNaN(m.value());
                    exec(c, "insert into metrics values (?, ?, ?, ?, ?, ?)", m.key(), nan ? 0.0 : m.value(), m.timestamp(), m.step(), nan, r.id);
                    latest.merge(m.key(), m, (a, b) -> compare(b, a) > 0 ? b : a);
                }
                for (MlflowScenario.Metric m : latest.values()) {
                    boolean nan = Double.isNaN(m.value());
                    exec(c, "insert into latest_metrics values (?, ?, ?, ?, ?, ?)", m.key(), nan ? 0.0 : m.value(), m.timestamp(), m.step(), nan, r.id);
                }
                for (MlflowScenario.Dataset d : r.datasets) {
                    String datasetId = UUID.nameUUIDFromBytes((r.experimentId + d.name() + d.digest()).getBytes()).toString().replace("-", "");
                    exec(c, "insert or ignore into datasets values (?, ?, ?, ?, ?, ?, ?, ?)", datasetId, Long.parseLong(r.experimentId), d.name(),
                            d.digest(), d.sourceType(), d.source(), d.schema(), d.profile());
                    String inputId = UUID.randomUUID().toString().replace("-", "");
                    exec(c, "insert into inputs values (?, 'DATASET', ?, 'RUN', ?, 0)", inputId, datasetId, r.id);
                    if (d.context() != null) {
                        exec(c, "insert into input_tags values (?, 'mlflow.data.context', ?)", inputId, d.context());
                    }
                }
            }
            for (MlflowScenario.LoggedModel m : s.loggedModels) {
                exec(c, "insert into logged_models values (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, null)", m.id(), Long.parseLong(m.experimentId()),
                        m.name(), m.artifactLocation(), m.created(), m.updated(), m.status(), m.modelType(), m.sourceRunId());
                exec(c, "insert into inputs values (?, 'RUN_OUTPUT', ?, 'MODEL_OUTPUT', ?, 0)", UUID.randomUUID().toString().replace("-", ""),
                        m.sourceRunId(), m.id());
                for (Map.Entry<String, String> p : m.params().entrySet()) {
                    exec(c, "insert into logged_model_params values (?, ?, ?, ?)", m.id(), Long.parseLong(m.experimentId()), p.getKey(), p.getValue());
                }
            }
            for (MlflowScenario.Model m : s.models) {
                exec(c, "insert into registered_models (name, creation_time, last_updated_time, description) values (?, ?, ?, null)",
                        m.name, m.created, m.created);
                for (Map.Entry<String, Integer> a : m.aliases.entrySet()) {
                    exec(c, "insert into registered_model_aliases (alias, version, name) values (?, ?, ?)", a.getKey(), a.getValue(), m.name);
                }
                for (Map.Entry<String, String> t : m.tags.entrySet()) {
                    exec(c, "insert into registered_model_tags (key, value, name) values (?, ?, ?)", t.getKey(), t.getValue(), m.name);
                }
            }
            for (MlflowScenario.Version v : s.versions) {
                exec(c, "insert into model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, "
                        + "source, run_id, status, status_message, run_link, storage_location) values (?, ?, ?, ?, ?, null, ?, ?, ?, ?, null, '', ?)",
                        v.model(), v.version(), v.created(), v.updated(), v.description(), v.stage(), v.source(), v.runId(), v.status(),
                        v.storageLocation());
                for (Map.Entry<String, String> t : v.tags().entrySet()) {
                    exec(c, "insert into model_version_tags (key, value, name, version) values (?, ?, ?, ?)", t.getKey(), t.getValue(), v.model(),
                            v.version());
                }
            }
            c.commit();
        }
        return file;
    }

    /** MLflow's order of a metric's values: step, then timestamp, then value. */
    static int compare(MlflowScenario.Metric a, MlflowScenario.Metric b) {
        int c = Long.compare(a.step(), b.step());
        if (c == 0) {
            c = Long.compare(a.timestamp(), b.timestamp());
        }
        return c != 0 ? c : Double.compare(a.value(), b.value());
    }

    static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }
}
