package io.mlcatalog.server.db;

import java.nio.file.Path;

/** PostgreSQL could not be started or reached; the message says why and what to do. */
public final class DatabaseStartException extends RuntimeException {

    public DatabaseStartException(String message, Throwable cause) {
        super(message, cause);
    }

    static DatabaseStartException explain(Throwable e, Path clusterDir) {
        String detail = messages(e);
        String lower = detail.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("cannot be run as root") || lower.contains("unshare")) {
            return new DatabaseStartException("""
                    the embedded PostgreSQL cannot start: PostgreSQL refuses to run as root, and running it in a \
                    user namespace (unshare -U) is not possible here (%s). Either run mlcatalog as a non-root user, \
                    or point it at a PostgreSQL you run yourself: --database-url postgresql://user:password@host:5432/db"""
                    .formatted(firstLine(detail)), e);
        }
        if (lower.contains("lock file") || lower.contains("postmaster.pid") || lower.contains("already running")) {
            return new DatabaseStartException("the embedded PostgreSQL in " + clusterDir
                    + " is in use by another process (is another mlcatalog running with the same --data-dir?). "
                    + "Stop it, or choose another --data-dir.", e);
        }
        return new DatabaseStartException("the embedded PostgreSQL in " + clusterDir + " did not start: " + firstLine(detail)
                + ". Check the directory is writable and not used by another PostgreSQL, or use --database-url.", e);
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                sb.append(t.getMessage()).append(" | ");
            }
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        String line = s.split(" \\| ", 2)[0].strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
