package io.mlcatalog.server.write;

import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.Text;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A validated reference to a run, from a record that links to it: by namespace and name (and external id), which
 * gives the run's id, or by external id alone (in {@code namespace} when given), which is looked up.
 *
 * @param id the run's id when named, else null
 */
public record RunKey(UUID id, String namespace, String name, String externalId) {

    /** Checks a reference's parts as a run's own fields are checked; {@code field} names it in errors. */
    public static RunKey of(String field, String namespace, String name, String externalId) {
        String ext = Text.optionalName(field + ".externalId", externalId, Text.NAME_BYTES);
        if (name == null) {
            String ns = Text.optionalName(field + ".namespace", namespace, Text.SHORT_NAME_BYTES);
            return new RunKey(null, ns, null, Text.name(field + ".externalId", ext, Text.NAME_BYTES));
        }
        String ns = Text.name(field + ".namespace", namespace, Text.SHORT_NAME_BYTES);
        String n = Text.name(field + ".name", name, Text.NAME_BYTES);
        return new RunKey(Ids.run(ns, n, ext), ns, n, ext);
    }

    /** Whether the run is named (its id known) rather than looked up by external id. */
    public boolean named() {
        return id != null;
    }

    /**
     * The key of the advisory lock that orders "record a run" against "link to that run or wait for it" (see
     * {@link PendingRunLinks}): a named run's id, or the external id for a reference by external id.
     */
    long lockKey() {
        return named() ? id.getMostSignificantBits() ^ id.getLeastSignificantBits() : externalIdLockKey(externalId);
    }

    static long externalIdLockKey(String externalId) {
        UUID u = UUID.nameUUIDFromBytes(("run-external-id\0" + externalId).getBytes(StandardCharsets.UTF_8));
        return u.getMostSignificantBits() ^ u.getLeastSignificantBits();
    }

    static long runLockKey(UUID runId) {
        return runId.getMostSignificantBits() ^ runId.getLeastSignificantBits();
    }

    /** For messages: {@code ns/name} or {@code externalId X}. */
    public String describe() {
        return named() ? namespace + "/" + name + (externalId == null ? "" : " (" + externalId + ")")
                : "externalId " + externalId + (namespace == null ? "" : " in namespace " + namespace);
    }
}
