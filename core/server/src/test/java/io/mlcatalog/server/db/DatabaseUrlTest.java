package io.mlcatalog.server.db;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseUrlTest {

    @Test
    void parsesEveryPart() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://catalog:s3cret@db.example.com:6543/mlcatalog?sslmode=require");
        assertThat(url.host()).isEqualTo("db.example.com");
        assertThat(url.port()).isEqualTo(6543);
        assertThat(url.database()).isEqualTo("mlcatalog");
        assertThat(url.user()).isEqualTo("catalog");
        assertThat(url.password()).isEqualTo("s3cret");
        assertThat(url.options()).isEqualTo(Map.of("sslmode", "require"));
    }

    @Test
    void acceptsThePostgresScheme() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://catalog:s3cret@db:5433/mlcatalog");
        assertThat(url).isEqualTo(new DatabaseUrl("db", 5433, "mlcatalog", "catalog", "s3cret", Map.of()));
    }

    @Test
    void acceptsAJdbcUrlWithUserAndPasswordAsOptions() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://db:5433/mlcatalog?user=catalog&password=s3cret&sslmode=verify-full");
        assertThat(url).isEqualTo(new DatabaseUrl("db", 5433, "mlcatalog", "catalog", "s3cret", Map.of("sslmode", "verify-full")));
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5433/mlcatalog?sslmode=verify-full");
    }

    @Test
    void decodesAPercentEncodedPassword() {
        assertThat(DatabaseUrl.parse("postgresql://catalog:p%40ss%3Aw%2Frd%25@db/mlcatalog").password()).isEqualTo("p@ss:w/rd%");
        assertThat(DatabaseUrl.parse("postgresql://cat%20alog:x@db/ml%2Dcatalog").user()).isEqualTo("cat alog");
    }

    /** A URL is percent-encoded, not a form: a plus is a plus (URLDecoder alone would make it a space). */
    @Test
    void aPlusInThePasswordIsAPlus() {
        assertThat(DatabaseUrl.parse("postgresql://catalog:a+b@db/mlcatalog").password()).isEqualTo("a+b");
        assertThat(DatabaseUrl.parse("postgresql://db/mlcatalog?password=a+b").password()).isEqualTo("a+b");
    }

    @Test
    void defaultsPortDatabaseAndUser() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://db");
        assertThat(url.port()).isEqualTo(5432);
        assertThat(url.database()).isEqualTo("postgres");
        assertThat(url.user()).isEqualTo("postgres");
        assertThat(url.password()).isNull();
        assertThat(DatabaseUrl.parse("postgresql://catalog@db/mlcatalog").port()).isEqualTo(5432);
    }

    @Test
    void toStringNeverShowsThePassword() {
        for (String text : List.of("postgresql://catalog:s3cret@db:6543/mlcatalog?sslmode=require",
                "jdbc:postgresql://db/mlcatalog?user=catalog&password=s3cret",
                "postgres://catalog:s3cret%21@db/mlcatalog")) {
            DatabaseUrl url = DatabaseUrl.parse(text);
            assertThat(url.toString()).doesNotContain("s3cret").contains("catalog", "db", "mlcatalog");
            assertThat(url.withDatabase("other").toString()).doesNotContain("s3cret");
        }
        assertThat(DatabaseUrl.parse("postgresql://catalog@db/mlcatalog").toString()).isEqualTo("postgresql://catalog@db:5432/mlcatalog");
    }

    @Test
    void garbageIsRefusedWithoutShowingThePassword() {
        for (String text : List.of(
                "not a database url",
                "mysql://catalog:s3cret@db/mlcatalog",
                "mysql://db/mlcatalog?password=s3cret",
                "http://db/mlcatalog?user=catalog&password=s3cret&sslmode=require",
                "postgresql://catalog:s3cret@/mlcatalog",
                "postgresql://catalog:s3cret@db:port/mlcatalog",
                "postgresql://catalog:two words s3cret@db/mlcatalog",
                "postgresql://catalog:at@s3cret@db/mlcatalog",
                "",
                "   ")) {
            assertThatThrownBy(() -> DatabaseUrl.parse(text)).as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("database URL")
                    .message().doesNotContain("s3cret");
        }
    }
}
