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
    static final String SERVICE = "service";
    static final String SERVICE_AUTH_KEY = "serviceAuthKey";
    static final String SERVICE_HEADERS = "serviceHeaders";
    static final String SERVICE_TIMEOUT = "serviceTimeout";

    private static final List<Setting> SETTINGS = List.of(
            Setting.optional(ROOT, Setting.Type.STRING, null, "the datastore: a local .metaflow folder (or the folder holding it), or "
                    + "s3://bucket/prefix (Metaflow's METAFLOW_DATASTORE_SYSROOT_S3); with service, where the artifacts' values are "
                    + "(without it, the service's records alone: no Parameter values nor metrics)"),
            Setting.optional(SERVICE, Setting.Type.STRING, null, "Metaflow's metadata service (METAFLOW_SERVICE_URL), read for the runs, "
                    + "tasks and their metadata instead of the datastore's _meta folders"),
            Setting.secret(SERVICE_AUTH_KEY, false, "the service's API key, sent as x-api-key (METAFLOW_SERVICE_AUTH_KEY); give it as ${env:NAME}"),
            Setting.secret(SERVICE_HEADERS, false, "more headers for the service, a JSON object (METAFLOW_SERVICE_HEADERS); give it as ${env:NAME}"),
            Setting.optional(SERVICE_TIMEOUT, Setting.Type.DURATION, "30s", "how long one request to the service may take"),
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
        String root = context.config().get(ROOT).map(String::strip).orElse("");
        String service = context.config().get(SERVICE).map(String::strip).orElse("");
        if (root.isEmpty() && service.isEmpty()) {
            throw new PluginConfigException(ROOT, "is required: the datastore's folder or s3:// URI (or set service, the metadata service's URL)");
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
        Store values = root.isEmpty() ? null : store(context, root);
        Store store = service.isEmpty() ? values : serviceStore(context, service, values);
        return new MetaflowSource(context, new Datastore(store), namespace, flows, rules);
    }

    private static Store serviceStore(SourceContext context, String service, Store values) {
        java.net.URI url;
        try {
            url = java.net.URI.create(service);
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException(SERVICE, "is not a URL: " + e.getMessage());
        }
        if (url.getScheme() == null || !url.getScheme().matches("https?") || url.getHost() == null) {
            throw new PluginConfigException(SERVICE, "must be an http(s) URL like https://metaflow.internal/api");
        }
        if (url.getUserInfo() != null) {
            throw new PluginConfigException(SERVICE, "must not hold credentials: give them as serviceAuthKey or serviceHeaders");
        }
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        String json = context.config().get(SERVICE_HEADERS).map(String::strip).orElse("");
        if (!json.isEmpty()) {
            try {
                com.fasterxml.jackson.databind.JsonNode h = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
                if (h == null || !h.isObject()) {
                    throw new PluginConfigException(SERVICE_HEADERS, "must be a JSON object of header names and values");
                }
                h.fields().forEachRemaining(e -> headers.put(e.getKey().strip(), e.getValue().asText().strip()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // the value is a secret, and the parser's message quotes it: only where it broke is said
                throw new PluginConfigException(SERVICE_HEADERS, "is not a JSON object (not readable at character "
                        + e.getLocation().getCharOffset() + ")");
            }
        }
        context.config().get(SERVICE_AUTH_KEY).filter(k -> !k.isBlank()).ifPresent(k -> headers.put("x-api-key", k.strip()));
        java.net.http.HttpRequest.Builder probe = java.net.http.HttpRequest.newBuilder(url);
        headers.forEach((name, value) -> {
            String key = name.equals("x-api-key") && context.config().get(SERVICE_AUTH_KEY).isPresent() ? SERVICE_AUTH_KEY : SERVICE_HEADERS;
            try {
                probe.header(name, value);
            } catch (IllegalArgumentException e) {
                // the JDK's message quotes the value, a secret: only the setting and the header's name are said
                throw new PluginConfigException(key, "cannot be sent as the header '" + name + "' (a restricted header, or a control "
                        + "character in its value)");
            }
        });
        return new ServiceStore(url, headers, values, context.config().getDuration(SERVICE_TIMEOUT));
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
