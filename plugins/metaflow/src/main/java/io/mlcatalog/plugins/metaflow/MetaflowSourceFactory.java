package io.mlcatalog.plugins.metaflow;

import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.PluginConfigException;
import io.mlcatalog.spi.Setting;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.SourceFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * Creates {@code metaflow} sources. Whether the datastore is there is found out by each poll (a volume may be mounted
 * later), not here.
 */
public final class MetaflowSourceFactory implements SourceFactory {
    public static final String TYPE = "metaflow";
    static final String ROOT = "root";
    static final String NAMESPACE = "namespace";
    static final String FLOWS = "flows";

    private static final List<Setting> SETTINGS = List.of(
            Setting.required(ROOT, Setting.Type.STRING, "the local datastore: its .metaflow folder, or the folder holding it"),
            Setting.optional(NAMESPACE, Setting.Type.STRING, "default", "the catalog namespace of the runs and artifacts"),
            Setting.optional(FLOWS, Setting.Type.LIST, "", "the flows to read (default: every flow of the datastore)"));

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Setting> settings() {
        return SETTINGS;
    }

    @Override
    public IngestSource create(SourceContext context) {
        String root = context.config().require(ROOT).strip();
        if (root.isEmpty()) {
            throw new PluginConfigException(ROOT, "must not be blank");
        }
        String namespace = context.config().require(NAMESPACE).strip();
        if (namespace.isEmpty()) {
            throw new PluginConfigException(NAMESPACE, "must not be blank");
        }
        List<String> flows = context.config().getList(FLOWS).stream().map(String::strip).filter(f -> !f.isEmpty()).toList();
        return new MetaflowSource(context, new LocalDatastore(Path.of(root).toAbsolutePath().normalize()), namespace, flows);
    }
}
