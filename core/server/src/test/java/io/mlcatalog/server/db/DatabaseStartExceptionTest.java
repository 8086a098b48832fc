package io.mlcatalog.server.db;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseStartExceptionTest {

    @Test
    void initdbRefusingRootTellsWhatToDoInstead() {
        var e = DatabaseStartException.explain(new IllegalStateException("Process [initdb] failed",
                new IOException("initdb: error: cannot be run as root")), Path.of("/data/pg-data"));
        assertThat(e.getMessage())
                .contains("refuses to run as root")
                .contains("non-root user")
                .contains("--database-url postgresql://");
    }

    @Test
    void aClusterInUseNamesTheDirectory() {
        var e = DatabaseStartException.explain(new IOException("FATAL: lock file \"postmaster.pid\" already exists"), Path.of("/d/pg-data"));
        assertThat(e.getMessage()).contains("/d/pg-data").contains("another mlcatalog").contains("--data-dir");
    }

    @Test
    void anythingElseSaysWhatFailedAndTheWayOut() {
        var e = DatabaseStartException.explain(new IOException("disk full"), Path.of("/d/pg-data"));
        assertThat(e.getMessage()).contains("did not start: disk full").contains("--database-url");
    }
}
