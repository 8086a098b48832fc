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
    static final String MODELS = "models";
    static final String MODEL = "model";
    static final String DATASETS = "datasets";
    static final String OUTPUT_DATASETS = "outputDatasets";
    static final String ENDPOINT = "endpoint";
    static final String REGION = "region";
    static final String PATH_STYLE = "pathStyle";
    static final String ACCESS_KEY_ID = "accessKeyId";
    static final String SECRET_ACCESS_KEY = "secretAccessKey";

    private static final List<Setting> SETTINGS = List.of(
            Setting.required(ROOT, Setting.Type.STRING, "the datastore: a local .metaflow folder (or the folder holding it), or "
                    + "s3://bucket/prefix (Metaflow's METAFLOW_DATASTORE_SYSROOT_S3)"),
            Setting.optional(ENDPOINT, Setting.Type.STRING, null, "S3: an S3-compatible endpoint, e.g. http://minio:9000 (default: AWS)"),
            Setting.optional(REGION, Setting.Type.STRING, "us-east-1", "S3: the region to sign requests for"),
            Setting.optional(PATH_STYLE, Setting.Type.BOOLEAN, "false", "S3: path-style requests (most S3-compatible servers need them)"),
            Setting.secret(ACCESS_KEY_ID, false, "S3: the access key id; give it as ${env:NAME}. Without it: the default credentials chain"),
            Setting.secret(SECRET_ACCESS_KEY, false, "S3: the secret access key, with accessKeyId; give it as ${env:NAME}"),
            Setting.optional(NAMESPACE, Setting.Type.STRING, "default", "the catalog namespace of the runs and artifacts"),
            Setting.optional(FLOWS, Setting.Type.LIST, "", "the flows to read (default: every flow of the datastore)"),
            Setting.optional(MODELS, Setting.Type.LIST, "", "globs of the artifact names that are models (e.g. model*): the value "
                    + "a run ends with is registered as a version of the model (default: none)"),
            Setting.optional(MODEL, Setting.Type.STRING, "", "the model's name (default: the flow's name)"),
            Setting.optional(DATASETS, Setting.Type.LIST, "", "names of string Parameters or artifacts that hold the URI of a dataset "
                    + "the run reads (e.g. dataset_uri)"),
            Setting.optional(OUTPUT_DATASETS, Setting.Type.LIST, "", "names of string artifacts that hold the URI of a dataset "
                    + "the run writes (e.g. predictions_uri)"));

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
        List<java.util.regex.Pattern> models = new java.util.ArrayList<>();
        for (String glob : context.config().getList(MODELS)) {
            if (!glob.isBlank()) {
                models.add(java.util.regex.Pattern.compile(glob.strip().replace(".", "\\.").replace("?", ".").replace("*", ".*")));
            }
        }
        String model = context.config().get(MODEL).orElse("").strip();
        MetaflowSource.Rules rules = new MetaflowSource.Rules(models, model.isEmpty() ? null : model,
                names(context.config().getList(DATASETS)), names(context.config().getList(OUTPUT_DATASETS)));
        return new MetaflowSource(context, new Datastore(store(context, root)), namespace, flows, rules);
    }

    private static Store store(SourceContext context, String root) {
        if (!root.startsWith("s3://")) {
            return new LocalStore(Path.of(root).toAbsolutePath().normalize());
        }
        if (root.length() <= "s3://".length() || root.substring(5).startsWith("/")) {
            throw new PluginConfigException(ROOT, "names no bucket: s3://bucket/prefix");
        }
        var config = context.config();
        java.net.URI endpoint = null;
        String e = config.get(ENDPOINT).map(String::strip).orElse("");
        if (!e.isEmpty()) {
            try {
                endpoint = java.net.URI.create(e);
            } catch (IllegalArgumentException x) {
                throw new PluginConfigException(ENDPOINT, "is not a URL: " + x.getMessage());
            }
            if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                throw new PluginConfigException(ENDPOINT, "must be a URL like http://minio:9000");
            }
        }
        String key = config.get(ACCESS_KEY_ID).filter(s -> !s.isBlank()).orElse(null);
        String secret = config.get(SECRET_ACCESS_KEY).filter(s -> !s.isBlank()).orElse(null);
        if ((key == null) != (secret == null)) {
            throw new PluginConfigException(key == null ? ACCESS_KEY_ID : SECRET_ACCESS_KEY, "is needed with the other of accessKeyId and secretAccessKey");
        }
        return new S3Store(S3Store.Location.parse(root, endpoint, config.require(REGION), config.getBoolean(PATH_STYLE), key, secret));
    }

    private static java.util.Set<String> names(List<String> list) {
        java.util.Set<String> s = new java.util.LinkedHashSet<>();
        list.forEach(n -> {
            if (!n.isBlank()) {
                s.add(n.strip());
            }
        });
        return s;
    }
}
