package io.mlcatalog.plugins.openlineage;

import io.mlcatalog.spi.IngestReceiver;
import io.mlcatalog.spi.ReceiverContext;
import io.mlcatalog.spi.ReceiverFactory;
import io.mlcatalog.spi.Setting;

import java.util.List;
import java.util.Optional;

/**
 * Receiver type {@code openlineage}. Mounted at {@code /api/v1/lineage} (where OpenLineage's HTTP
 * transport and Marquez clients post), so an existing integration needs only the catalog's URL; a
 * catalog without an instance configured runs one with these defaults.
 */
public final class OpenLineageReceiverFactory implements ReceiverFactory {
    static final String TYPE = "openlineage";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.optional("maxEventBytes", Setting.Type.INT, Integer.toString(4 * 1024 * 1024),
                        "the largest single event, in a batch as alone (a request as a whole is bounded by the instance's maxBodyBytes)"),
                Setting.optional("maxBatchEvents", Setting.Type.INT, "10000", "the most events one batch request may carry"),
                Setting.optional("requireUuidRunIds", Setting.Type.BOOLEAN, "false",
                        "refuse a run event whose run.runId is no UUID (the spec's format), instead of keeping its run under its job and that id"));
    }

    @Override
    public IngestReceiver create(ReceiverContext context) {
        return new OpenLineageReceiver(context, context.config().getInt("maxEventBytes"), context.config().getInt("maxBatchEvents"),
                context.config().getBoolean("requireUuidRunIds"));
    }

    @Override
    public Optional<String> defaultPath() {
        return Optional.of("/api/v1/lineage");
    }
}
