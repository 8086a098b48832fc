package io.mlcatalog.plugins.mlflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * MLflow's SQL store read from its SQLite file ({@code mlflow.db}, MLflow's default store since 3.7), read-only, with
 * MLflow's own tables: {@code experiments}, {@code runs}, {@code params}, {@code tags}, {@code latest_metrics},
 * {@code datasets}/{@code inputs}/{@code input_tags}, {@code logged_models}, {@code registered_models},
 * {@code registered_model_aliases}, {@code model_versions} and their tags. Tables a database of an older MLflow lacks
 * (datasets before 2.4, logged models before 3.0) read as empty; the {@code workspace} column of newer ones is
 * filtered on. MLflow may write while this reads: SQLite serves a consistent snapshot per statement, and a locked
 * database is waited on for up to 10 s.
 */
final class SqlTracking implements Tracking {
    /** Statement parameters per IN list; SQLite allows far more, but the lists stay readable in its query plans. */
    private static final int IDS_PER_STATEMENT = 500;
    private final Path file;
    private final String workspace;

    SqlTracking(Path file, String workspace) {
        this.file = file;
        this.workspace = workspace;
    }

    @Override
    public String describe() {
        return "MLflow SQL store " + file;
    }

    /** One read-only connection per call, and what it finds of the schema. */
    private final class Db implements AutoCloseable {
        final Connection c;
        final Set<String> tables = new HashSet<>();
        final Map<String, Set<String>> columns = new HashMap<>();

        Db() throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new IOException(describe() + " not found: no such file");
            }
            try {
                org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
                config.setReadOnly(true);
                config.setBusyTimeout(10_000);
                // the driver itself, not DriverManager: that one only sees drivers of the server's class loader, not a plugin's
                c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file, config.toProperties());
                try (var s = c.createStatement(); ResultSet r = s.executeQuery("select name from sqlite_master where type = 'table'")) {
                    while (r.next()) {
                        tables.add(r.getString(1));
                    }
                }
            } catch (SQLException e) {
                close(); // a file that is no database opens, and fails on its first statement
                throw new IOException(describe() + " not readable: " + e.getMessage());
            }
            if (!tables.contains("experiments") || !tables.contains("runs")) {
                close();
                throw new IOException(describe() + " is not an MLflow database: it has no experiments and runs tables");
            }
        }

        boolean has(String table, String column) throws SQLException {
            if (!tables.contains(table)) {
                return false;
            }
            Set<String> cols = columns.get(table);
            if (cols == null) {
                cols = new HashSet<>();
                try (var s = c.createStatement(); ResultSet r = s.executeQuery("pragma table_info(" + table + ")")) {
                    while (r.next()) {
                        cols.add(r.getString("name"));
                    }
                }
                columns.put(table, cols);
            }
            return cols.contains(column);
        }

        /** {@code and <alias>.workspace = ?} where the table has workspaces (MLflow 3.9 on), else nothing. */
        String inWorkspace(String table, String alias, List<Object> params) throws SQLException {
            if (!has(table, "workspace")) {
                return "";
            }
            params.add(workspace);
            return " and " + alias + ".workspace = ?";
        }

        PreparedStatement prepare(String sql, List<?> params) throws SQLException {
            PreparedStatement s = c.prepareStatement(sql);
            for (int i = 0; i < params.size(); i++) {
                s.setObject(i + 1, params.get(i));
            }
            return s;
        }

        @Override
        public void close() {
            try {
                c.close();
            } catch (SQLException | NullPointerException ignored) {
                // nothing to release
            }
        }
    }

    private interface Read<T> {
        T apply(Db db) throws SQLException, IOException;
    }

    private <T> T read(String what, Read<T> read) throws IOException {
        try (Db db = new Db()) {
            return read.apply(db);
        } catch (SQLException e) {
            throw new IOException(describe() + ": reading " + what + " failed: " + e.getMessage());
        }
    }

    @Override
    public Listing<Experiment> experiments() throws IOException {
        return read("experiments", db -> {
            List<Object> params = new ArrayList<>();
            String sql = "select experiment_id, name, artifact_location, lifecycle_stage from experiments e where 1 = 1"
                    + db.inWorkspace("experiments", "e", params) + " order by experiment_id";
            List<Experiment> result = new ArrayList<>();
            try (PreparedStatement s = db.prepare(sql, params); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.add(new Experiment(r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
                }
            }
            return Listing.of(result);
        });
    }

    private static final String RUN_COLUMNS = "run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage";

    @Override
    public Listing<Run> runs(Experiment experiment, long start, String afterId, int limit) throws IOException {
        return read("the runs of experiment " + experiment.id(), db -> {
            Map<String, Object[]> rows = new LinkedHashMap<>();
            String after = afterId == null ? "coalesce(start_time, 0) >= ?"
                    : "(coalesce(start_time, 0) > ? or coalesce(start_time, 0) = ? and run_uuid > ?)";
            List<Object> params = new ArrayList<>();
            params.add(experimentId(experiment));
            params.add(start);
            if (afterId != null) {
                params.add(start);
                params.add(afterId);
            }
            params.add(limit);
            try (PreparedStatement s = db.prepare("select " + RUN_COLUMNS + " from runs where experiment_id = ? and lifecycle_stage = 'active' "
                    + "and " + after + " order by coalesce(start_time, 0), run_uuid limit ?", params); ResultSet r = s.executeQuery()) {
                collect(r, rows);
            }
            return Listing.of(runs(db, rows));
        });
    }

    @Override
    public Listing<Run> runsById(Experiment experiment, Set<String> ids) throws IOException {
        return read("runs of experiment " + experiment.id(), db -> {
            Map<String, Object[]> rows = new LinkedHashMap<>();
            for (List<String> chunk : chunks(ids)) {
                List<Object> params = new ArrayList<>(chunk);
                params.add(experimentId(experiment));
                try (PreparedStatement s = db.prepare("select " + RUN_COLUMNS + " from runs where run_uuid in (" + marks(chunk.size())
                        + ") and experiment_id = ? and lifecycle_stage = 'active'", params); ResultSet r = s.executeQuery()) {
                    collect(r, rows);
                }
            }
            return Listing.of(runs(db, rows));
        });
    }

    @Override
    public Optional<Run> run(String id) throws IOException {
        return read("run " + id, db -> {
            Map<String, Object[]> rows = new LinkedHashMap<>();
            try (PreparedStatement s = db.prepare("select " + RUN_COLUMNS + " from runs where run_uuid = ? and lifecycle_stage = 'active'",
                    List.of(id)); ResultSet r = s.executeQuery()) {
                collect(r, rows);
            }
            return runs(db, rows).stream().findFirst();
        });
    }

    private static void collect(ResultSet r, Map<String, Object[]> rows) throws SQLException {
        while (r.next()) {
            Object[] row = new Object[9];
            for (int i = 0; i < row.length; i++) {
                row[i] = r.getObject(i + 1);
            }
            rows.put(r.getString(1), row);
        }
    }

    /** The runs of these rows, with their params, tags, latest metrics and datasets, in a few statements per 500 runs. */
    private List<Run> runs(Db db, Map<String, Object[]> rows) throws SQLException {
        Map<String, Map<String, String>> params = new HashMap<>();
        Map<String, Map<String, String>> tags = new HashMap<>();
        Map<String, Map<String, Double>> metrics = new HashMap<>();
        Map<String, List<DatasetInput>> datasets = new HashMap<>();
        for (List<String> ids : chunks(rows.keySet())) {
            String in = "(" + marks(ids.size()) + ")";
            try (PreparedStatement s = db.prepare("select run_uuid, key, value from params where run_uuid in " + in, ids);
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    params.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>()).put(r.getString(2), nonNull(r.getString(3)));
                }
            }
            try (PreparedStatement s = db.prepare("select run_uuid, key, value from tags where run_uuid in " + in, ids);
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    tags.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>()).put(r.getString(2), nonNull(r.getString(3)));
                }
            }
            try (PreparedStatement s = db.prepare("select run_uuid, key, value, is_nan from latest_metrics where run_uuid in " + in, ids);
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    // MLflow keeps NaN as 0 with is_nan set
                    metrics.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>())
                            .put(r.getString(2), r.getBoolean(4) ? Double.NaN : r.getDouble(3));
                }
            }
            if (db.tables.contains("inputs") && db.tables.contains("datasets")) {
                String context = db.tables.contains("input_tags")
                        ? "(select t.value from input_tags t where t.input_uuid = i.input_uuid and t.name = 'mlflow.data.context')" : "null";
                try (PreparedStatement s = db.prepare("select i.destination_id, d.name, d.digest, d.dataset_source_type, d.dataset_source, "
                        + "d.dataset_schema, d.dataset_profile, " + context + " from inputs i join datasets d on d.dataset_uuid = i.source_id "
                        + "where i.source_type = 'DATASET' and i.destination_type = 'RUN' and i.destination_id in " + in
                        + " order by d.name, d.digest", ids); ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        datasets.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(new DatasetInput(r.getString(2), r.getString(3),
                                r.getString(4), r.getString(5), r.getString(6), r.getString(7), r.getString(8)));
                    }
                }
            }
        }
        List<Run> runs = new ArrayList<>();
        for (Object[] row : rows.values()) {
            String id = (String) row[0];
            runs.add(new Run(id, String.valueOf(row[1]), (String) row[2], (String) row[3], (String) row[4], asLong(row[5]), asLong(row[6]),
                    (String) row[7], (String) row[8], params.getOrDefault(id, Map.of()), metrics.getOrDefault(id, Map.of()),
                    tags.getOrDefault(id, Map.of()), datasets.getOrDefault(id, List.of())));
        }
        return runs;
    }

    @Override
    public Listing<LoggedModel> loggedModels(Experiment experiment, long updatedFrom) throws IOException {
        return read("the logged models of experiment " + experiment.id(), db -> {
            if (!db.tables.contains("logged_models")) {
                return Listing.<LoggedModel>of(List.of()); // before MLflow 3
            }
            Map<String, Map<String, String>> params = new HashMap<>();
            if (db.tables.contains("logged_model_params")) {
                try (PreparedStatement s = db.prepare("select p.model_id, p.param_key, p.param_value from logged_model_params p join logged_models m "
                        + "on m.model_id = p.model_id where m.experiment_id = ? and m.last_updated_timestamp_ms >= ?",
                        List.of(experimentId(experiment), updatedFrom)); ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        params.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>()).put(r.getString(2), nonNull(r.getString(3)));
                    }
                }
            }
            List<LoggedModel> models = new ArrayList<>();
            try (PreparedStatement s = db.prepare("select model_id, experiment_id, name, artifact_location, creation_timestamp_ms, "
                    + "last_updated_timestamp_ms, source_run_id, status, model_type, lifecycle_stage from logged_models "
                    + "where experiment_id = ? and last_updated_timestamp_ms >= ? order by last_updated_timestamp_ms, model_id",
                    List.of(experimentId(experiment), updatedFrom)); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    models.add(new LoggedModel(r.getString(1), r.getString(2), r.getString(3), r.getString(4), asLong(r.getObject(5)),
                            asLong(r.getObject(6)), r.getString(7), loggedModelStatus(r.getObject(8)), r.getString(9), r.getString(10),
                            params.getOrDefault(r.getString(1), Map.of())));
                }
            }
            return Listing.of(models);
        });
    }

    @Override
    public Optional<LoggedModel> loggedModel(String id) throws IOException {
        return read("logged model " + id, db -> {
            if (!db.tables.contains("logged_models")) {
                return Optional.<LoggedModel>empty();
            }
            try (PreparedStatement s = db.prepare("select model_id, experiment_id, name, artifact_location, creation_timestamp_ms, "
                    + "last_updated_timestamp_ms, source_run_id, status, model_type, lifecycle_stage from logged_models where model_id = ?",
                    List.of(id)); ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new LoggedModel(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                        asLong(r.getObject(5)), asLong(r.getObject(6)), r.getString(7), loggedModelStatus(r.getObject(8)), r.getString(9),
                        r.getString(10), Map.of())) : Optional.<LoggedModel>empty();
            }
        });
    }

    /** MLflow stores a logged model's status as a number: 0 unspecified, 1 pending, 2 ready, 3 failed. */
    static String loggedModelStatus(Object status) {
        String s = status == null ? "" : status.toString();
        return switch (s) {
            case "1" -> "PENDING";
            case "2" -> "READY";
            case "3" -> "FAILED";
            default -> "UNSPECIFIED";
        };
    }

    @Override
    public Listing<RegisteredModel> registeredModels() throws IOException {
        return read("the registered models", db -> {
            if (!db.tables.contains("registered_models")) {
                return Listing.<RegisteredModel>of(List.of());
            }
            Map<String, Map<String, String>> aliases = new HashMap<>();
            Map<String, Map<String, String>> tags = new HashMap<>();
            if (db.tables.contains("registered_model_aliases")) {
                List<Object> params = new ArrayList<>();
                String where = db.inWorkspace("registered_model_aliases", "a", params);
                try (PreparedStatement s = db.prepare("select a.name, a.alias, a.version from registered_model_aliases a where 1 = 1" + where,
                        params); ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        aliases.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>()).put(r.getString(2), r.getString(3));
                    }
                }
            }
            if (db.tables.contains("registered_model_tags")) {
                List<Object> params = new ArrayList<>();
                String where = db.inWorkspace("registered_model_tags", "t", params);
                try (PreparedStatement s = db.prepare("select t.name, t.key, t.value from registered_model_tags t where 1 = 1" + where, params);
                     ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        tags.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>()).put(r.getString(2), nonNull(r.getString(3)));
                    }
                }
            }
            List<Object> params = new ArrayList<>();
            String where = db.inWorkspace("registered_models", "m", params);
            List<RegisteredModel> models = new ArrayList<>();
            try (PreparedStatement s = db.prepare("select m.name from registered_models m where 1 = 1" + where + " order by m.name", params);
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String name = r.getString(1);
                    models.add(new RegisteredModel(name, aliases.getOrDefault(name, Map.of()), tags.getOrDefault(name, Map.of())));
                }
            }
            return Listing.of(models);
        });
    }

    @Override
    public Listing<ModelVersion> modelVersions() throws IOException {
        return read("the model versions", db -> {
            if (!db.tables.contains("model_versions")) {
                return Listing.<ModelVersion>of(List.of());
            }
            Map<String, Map<String, String>> tags = new HashMap<>();
            if (db.tables.contains("model_version_tags")) {
                List<Object> params = new ArrayList<>();
                String where = db.inWorkspace("model_version_tags", "t", params);
                try (PreparedStatement s = db.prepare("select t.name, t.version, t.key, t.value from model_version_tags t where 1 = 1" + where,
                        params); ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        tags.computeIfAbsent(r.getString(1) + "/" + r.getString(2), k -> new LinkedHashMap<>())
                                .put(r.getString(3), nonNull(r.getString(4)));
                    }
                }
            }
            String storage = db.has("model_versions", "storage_location") ? "v.storage_location" : "null";
            List<Object> params = new ArrayList<>();
            String where = db.inWorkspace("model_versions", "v", params);
            List<ModelVersion> versions = new ArrayList<>();
            try (PreparedStatement s = db.prepare("select v.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, "
                    + "v.current_stage, v.source, " + storage + ", v.run_id, v.status from model_versions v "
                    + "where 1 = 1" + where + " order by v.name, v.version", params);
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String key = r.getString(1) + "/" + r.getString(2);
                    Long created = asLong(r.getObject(3));
                    Long updated = asLong(r.getObject(4));
                    versions.add(new ModelVersion(r.getString(1), r.getString(2), created, updated == null ? created : updated, r.getString(5),
                            r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getString(10), r.getString(11),
                            tags.getOrDefault(key, Map.of())));
                }
            }
            return Listing.of(versions);
        });
    }

    private static Object experimentId(Experiment e) {
        try {
            return Long.parseLong(e.id());
        } catch (NumberFormatException x) {
            return e.id();
        }
    }

    private static List<List<String>> chunks(Collection<String> ids) {
        List<String> all = new ArrayList<>(ids);
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IDS_PER_STATEMENT) {
            chunks.add(all.subList(i, Math.min(all.size(), i + IDS_PER_STATEMENT)));
        }
        return chunks;
    }

    private static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static Long asLong(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(o.toString().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
