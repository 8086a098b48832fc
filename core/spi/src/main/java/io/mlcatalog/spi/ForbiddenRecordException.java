package io.mlcatalog.spi;

/**
 * The catalog refused a record because whoever sent it may not write it: the namespace is outside the grants of
 * the token that sent the request, or outside the namespaces the plugin instance is configured for. A receiver
 * answers its client 403 for it (400 is for records that are wrong in themselves).
 */
public class ForbiddenRecordException extends InvalidRecordException {
    public ForbiddenRecordException(int index, String field, String reason) {
        super(index, field, reason);
    }
}
