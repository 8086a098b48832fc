package io.mlcatalog.plugins.s3;

/** A poll failed for a reason a person can act on: the message says which bucket and what to check (never a secret). */
final class S3SourceException extends Exception {
    S3SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
