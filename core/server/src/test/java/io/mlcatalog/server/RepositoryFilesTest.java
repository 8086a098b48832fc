package io.mlcatalog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlcatalog.server.graphql.GraphQLService;
import io.mlcatalog.server.testing.Repository;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The files beside the code that users rely on: the schema they read, the compose file they run. */
class RepositoryFilesTest {

    @Test
    void everySchemaFileIsServed() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(Repository.file("schema"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".graphqls"))
                    .map(n -> n.substring(0, n.length() - ".graphqls".length())))
                    .containsExactlyInAnyOrderElementsOf(GraphQLService.SCHEMA_FILES);
        }
    }

    @Test
    void composeRunsTheCatalogOnPostgres16WithAVolumeAndHealthChecks() throws IOException {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(Repository.file("docker-compose.yml").toFile());
        JsonNode pg = compose.path("services").path("postgres");
        assertThat(pg.path("image").asText()).isEqualTo("postgres:16");
        assertThat(pg.path("volumes").path(0).asText()).startsWith("pgdata:");
        assertThat(pg.path("healthcheck").path("test").toString()).contains("pg_isready");
        assertThat(compose.path("volumes").has("pgdata")).isTrue();

        JsonNode catalog = compose.path("services").path("mlcatalog");
        assertThat(catalog.path("build").asText()).isEqualTo(".");
        assertThat(catalog.path("environment").path("MLCATALOG_DATABASE_URL").asText()).startsWith("postgresql://").contains("@postgres:5432/");
        assertThat(catalog.path("depends_on").path("postgres").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(catalog.path("healthcheck").path("test").toString()).contains("/ready");
        assertThat(Files.readString(Repository.file("Dockerfile"))).contains("AS build").contains("mlcatalog.jar");
    }
}
