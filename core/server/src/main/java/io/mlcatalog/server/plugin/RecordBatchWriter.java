package io.mlcatalog.server.plugin;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.EdgeKind;
import io.mlcatalog.server.model.ErrorCode;
import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.store.PluginStore;
import io.mlcatalog.server.write.BatchRunWriter;
import io.mlcatalog.server.write.CatalogWriter;
import io.mlcatalog.server.write.RunSpec;
import io.mlcatalog.spi.Atomicity;
import io.mlcatalog.spi.InvalidRecordException;
import io.mlcatalog.spi.record.AliasRecord;
import io.mlcatalog.spi.record.ArtifactRecord;
import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.spi.record.DeploymentEndRecord;
import io.mlcatalog.spi.record.DeploymentStartRecord;
import io.mlcatalog.spi.record.JobRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import io.mlcatalog.spi.record.RunIoRecord;
import io.mlcatalog.spi.record.RunRecord;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a plugin instance's batch through the same {@link CatalogWriter} operations as the API, all in
 * one transaction with the checkpoints and the instance's status. Records are checked first; under
 * {@link Atomicity#PER_RECORD} each record runs inside a savepoint, so one that the database side refuses
 * (a run that is not recorded, a version that does not exist) is rolled back alone and reported.
 */
public final class RecordBatchWriter implements BatchWriter {
    private final Db db;
    private final CatalogWriter writer;
    private final BatchRunWriter batchRuns;
    private final PluginStore store;

    /** The namespaces each instance's configuration limits it to (an instance not named here may write anywhere). */
    private volatile Map<String, Access> instanceLimits = Map.of();

    public RecordBatchWriter(Db db, CatalogWriter writer, BatchRunWriter batchRuns, PluginStore store) {
        this.db = db;
        this.writer = writer;
        this.batchRuns = batchRuns;
        this.store = store;
    }

    /** The write a checked record stands for, to run in a transaction. */
    @FunctionalInterface
    interface Step {
        Future<?> apply(CatalogWriter writer, SqlConnection tx);
    }

    /** A run record's write: batched with the batch's other runs (see {@link BatchRunWriter}). */
    record RunStep(Source source, RunSpec spec) implements Step {
        @Override
        public Future<?> apply(CatalogWriter writer, SqlConnection tx) {
            return writer.upsertRun(tx, source, spec);
        }
    }

    /** One record, checked and ready to write in a transaction. */
    private record Op(int index, Step step) {
    }

    /** Transactions a deadlock or serialization failure ends are tried again, up to this many times in all. */
    static final int ATTEMPTS = 4;

    /** Limits each named instance to the namespaces of its configuration ({@code namespaces:}, {@code promote:}). */
    public void limitInstances(Map<String, Access> limits) {
        this.instanceLimits = Map.copyOf(limits);
    }

    /** What a write by {@code origin} may do: the sender's access within its instance's namespaces. */
    private Origin effective(Origin origin) {
        Access limit = instanceLimits.get(origin.instance());
        return limit == null ? origin : new Origin(origin.instance(), origin.actor(), origin.access().intersect(limit));
    }

    @Override
    public Result write(Origin origin, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                        Atomicity atomicity, Instant receivedAt) throws Exception {
        return write(effective(origin), records, java.util.Collections.nCopies(records.size(), receivedAt), checkpoints, atomicity, NOTHING_MORE);
    }

    @Override
    public Result write(String instance, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                        Atomicity atomicity, Instant receivedAt,
                        java.util.function.Function<SqlConnection, Future<Void>> alsoInTransaction) throws Exception {
        return write(effective(Origin.of(instance)), records, java.util.Collections.nCopies(records.size(), receivedAt), checkpoints, atomicity,
                alsoInTransaction);
    }

    private static final java.util.function.Function<SqlConnection, Future<Void>> NOTHING_MORE = tx -> Future.succeededFuture();

    @Override
    public Result write(Origin origin, List<MetadataRecord> records, List<Instant> receivedAt, Atomicity atomicity,
                        java.util.function.Function<SqlConnection, Future<Void>> alsoInTransaction) throws Exception {
        if (receivedAt.size() != records.size()) {
            throw new IllegalArgumentException(records.size() + " records, " + receivedAt.size() + " instants");
        }
        return write(effective(origin), records, receivedAt, Map.of(), atomicity, alsoInTransaction);
    }

    @Override
    public void validate(Origin origin, List<MetadataRecord> records, Instant receivedAt) throws InvalidRecordException {
        Origin o = effective(origin);
        for (int i = 0; i < records.size(); i++) {
            try {
                op(o, records.get(i), receivedAt);
            } catch (CatalogException e) {
                throw invalid(i, records.get(i), e);
            }
        }
    }

    private Result write(Origin origin, List<MetadataRecord> records, List<Instant> receivedAt,
                         Map<Map<String, String>, Map<String, String>> checkpoints, Atomicity atomicity,
                         java.util.function.Function<SqlConnection, Future<Void>> alsoInTransaction) throws Exception {
        List<Op> ops = new ArrayList<>(records.size());
        List<InvalidRecordException> rejected = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            try {
                ops.add(new Op(i, op(origin, records.get(i), receivedAt.get(i))));
            } catch (CatalogException e) {
                InvalidRecordException invalid = invalid(i, records.get(i), e);
                if (atomicity == Atomicity.ALL_OR_NOTHING) {
                    throw invalid;
                }
                rejected.add(invalid);
            }
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return writeOnce(origin.instance(), records, checkpoints, atomicity, ops, new ArrayList<>(rejected), alsoInTransaction);
            } catch (io.vertx.pgclient.PgException e) {
                // two writers took the same rows in another order, or serializable isolation refused one: the
                // transaction was rolled back whole, and writing it again is safe (every write is idempotent)
                boolean retriable = "40P01".equals(e.getSqlState()) || "40001".equals(e.getSqlState());
                if (!retriable || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private Result writeOnce(String instance, List<MetadataRecord> records, Map<Map<String, String>, Map<String, String>> checkpoints,
                             Atomicity atomicity, List<Op> ops, List<InvalidRecordException> rejected,
                             java.util.function.Function<SqlConnection, Future<Void>> alsoInTransaction) throws Exception {
        List<InvalidRecordException> refusedInDatabase = new ArrayList<>();
        // all-or-nothing batches write their runs together, in a fixed number of statements; per-record ones one by
        // one, each in a savepoint, so that one refused record is rolled back alone
        List<Op> runOps = atomicity == Atomicity.ALL_OR_NOTHING ? ops.stream().filter(o -> o.step() instanceof RunStep).toList() : List.of();
        List<Op> otherOps = atomicity == Atomicity.ALL_OR_NOTHING ? ops.stream().filter(o -> !(o.step() instanceof RunStep)).toList() : ops;
        try {
            SourceRunner.get(db.inTransaction(tx -> {
                Future<Void> chain = runOps.isEmpty() ? Future.succeededFuture()
                        : batchRuns.upsertRuns(tx, runOps.stream().map(o -> new BatchRunWriter.Item(((RunStep) o.step()).source(),
                        ((RunStep) o.step()).spec())).toList()).recover(e -> Future.failedFuture(e instanceof BatchRunWriter.ItemRefused r
                        ? new Refused(invalid(runOps.get(r.index()).index(), records.get(runOps.get(r.index()).index()), r.reason()))
                        : e instanceof CatalogException ce ? new Refused(invalid(runOps.get(0).index(), records.get(runOps.get(0).index()), ce))
                        : e));
                for (Op op : otherOps) {
                    chain = chain.compose(x -> atomicity == Atomicity.PER_RECORD
                            ? inSavepoint(tx, op, records, refusedInDatabase)
                            : op.step().apply(writer, tx).<Void>mapEmpty().recover(e -> Future.failedFuture(e instanceof CatalogException ce
                            ? new Refused(invalid(op.index(), records.get(op.index()), ce)) : e)));
                }
                return chain
                        .compose(x -> store.saveCheckpoints(tx, instance, checkpoints))
                        .compose(x -> alsoInTransaction.apply(tx))
                        .compose(x -> {
                            int refused = rejected.size() + refusedInDatabase.size();
                            String reason = refused == 0 ? null : refused + " record(s) rejected, the first: "
                                    + (rejected.isEmpty() ? refusedInDatabase : rejected).get(0).getMessage();
                            return store.succeeded(tx, instance, records.size() - refused, refused, reason);
                        });
            }));
        } catch (Refused r) {
            throw r.invalid;
        }
        rejected.addAll(refusedInDatabase);
        return new Result(records.size() - rejected.size(), rejected);
    }

    /** Carries an invalid record out of the transaction (which it rolls back). */
    private static final class Refused extends RuntimeException {
        final InvalidRecordException invalid;

        Refused(InvalidRecordException invalid) {
            super(invalid.getMessage(), null, false, false);
            this.invalid = invalid;
        }
    }

    private Future<Void> inSavepoint(SqlConnection tx, Op op, List<MetadataRecord> records, List<InvalidRecordException> refused) {
        return db.query(tx, "savepoint record", Tuple.tuple())
                .compose(x -> op.step().apply(writer, tx))
                .compose(x -> db.query(tx, "release savepoint record", Tuple.tuple()).<Void>mapEmpty())
                .recover(e -> {
                    if (!(e instanceof CatalogException ce)) {
                        return Future.failedFuture(e);
                    }
                    refused.add(invalid(op.index(), records.get(op.index()), ce));
                    return db.query(tx, "rollback to savepoint record", Tuple.tuple()).mapEmpty();
                });
    }

    /**
     * Checks a record (everything that needs no database) and returns the write it stands for.
     *
     * @throws CatalogException when the record is invalid
     */
    static Step op(Origin origin, MetadataRecord record, Instant receivedAt) {
        Instant observed = record.observedAt() != null ? record.observedAt() : receivedAt;
        Source source = new Source(origin.instance(), Times.normalize(RecordSpecs.time(observed), "observedAt"),
                Text.optionalName("externalId", record.externalId(), 1024), origin.actor(), origin.access());
        Access access = source.access();
        // Java 17 has no pattern matching in switch; the record types are a sealed set, so this is exhaustive
        if (record instanceof CodeVersionRecord r) {
            var spec = RecordSpecs.codeVersion(r);
            if (!access.writesAnywhere()) {
                throw Access.forbidden(null, "this sender may not write");
            }
            return (writer, tx) -> writer.upsertCodeVersion(tx, source, spec);
        }
        if (record instanceof ArtifactRecord r) {
            var spec = RecordSpecs.artifact("artifact", r);
            access.requireWrite(spec.namespace(), "namespace");
            return (writer, tx) -> writer.logArtifact(tx, source, spec);
        }
        if (record instanceof RunRecord r) {
            RunSpec spec = RecordSpecs.run(r);
            access.requireWrite(spec.namespace(), "namespace");
            for (int i = 0; i < spec.inputs().size(); i++) {
                access.requireWrite(spec.inputs().get(i).namespace(), "inputs[" + i + "].namespace");
            }
            for (int i = 0; i < spec.outputs().size(); i++) {
                access.requireWrite(spec.outputs().get(i).namespace(), "outputs[" + i + "].namespace");
            }
            return new RunStep(source, spec);
        }
        if (record instanceof RunIoRecord r) {
            var run = RecordSpecs.runKey("run", r.run());
            var artifact = RecordSpecs.artifact("artifact", r.artifact());
            access.requireWrite(artifact.namespace(), "artifact.namespace");
            EdgeKind kind = r.direction() == RunIoRecord.Direction.CONSUMED ? EdgeKind.CONSUMED : EdgeKind.PRODUCED;
            return (writer, tx) -> writer.linkArtifact(tx, source, run, "run", artifact, kind, r.awaitRun());
        }
        if (record instanceof ModelVersionRecord r) {
            var spec = RecordSpecs.modelVersion(r);
            access.requireWrite(spec.namespace(), "namespace");
            if (spec.artifact() != null) {
                access.requireWrite(spec.artifact().namespace(), "artifact.namespace");
            }
            var run = r.run() == null ? null : RecordSpecs.runKey("run", r.run());
            return (writer, tx) -> writer.registerModelVersion(tx, source, spec, run, "run", r.awaitRun());
        }
        if (record instanceof AliasRecord r) {
            OffsetDateTime at = RecordSpecs.time(r.at());
            if (r.namespace() != null) {
                access.requireWrite(r.namespace(), "namespace");
            }
            return r.version() == null
                    ? (writer, tx) -> writer.removeAlias(tx, source, r.namespace(), r.model(), r.alias(), at)
                    : (writer, tx) -> writer.setAlias(tx, source, r.namespace(), r.model(), r.alias(), r.version(), at);
        }
        if (record instanceof DeploymentStartRecord r) {
            var spec = RecordSpecs.deployment(r);
            access.requireWrite(spec.namespace(), "namespace");
            return (writer, tx) -> writer.startDeployment(tx, source, spec);
        }
        if (record instanceof DeploymentEndRecord r) {
            OffsetDateTime at = Times.normalize(RecordSpecs.time(r.endedAt()), "endedAt");
            String ns = Text.name("namespace", r.namespace(), Text.SHORT_NAME_BYTES);
            String env = Text.name("environment", r.environment(), Text.SHORT_NAME_BYTES);
            String target = Text.name("target", r.target(), Text.NAME_BYTES);
            DeploymentStatus status = r.failed() ? DeploymentStatus.FAILED : DeploymentStatus.ENDED;
            access.requireWrite(ns, "namespace");
            if (r.model() == null) {
                return (writer, tx) -> writer.endDeploymentsOn(tx, source, ns, env, target, at, status);
            }
            return (writer, tx) -> writer.endDeploymentOf(tx, source, ns, env, target, r.model(), r.version(), at, status);
        }
        if (record instanceof JobRecord r) {
            var facets = io.mlcatalog.server.write.JsonValues.object("facets", r.facets(),
                    io.mlcatalog.server.write.JsonValues.MAX_FACET_ELEMENTS);
            OffsetDateTime at = Times.normalize(RecordSpecs.time(r.at()), "at");
            Text.name("namespace", r.namespace(), Text.SHORT_NAME_BYTES);
            Text.name("name", r.name(), Text.NAME_BYTES);
            access.requireWrite(r.namespace(), "namespace");
            List<io.mlcatalog.server.write.ArtifactSpec> inputs = new ArrayList<>(r.inputs().size());
            List<io.mlcatalog.server.write.ArtifactSpec> outputs = new ArrayList<>(r.outputs().size());
            for (int i = 0; i < r.inputs().size(); i++) {
                inputs.add(RecordSpecs.artifact("inputs[" + i + "]", r.inputs().get(i)));
                access.requireWrite(inputs.get(i).namespace(), "inputs[" + i + "].namespace");
            }
            for (int i = 0; i < r.outputs().size(); i++) {
                outputs.add(RecordSpecs.artifact("outputs[" + i + "]", r.outputs().get(i)));
                access.requireWrite(outputs.get(i).namespace(), "outputs[" + i + "].namespace");
            }
            return (writer, tx) -> writer.putJob(tx, source, r.namespace(), r.name(), at, facets, inputs, outputs);
        }
        throw new IllegalArgumentException("unknown record type " + record.getClass().getName());
    }

    static InvalidRecordException invalid(int index, MetadataRecord record, CatalogException e) {
        String reason = record.getClass().getSimpleName() + ": " + e.getMessage()
                + (e.code() == ErrorCode.BAD_USER_INPUT ? "" : " (" + e.code() + ")");
        return e.code() == ErrorCode.FORBIDDEN ? new io.mlcatalog.spi.ForbiddenRecordException(index, e.field(), reason)
                : new InvalidRecordException(index, e.field(), reason);
    }
}
