package io.mlcatalog.plugins.openlineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus of real events (Airflow, Spark), read back through Marquez's API as its web UI walks it: every job a page
 * lists opens, with its runs; every dataset a job names opens under its (URL-encoded) OpenLineage namespace and name,
 * and search finds each job by its name. Real names hold dots, slashes, colons and ports.
 */
class MarquezApiCorpusIT {
    private static TestingCatalog catalog;
    private static LineageHttp http;

    @BeforeAll
    static void ingest() {
        var scenarios = Corpus.scenarios();
        catalog = TestingCatalog.builder().start();
        http = new LineageHttp(catalog);
        scenarios.values().forEach(s -> s.events().forEach(e -> assertThat(http.post(e).statusCode()).isEqualTo(201)));
    }

    @AfterAll
    static void stop() {
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void everyListedJobAndEveryDatasetItNamesOpens() {
        // page through every job, three at a time, as a script would
        List<JsonNode> jobs = new ArrayList<>();
        int total = -1;
        for (int offset = 0; total < 0 || offset < total; offset += 3) {
            JsonNode page = json(get("/api/v1/jobs?limit=3&offset=" + offset));
            total = page.path("totalCount").asInt();
            assertThat(page.path("jobs").size()).isBetween(1, 3);
            page.path("jobs").forEach(jobs::add);
        }
        assertThat(jobs).hasSize(total).hasSizeGreaterThan(5);
        assertThat(jobs.stream().map(j -> j.path("namespace").asText() + ":" + j.path("name").asText()).distinct()).hasSize(total);

        Set<String> datasets = new LinkedHashSet<>();
        int withRuns = 0;
        for (JsonNode job : jobs) {
            String ns = job.path("namespace").asText();
            String name = job.path("name").asText();
            JsonNode one = json(get("/api/v1/namespaces/" + MarquezApiIT.enc(ns) + "/jobs/" + MarquezApiIT.enc(name)));
            assertThat(one.path("id")).isEqualTo(job.path("id"));
            JsonNode runs = json(get("/api/v1/namespaces/" + MarquezApiIT.enc(ns) + "/jobs/" + MarquezApiIT.enc(name) + "/runs?limit=5"));
            if (!job.path("latestRun").isNull()) {
                withRuns++;
                assertThat(runs.path("runs").path(0).path("id").asText()).isEqualTo(job.path("latestRun").path("id").asText());
                JsonNode run = json(get("/api/v1/jobs/runs/" + MarquezApiIT.enc(job.path("latestRun").path("id").asText())));
                assertThat(run.path("jobVersion").path("name").asText()).isEqualTo(name);
            }
            for (String side : List.of("inputs", "outputs")) {
                job.path(side).forEach(d -> datasets.add(d.path("namespace").asText() + "\n" + d.path("name").asText()));
            }
            JsonNode found = json(get("/api/v1/search?filter=JOB&limit=100&q=" + MarquezApiIT.enc(name)));
            // a name matches itself: its own _ and % are wildcards that match what they stand for
            assertThat(found.path("results").findValuesAsText("nodeId")).as(name).contains("job:" + ns + ":" + name);
        }
        assertThat(withRuns).isPositive();
        assertThat(datasets).hasSizeGreaterThan(3);
        for (String d : datasets) {
            String[] nsName = d.split("\n", 2);
            JsonNode dataset = json(get("/api/v1/namespaces/" + MarquezApiIT.enc(nsName[0]) + "/datasets/" + MarquezApiIT.enc(nsName[1])));
            assertThat(dataset.path("id").path("namespace").asText()).isEqualTo(nsName[0]);
            assertThat(dataset.path("id").path("name").asText()).isEqualTo(nsName[1]);
            JsonNode versions = json(get("/api/v1/namespaces/" + MarquezApiIT.enc(nsName[0]) + "/datasets/" + MarquezApiIT.enc(nsName[1]) + "/versions"));
            assertThat(versions.path("totalCount").asInt()).isPositive();
        }
    }

    private static HttpResponse<String> get(String path) {
        return http.send(HttpRequest.newBuilder(URI.create(catalog.url(path))).GET().build());
    }

    private static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as("%s: %s", r.uri(), r.body()).isEqualTo(200);
        return LineageHttp.json(r);
    }
}
