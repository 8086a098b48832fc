package io.mlcatalog.plugins.git;

/**
 * A poll could not read the repository: it is missing, not a repository, corrupt, or its URL does not answer.
 * The message says which, for the instance's {@code lastError}; it never contains a token or password.
 */
final class GitSourceException extends Exception {

    GitSourceException(String message) {
        super(message);
    }

    GitSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
