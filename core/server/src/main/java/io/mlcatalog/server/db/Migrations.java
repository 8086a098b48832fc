package io.mlcatalog.server.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/** Brings the database schema to this version of the catalog, or refuses a schema from a newer one. */
public final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    /**
     * Applies pending migrations.
     *
     * @throws SchemaTooNewException when the database was migrated by a newer catalog: running an old
     *                               catalog against it could write data the newer one does not expect
     */
    public static String migrate(DatabaseUrl url) {
        Flyway flyway = Flyway.configure()
                .dataSource(url.jdbcUrl(), url.user(), url.password())
                .locations("classpath:db/migration")
                .load();
        MigrationInfo[] applied = flyway.info().applied();
        MigrationInfo[] future = Arrays.stream(applied)
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .toArray(MigrationInfo[]::new);
        if (future.length > 0) {
            String known = flyway.info().current() == null ? "none" : String.valueOf(latestKnown(flyway));
            throw new SchemaTooNewException("the database " + url + " has schema version " + future[future.length - 1].getVersion()
                    + ", newer than this mlcatalog knows (up to " + known + "). It was migrated by a newer mlcatalog: "
                    + "run that version, or point this one at another database.");
        }
        MigrateResult result = flyway.migrate();
        String version = flyway.info().current() == null ? "0" : flyway.info().current().getVersion().getVersion();
        if (result.migrationsExecuted > 0) {
            log.info("database schema migrated to version {} ({} migrations)", version, result.migrationsExecuted);
        }
        return version;
    }

    private static String latestKnown(Flyway flyway) {
        return Arrays.stream(flyway.info().all())
                .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED)
                .map(m -> m.getVersion().getVersion())
                .reduce((a, b) -> b)
                .orElse("none");
    }

    /** The database schema is newer than this catalog's code. */
    public static final class SchemaTooNewException extends RuntimeException {
        public SchemaTooNewException(String message) {
            super(message);
        }
    }
}
