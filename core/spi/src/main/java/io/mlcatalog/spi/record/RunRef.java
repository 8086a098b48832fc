package io.mlcatalog.spi.record;

import java.util.Objects;

/**
 * Names a run the way the catalog identifies it: namespace, name and (optional) external id.
 *
 * <p>A reference may also name a run by its external id alone ({@link #byExternalId}), for sources that know only
 * that (an MLflow {@code MLmodel} file names its run by {@code run_id}): it means the run recorded with that external
 * id, within {@code namespace} when one is given. Such a reference is accepted where a record links to a run
 * ({@link RunIoRecord#run()}, {@link ModelVersionRecord#run()}), not as a run's parent; when several recorded runs
 * carry the external id, the record is refused and asks for the namespace.
 */
public record RunRef(String namespace, String name, String externalId) {
    public RunRef {
        if (name == null) {
            Objects.requireNonNull(externalId, "name and externalId are null: give a name, or an externalId");
        } else {
            Objects.requireNonNull(namespace, "namespace is null");
        }
    }

    public static RunRef of(String namespace, String name, String externalId) {
        return new RunRef(namespace, name, externalId);
    }

    /** The run recorded with {@code externalId}, in {@code namespace} (null: in any namespace). */
    public static RunRef byExternalId(String namespace, String externalId) {
        return new RunRef(namespace, null, Objects.requireNonNull(externalId, "externalId is null"));
    }

    /** Whether this names the run by namespace and name (else by external id alone). */
    public boolean named() {
        return name != null;
    }
}
