package io.mlcatalog.plugins.kubernetes;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which model version a workload serves, as far as the workload says: a model and version by name, or
 * the model file's URI, or the digest of the image it runs (the catalog then finds the version
 * registered from that artifact). {@code model} narrows an artifact lookup to that model when known.
 */
record ModelRef(String model, String version, String uri, String digest) {
    private static final Pattern IMAGE_DIGEST = Pattern.compile("@(sha256:[0-9a-fA-F]{64})$");

    ModelRef {
        if (version == null && uri == null && digest == null) {
            throw new IllegalArgumentException("a model reference names a version, a URI or a digest");
        }
    }

    /**
     * What a workload's annotations (and its {@code mlcatalog.io/model} label, and its images) say it serves:
     * {@code mlcatalog.io/version}, else {@code mlcatalog.io/model-uri}, else an InferenceService's
     * {@code storageUri}, else the digest of the image pinned by digest (the container named by
     * {@code mlcatalog.io/container}, or the first pinned one).
     *
     * @return the reference, or null when the workload says nothing the catalog could resolve
     */
    static ModelRef of(Workload w) {
        String model = w.annotation(Annotations.MODEL);
        if (model == null) {
            String label = w.labels().get(Annotations.MODEL);
            model = label == null || label.isBlank() ? null : label.strip();
        }
        String version = w.annotation(Annotations.VERSION);
        if (version != null) {
            return model == null ? null : new ModelRef(model, version, null, null);
        }
        String uri = w.annotation(Annotations.MODEL_URI);
        if (uri == null) {
            uri = w.storageUri();
        }
        if (uri != null) {
            return new ModelRef(model, null, uri, null);
        }
        String digest = imageDigest(w);
        return digest == null ? null : new ModelRef(model, null, null, digest);
    }

    /** The {@code sha256:<hex>} of the container image the model is identified by, or null. */
    static String imageDigest(Workload w) {
        String container = w.annotation(Annotations.CONTAINER);
        for (String entry : w.images()) {
            int eq = entry.indexOf('=');
            String name = entry.substring(0, eq);
            if (container != null && !container.equals(name)) {
                continue;
            }
            Matcher m = IMAGE_DIGEST.matcher(entry.substring(eq + 1));
            if (m.find()) {
                return m.group(1).toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** For logs and status: {@code churn 3}, {@code s3://models/churn/3}, {@code image sha256:…}. */
    String describe() {
        if (version != null) {
            return model + " " + version;
        }
        String what = uri != null ? uri : "image " + digest;
        return model == null ? what : model + " from " + what;
    }
}
