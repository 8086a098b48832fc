package io.mlcatalog.plugins.metaflow;

import io.mlcatalog.server.plugin.PollOutcome;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus read through Metaflow's metadata service: a loopback service answering with the corpus's own records, and
 * the datastore as Metaflow keeps it beside a service (its artifacts and data files, no {@code _meta} folders).
 */
class MetaflowServiceIT {
    static final Map<String, Object> RULES = Map.of("namespace", "growth", "models", List.of("model"), "model", "churn-classifier",
            "datasets", List.of("dataset_uri", "customers_uri"), "outputDatasets", List.of("predictions_uri"));
    @TempDir
    Path tmp;
    Path values;
    MetadataServiceFixture service;
    TestingCatalog catalog;

    @BeforeEach
    void start() throws IOException {
        Path corpus = MetaflowCorpusIT.corpus();
        service = new MetadataServiceFixture(corpus);
        values = tmp.resolve("datastore");
        try (Stream<Path> files = Files.walk(corpus)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = corpus.relativize(f);
                if (!rel.toString().contains("_meta")) {
                    Files.createDirectories(values.resolve(rel).getParent());
                    Files.copy(f, values.resolve(rel));
                }
            }
        }
    }

    @AfterEach
    void stop() {
        if (catalog != null) {
            catalog.close();
        }
        service.close();
    }

    private static Map<String, Object> settings(Object... more) {
        Map<String, Object> s = new LinkedHashMap<>(RULES);
        for (int i = 0; i < more.length; i += 2) {
            s.put((String) more[i], more[i + 1]);
        }
        return s;
    }

    /** What a user would compare: every run with its status, parent, params and metrics; every artifact; every edge and version. */
    static List<String> catalogAsText(TestingCatalog c) {
        List<String> rows = new java.util.ArrayList<>();
        rows.addAll(c.strings("""
                select r.name || ' ' || r.status || ' ' || coalesce(p.name, '-') || ' ' || coalesce(r.params::text, '') || ' '
                       || coalesce(r.metrics::text, '') || ' ' || coalesce(r.started_at::text, '') || ' ' || coalesce(r.ended_at::text, '')
                       || ' ' || coalesce(r.run_user, '')
                from run r left join run p on p.id = r.parent_id order by r.name"""));
        rows.addAll(c.strings("select uri || ' ' || coalesce(digest, '') || ' ' || coalesce(size_bytes::text, '') || ' ' || kind from artifact order by uri, digest"));
        rows.addAll(c.strings("select kind || ' ' || count(*) from lineage_edge group by kind order by kind"));
        rows.addAll(c.strings("select m.name || ' ' || v.version || ' ' || r.name from model_version v join model m on m.id = v.model_id "
                + "join run r on r.id = v.run_id order by 1"));
        return rows;
    }

    @Test
    void theServiceWithTheDatastoreGivesTheCatalogTheLocalDatastoreGives() {
        List<String> local;
        try (TestingCatalog direct = TestingCatalog.builder().instance("mf", "metaflow", settings("root", MetaflowCorpusIT.corpus().toString()))
                .start()) {
            assertThat(direct.poll("mf").ok()).isTrue();
            local = catalogAsText(direct);
        }
        catalog = TestingCatalog.builder().instance("mf", "metaflow", settings("service", service.url(), "root", values.toString())).start();
        PollOutcome outcome = catalog.poll("mf");
        assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
        assertThat(outcome.problems()).isEmpty();
        assertThat(catalogAsText(catalog)).isEqualTo(local).anyMatch(r -> r.startsWith(MetaflowCorpusIT.LAST_TRAIN + " SUCCEEDED - {"));
        // listings were read a page at a time, as a service that pages hands them out
        assertThat(service.requests).anyMatch(r -> r.startsWith("/flows/ChurnTrainFlow/runs?") && r.contains("_cursor="));
        Map<String, Long> before = catalog.rowCounts();
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void theServiceAloneGivesRunsTasksStatusesAndArtifactsWithoutTheirValues() {
        catalog = TestingCatalog.builder().instance("mf", "metaflow", settings("service", service.url())).start();
        PollOutcome outcome = catalog.poll("mf");
        assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
        assertThat(catalog.strings("select name || ' ' || status from run where parent_id is null order by name")).containsExactly(
                "ChurnScoreFlow/1796479761339103 SUCCEEDED", "ChurnTrainFlow/1796479748864319 SUCCEEDED",
                "ChurnTrainFlow/1796479752057756 SUCCEEDED", "ChurnTrainFlow/1796479755797046 FAILED", "ChurnTrainFlow/1796479757975798 SUCCEEDED");
        assertThat(catalog.strings("select digest from artifact where uri = 'metaflow://" + MetaflowCorpusIT.LAST_TRAIN + "/train/3/model'"))
                .containsExactly("metaflow-sha1:" + MetaflowCorpusIT.MODEL_SHA);
        // the service lists no Python types: which values a run read from another flow's is not inferred (a string two runs hold
        // may be the same by chance), and Parameters have no values
        assertThat(catalog.count("select count(*) from lineage_edge where kind = 'CONSUMED'")).isZero();
        assertThat(catalog.strings("select params::text from run where name = '" + MetaflowCorpusIT.LAST_TRAIN + "'"))
                .containsExactly("{\"name\": null, \"fail_at\": null, \"dataset_uri\": null, \"learning_rates\": null}");
    }

    @Test
    void anApiGatewayKeyIsSentAsXApiKeyAndARefusalSaysWhichSetting() {
        service.apiKey = "gw-key-0123";
        catalog = TestingCatalog.builder().instance("mf", "metaflow", settings("service", service.url(), "root", values.toString())).start();
        PollOutcome refused = catalog.poll("mf");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.error()).contains("answered 403 to GET /flows").contains("set serviceAuthKey (x-api-key) or serviceHeaders");
        assertThat(catalog.count("select count(*) from run")).isZero();
        catalog.close();
        catalog = TestingCatalog.builder().instance("mf", "metaflow", settings("service", service.url(), "root", values.toString(),
                "serviceAuthKey", "${env:METAFLOW_SERVICE_AUTH_KEY}")).env(Map.of("METAFLOW_SERVICE_AUTH_KEY", "gw-key-0123")).start();
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(catalog.count("select count(*) from run where parent_id is null")).isEqualTo(5);
        assertThat(catalog.status("mf").toString()).doesNotContain("gw-key-0123");
    }

    @Test
    void aListingWhoseCursorLoopsIsNamedAndTheOtherRunsAreWritten() {
        String tasks = "/flows/ChurnTrainFlow/runs/1796479757975798/steps/train/tasks";
        service.loopingPath = tasks;
        catalog = TestingCatalog.builder().instance("mf", "metaflow", settings("service", service.url(), "root", values.toString())).start();
        PollOutcome outcome = catalog.poll("mf");
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.problems()).anyMatch(p -> p.contains("ChurnTrainFlow/1796479757975798") && p.contains("twice to GET " + tasks));
        assertThat(catalog.strings("select name from run where parent_id is null")).contains("ChurnTrainFlow/1796479748864319")
                .doesNotContain(MetaflowCorpusIT.LAST_TRAIN);
        service.loopingPath = null;
        assertThat(catalog.poll("mf").problems()).isEmpty();
        assertThat(catalog.strings("select status from run where name = '" + MetaflowCorpusIT.LAST_TRAIN + "'")).containsExactly("SUCCEEDED");
    }

    @Test
    void runsNamedByASchedulerAreReadInTheOrderTheServiceMadeThem() throws IOException {
        // a copy of the corpus whose last training run has an Argo name, as runs a scheduler starts are named
        Path records = tmp.resolve("records");
        copy(MetaflowCorpusIT.corpus(), records);
        String argo = "argo-churntrainflow-x7k2p";
        rename(records.resolve("ChurnTrainFlow"), MetaflowCorpusIT.LAST_TRAIN.substring("ChurnTrainFlow/".length()), argo, null);
        rename(values.resolve("ChurnTrainFlow"), MetaflowCorpusIT.LAST_TRAIN.substring("ChurnTrainFlow/".length()), argo, null);
        service.close();
        service = new MetadataServiceFixture(records);
        catalog = TestingCatalog.builder().instance("mf", "metaflow", settings("service", service.url(), "root", values.toString())).start();
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(catalog.strings("select status from run where name = 'ChurnTrainFlow/" + argo + "'")).containsExactly("SUCCEEDED");

        // a later run whose name sorts before the last one read: the service made it later, so it is new
        String later = "argo-aaaa-9zq1c";
        Path from = records.resolve("ChurnTrainFlow/1796479752057756");
        copy(from, records.resolve("ChurnTrainFlow/" + later));
        copy(values.resolve("ChurnTrainFlow/1796479752057756"), values.resolve("ChurnTrainFlow/" + later));
        rename(records.resolve("ChurnTrainFlow"), later, later, 1796479800000000L / 1000);
        assertThat(catalog.poll("mf").ok()).isTrue();
        assertThat(catalog.strings("select status from run where name = 'ChurnTrainFlow/" + later + "'")).containsExactly("SUCCEEDED");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.createDirectories(to.resolve(from.relativize(f)).getParent());
                Files.copy(f, to.resolve(from.relativize(f)));
            }
        }
    }

    /** Renames a run's folder and what its own record says of its name (and, given, of when it was made). */
    private static void rename(Path flow, String from, String to, Long createdMillis) throws IOException {
        if (!from.equals(to)) {
            Files.move(flow.resolve(from), flow.resolve(to));
        }
        Path self = flow.resolve(to).resolve("_meta/_self.json");
        if (Files.exists(self)) {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var record = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(self.toFile());
            record.put("run_number", to);
            if (createdMillis != null) {
                record.put("ts_epoch", createdMillis);
            }
            Files.writeString(self, record.toString());
        }
    }
}
