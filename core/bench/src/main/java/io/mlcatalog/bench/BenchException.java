package io.mlcatalog.bench;

/** The benchmark cannot go on; the message says why. */
final class BenchException extends RuntimeException {
    BenchException(String message) {
        super(message);
    }
}
