package io.mlcatalog.plugins.kubernetes;

/** The annotations (and the label) a workload tells the catalog what it serves with. */
final class Annotations {
    private Annotations() {
    }

    static final String PREFIX = "mlcatalog.io/";
    /** The model's name (annotation, or the label the default selector selects by). */
    static final String MODEL = PREFIX + "model";
    /** The model version's name. */
    static final String VERSION = PREFIX + "version";
    /** The URI of the model file the version was registered from. */
    static final String MODEL_URI = PREFIX + "model-uri";
    /** When this spec was rolled out (RFC 3339): the start of its deployment, exactly. */
    static final String DEPLOYED_AT = PREFIX + "deployed-at";
    /** Who rolled it out. */
    static final String DEPLOYED_BY = PREFIX + "deployed-by";
    /** The catalog namespace of the deployment (and of the model). */
    static final String NAMESPACE = PREFIX + "namespace";
    /** The container whose image digest identifies the model, when several are pinned by digest. */
    static final String CONTAINER = PREFIX + "container";

    /** Set by the Deployment controller: the rollout's number. */
    static final String DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";
    /** KServe's way to stop an InferenceService without deleting it. */
    static final String KSERVE_STOP = "serving.kserve.io/stop";
}
