package io.mlcatalog.plugins.openlineage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenLineage's dataset naming (namespace + name, spec/Naming.md) turned into artifact URIs: every
 * namespace form of the corpus and the spec's examples, one URI per dataset whoever names it.
 */
class DatasetUrisTest {

    @ParameterizedTest(name = "{0} + {1} → {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # the corpus: Airflow on GCP
            gs://mock-bucket                | copied.csv                          | gs://mock-bucket/copied.csv
            bigquery                        | mock-project.test.upload            | bigquery:mock-project.test.upload
            file                            | /files/temp/downloaded_file.txt     | file:///files/temp/downloaded_file.txt
            # the corpus: Spark, on Dataproc
            file                            | /tmp/cll_test/tbl1                  | file:///tmp/cll_test/tbl1
            hdfs://dataproc-producer-test-m | /user/hive/warehouse/t1             | hdfs://dataproc-producer-test-m/user/hive/warehouse/t1
            bigquery                        | bigquery-public-data.samples.shakespeare | bigquery:bigquery-public-data.samples.shakespeare
            # the spec's naming examples
            s3://bucket                     | path/to/key.parquet                 | s3://bucket/path/to/key.parquet
            s3://bucket/                    | /path/to/key.parquet                | s3://bucket/path/to/key.parquet
            gs://bucket                     | dir/file.csv                        | gs://bucket/dir/file.csv
            hdfs://namenode:8020            | /user/data/part-0000                | hdfs://namenode:8020/user/data/part-0000
            postgres://db.example.com:5432  | analytics.public.orders             | postgres://db.example.com:5432/analytics.public.orders
            mysql://db.example.com:3306     | shop.orders                         | mysql://db.example.com:3306/shop.orders
            kafka://broker-1:9092           | clicks                              | kafka://broker-1:9092/clicks
            snowflake://acme-eu1            | DB.SCHEMA.TABLE                     | snowflake://acme-eu1/DB.SCHEMA.TABLE
            redshift://cluster.eu-west-1:5439 | dev.public.sales                  | redshift://cluster.eu-west-1:5439/dev.public.sales
            hive://metastore:9083           | default.tbl1                        | hive://metastore:9083/default.tbl1
            abfss://container@account.dfs.core.windows.net | raw/events        | abfss://container@account.dfs.core.windows.net/raw/events
            trino://coordinator:8080        | hive.sales.orders                   | trino://coordinator:8080/hive.sales.orders
            awsathena://athena.eu-west-1.amazonaws.com | awsdatacatalog.db.table | awsathena://athena.eu-west-1.amazonaws.com/awsdatacatalog.db.table
            file                            | relative/file.csv                   | file:///relative/file.csv
            """)
    void theNamingConventionsBecomeUris(String namespace, String name, String uri) {
        assertThat(DatasetUris.uri(namespace, name)).isEqualTo(uri);
    }

    @Test
    void aNamespaceThatIsNoUriSchemeStillNamesADistinctPlace() {
        assertThat(DatasetUris.uri("my warehouse", "sales.orders")).isEqualTo("openlineage://my+warehouse/sales.orders");
        assertThat(DatasetUris.uri("airflow_default", "orders")).isEqualTo("openlineage://airflow_default/orders");
        assertThat(DatasetUris.uri("team/data", "orders")).isEqualTo("openlineage://team%2Fdata/orders");
        // distinct namespaces stay distinct
        assertThat(DatasetUris.uri("a b", "t")).isNotEqualTo(DatasetUris.uri("a+b", "t"));
    }

    @Test
    void aBareWordNamespaceIsTheSchemeOfAnOpaqueUri() {
        assertThat(DatasetUris.uri("bigquery", "p.d.t")).isEqualTo("bigquery:p.d.t");
        assertThat(DatasetUris.uri("custom", "thing")).isEqualTo("custom:thing");
    }

    @Test
    void whitespaceIsPercentEncodedAndTheRestIsLeftAsTheProducerWroteIt() {
        assertThat(DatasetUris.uri("s3://bucket", "my data/file 1.csv")).isEqualTo("s3://bucket/my%20data/file%201.csv");
        assertThat(DatasetUris.uri("file", "/tmp/a\tb")).isEqualTo("file:///tmp/a%09b");
        // every whitespace and control character: a URI holds none, and the catalog refuses one that does
        assertThat(DatasetUris.uri("file", "/tmp/a\u00a0b\u2003c\u000bd")).isEqualTo("file:///tmp/a%C2%A0b%E2%80%83c%0Bd");
        assertThat(DatasetUris.uri("file", "/tmp/données/ü.csv")).isEqualTo("file:///tmp/données/ü.csv");
        assertThat(DatasetUris.uri(" gs://b ", " x ")).isEqualTo("gs://b/x");
    }

    @Test
    void theSameDatasetAlwaysGetsTheSameUri() {
        assertThat(DatasetUris.uri("s3://bucket", "/key")).isEqualTo(DatasetUris.uri("s3://bucket/", "key"));
    }
}
