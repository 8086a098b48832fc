package io.mlcatalog.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.docs.DocExamples;
import io.mlcatalog.server.testing.Browser;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incident page in a real browser (headless Chromium) against a real catalog holding the demo data set: what
 * served a target at an instant and how it was made, walking the graph by clicking it, the blast radius of an input, a
 * model's history, deep links, and the token it needs where access control is on. Each view's screenshot goes to
 * target/screenshots (and to docs/screenshots with -Dmlcatalog.screenshots=docs/screenshots).
 */
class IncidentPageIT {
    /** The demo's incident: churn-classifier v4 served prod/churn-api from 06:40 to the rollback at 11:40. */
    private static final String DURING_INCIDENT = "2026-10-22T09:00:00Z";

    static TestCatalog catalog;
    static Browser browser;

    @BeforeAll
    static void start() {
        Browser.assumeInstalled();
        catalog = TestCatalog.start();
        DemoData.load(catalog.server().writer());
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    private static String page(TestCatalog c, String view, Map<String, String> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return c.url("/ui/#/" + view + q);
    }

    private static JsonNode explain(String at) {
        return catalog.graphql("""
                query($at: DateTime) { explain(environment: "prod", target: "churn-api", at: $at, depth: 4) {
                  modelVersion { version model { name } } aliasesAtTime
                  run { namespace name params metrics } codeVersion { commit } inputs { id uri digest }
                  upstream { root { ... on Node { id } } nodes { ... on Node { id } } } } }""", at == null ? Map.of() : Map.of("at", at)).ok().path("explain");
    }

    /** The nodes a graph answer names: its root and its nodes, each once. */
    private static int distinctNodes(JsonNode graph) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        ids.add(graph.path("root").path("id").asText());
        graph.path("nodes").forEach(n -> ids.add(n.path("id").asText()));
        return ids.size();
    }

    private static List<String> texts(List<WebElement> elements) {
        return elements.stream().map(WebElement::getText).toList();
    }

    @Test
    void whatServedDuringTheIncidentWithItsRunCommitInputsAndUpstreamGraph() {
        JsonNode expected = explain(DURING_INCIDENT);
        browser.open(page(catalog, "explain", Map.of("env", "prod", "target", "churn-api", "at", DURING_INCIDENT)));

        assertThat(browser.text("#served-version")).isEqualTo("churn-classifier v4");
        assertThat(expected.path("modelVersion").path("version").asText()).isEqualTo("4");
        List<String> aliases = new ArrayList<>();
        expected.path("aliasesAtTime").forEach(a -> aliases.add(a.asText()));
        assertThat(texts(browser.findAll("#served-aliases .tag"))).containsExactlyElementsOf(aliases).contains("production");
        assertThat(browser.text("#run-name")).isEqualTo(expected.path("run").path("namespace").asText() + "/" + expected.path("run").path("name").asText());
        assertThat(browser.text("#params")).contains("learning_rate").contains(expected.path("run").path("params").path("learning_rate").asText());
        assertThat(browser.text("#metrics")).contains("auc");
        assertThat(browser.text("#commit")).isEqualTo(expected.path("codeVersion").path("commit").asText());
        String inputs = browser.text("#inputs");
        assertThat(expected.path("inputs").size()).isPositive();
        expected.path("inputs").forEach(i -> assertThat(inputs).contains(i.path("uri").asText()).contains(i.path("digest").asText()));
        // the upstream graph drawn: the run and every node the API gives
        assertThat(Integer.parseInt(browser.find("#graph").getDomAttribute("data-nodes"))).isEqualTo(distinctNodes(expected.path("upstream")))
                .isGreaterThan(3);
        assertThat(browser.findAll("#graph canvas")).isNotEmpty();
        browser.screenshot("explain");
    }

    @Test
    void theFormAsksForNowAndItsAddressIsADeepLinkThatOpensTheSameView() {
        browser.open(catalog.url("/ui/"));
        browser.find("#env").sendKeys("prod");
        browser.find("#target").sendKeys("churn-api");
        browser.find("#explain-form button[type=submit]").click();
        browser.waitUntil(d -> d.getCurrentUrl().contains("target=churn-api"));
        browser.awaitView();
        // after the rollback, v3 serves again
        assertThat(browser.text("#served-version")).isEqualTo("churn-classifier v" + explain(null).path("modelVersion").path("version").asText())
                .isEqualTo("churn-classifier v3");

        String link = browser.driver().getCurrentUrl();
        assertThat(link).isEqualTo(catalog.url("/ui/#/explain?env=prod&target=churn-api"));
        browser.find("#copy-link").click();
        // its text, not what is on screen: the status fades after a few seconds
        browser.waitUntil(d -> !browser.find("#status").getDomProperty("textContent").isEmpty());
        // headless Chromium may refuse the clipboard; the page then shows the link to copy by hand
        assertThat(browser.find("#status").getDomProperty("textContent")).isIn("link copied", link);

        browser.open(link);
        assertThat(browser.text("#served-version")).isEqualTo("churn-classifier v3");
    }

    @Test
    void clickingANodeShowsItAndADoubleClickWalksOnFromIt() {
        JsonNode expected = explain(DURING_INCIDENT);
        JsonNode input = expected.path("inputs").path(0);
        browser.open(page(catalog, "explain", Map.of("env", "prod", "target", "churn-api", "at", DURING_INCIDENT)));

        WebElement graph = browser.find("#graph");
        clickNode(graph, input.path("id").asText(), false);
        browser.waitUntil(d -> browser.text("#selected").contains(input.path("uri").asText()));
        assertThat(browser.text("#selected")).contains(input.path("digest").asText());

        clickNode(graph, input.path("id").asText(), true);
        browser.waitUntil(d -> d.getCurrentUrl().contains("#/lineage?node="));
        browser.awaitView();
        assertThat(browser.driver().getCurrentUrl()).contains(URLEncoder.encode(input.path("id").asText(), StandardCharsets.UTF_8));
        assertThat(browser.text("#root")).contains(input.path("uri").asText());
        JsonNode lineage = catalog.graphql("query($id: ID!) { lineage(from: $id, direction: UPSTREAM, depth: 3) { root { ... on Node { id } } nodes { ... on Node { id } } } }",
                Map.of("id", input.path("id").asText())).ok().path("lineage");
        assertThat(Integer.parseInt(browser.find("#graph").getDomAttribute("data-nodes"))).isEqualTo(distinctNodes(lineage));
        browser.screenshot("lineage");
    }

    /** A real mouse click (or double click) where the graph library drew the node. */
    private static void clickNode(WebElement graph, String id, boolean twice) {
        @SuppressWarnings("unchecked")
        Map<String, Number> at = (Map<String, Number>) browser.script("arguments[0].scrollIntoView({block: 'center'});"
                + "const p = arguments[0].cy.getElementById(arguments[1]).renderedPosition(); return {x: p.x, y: p.y};", graph, id);
        int x = (int) Math.round(at.get("x").doubleValue() - graph.getRect().getWidth() / 2.0);
        int y = (int) Math.round(at.get("y").doubleValue() - graph.getRect().getHeight() / 2.0);
        Actions actions = new Actions(browser.driver()).moveToElement(graph, x, y);
        (twice ? actions.doubleClick() : actions.click()).perform();
    }

    @Test
    void theBlastRadiusOfADatasetListsTheVersionsItFedAndWhereTheyServed() {
        String uri = explain(DURING_INCIDENT).path("inputs").path(0).path("uri").asText();
        String id = catalog.graphql("query($uri: String!) { artifact(uri: $uri) { id } }", Map.of("uri", uri)).ok()
                .path("artifact").path("id").asText();
        JsonNode blast = catalog.graphql("""
                query($id: ID!, $at: DateTime) { blastRadius(from: $id, activeAt: $at) { modelVersions { version model { namespace name } }
                  deployments { environment target } } }""", Map.of("id", id, "at", DURING_INCIDENT)).ok().path("blastRadius");
        assertThat(blast.path("modelVersions").size()).isPositive();

        browser.open(page(catalog, "blast", Map.of("from", uri, "at", DURING_INCIDENT)));
        assertThat(browser.text("#root")).contains(uri);
        List<String> models = texts(browser.findAll("#versions tr td:nth-child(1)"));
        List<String> numbers = texts(browser.findAll("#versions tr td:nth-child(2)"));
        List<String> expectedVersions = new ArrayList<>();
        blast.path("modelVersions").forEach(v -> expectedVersions.add(v.path("model").path("namespace").asText() + "/"
                + v.path("model").path("name").asText() + " v" + v.path("version").asText()));
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            shown.add(models.get(i) + " " + numbers.get(i));
        }
        assertThat(shown).containsExactlyInAnyOrderElementsOf(expectedVersions).contains("growth/churn-classifier v4");
        // during the incident v4 served prod (and staging): the on-call engineer's answer to "what did the bad data reach"
        List<String> expectedDeployments = new ArrayList<>();
        blast.path("deployments").forEach(d -> expectedDeployments.add(d.path("environment").asText() + "/" + d.path("target").asText()));
        assertThat(texts(browser.findAll("#deployments tr td:nth-child(1)"))).containsExactlyInAnyOrderElementsOf(expectedDeployments)
                .contains("prod/churn-api");
        browser.screenshot("blast-radius");

        // now, after the rollback, v4 serves nowhere
        browser.open(page(catalog, "blast", Map.of("from", uri)));
        assertThat(browser.findAll("#deployments tr td")).isEmpty();
        assertThat(browser.text("#no-deployments")).isEqualTo("none of these versions served anywhere now");

        // from a commit, as typed into the form: the short sha resolves
        String commit = explain(DURING_INCIDENT).path("codeVersion").path("commit").asText();
        browser.open(catalog.url("/ui/#/blast"));
        browser.find("#from").sendKeys(commit);
        browser.find("#blast-form button[type=submit]").click();
        browser.waitUntil(d -> d.getCurrentUrl().contains("from=" + commit));
        browser.awaitView();
        assertThat(browser.text("#root")).contains(commit);
        assertThat(browser.findAll("#versions tr td")).isNotEmpty();
    }

    @Test
    void aModelPageDrawsItsAliasHistoryAndDeploymentsAsIntervals() {
        JsonNode model = catalog.graphql("""
                { model(namespace: "growth", name: "churn-classifier") { versions { totalCount edges { node { version
                    deployments { totalCount } } } } aliasHistory { name modelVersion { version } } } }""").ok().path("model");
        int deployments = 0;
        for (JsonNode v : model.path("versions").path("edges")) {
            deployments += v.path("node").path("deployments").path("totalCount").asInt();
        }

        browser.open(page(catalog, "model", Map.of("ns", "growth", "name", "churn-classifier")));
        assertThat(browser.text("#model-name")).isEqualTo("growth/churn-classifier");
        assertThat(browser.findAll("#alias-timeline .interval")).hasSize(model.path("aliasHistory").size());
        List<String> production = new ArrayList<>();
        model.path("aliasHistory").forEach(a -> {
            if (a.path("name").asText().equals("production")) {
                production.add("v" + a.path("modelVersion").path("version").asText());
            }
        });
        // the rollback: production went to v4 and back to v3
        assertThat(production).containsSubsequence("v4", "v3");
        assertThat(browser.findAll("#alias-timeline .row[data-alias=production] .interval").stream()
                .map(e -> e.getDomAttribute("title").split(":")[0]).toList()).containsExactlyElementsOf(production);
        assertThat(browser.findAll("#deployment-timeline .interval")).hasSize(deployments);
        assertThat(browser.findAll("#model-versions tr")).hasSize(model.path("versions").path("totalCount").asInt() + 1);
        browser.screenshot("model");
    }

    @Test
    void everyDeepLinkOfTheDocumentOpensItsView() {
        List<String> links = DocExamples.blocks("docs/incident-page.md", "text").stream()
                .flatMap(b -> b.lines()).filter(l -> l.startsWith("/ui/#/")).toList();
        assertThat(links).hasSize(4);
        Map<String, String> shows = Map.of("explain", "#served-version", "lineage", "#root", "blast", "#versions", "model", "#model-name");
        for (String link : links) {
            browser.open(catalog.url(link));
            String view = link.substring("/ui/#/".length(), link.indexOf('?'));
            assertThat(browser.findAll("#error")).as(link).isEmpty();
            assertThat(browser.text(shows.get(view))).as(link).isNotBlank();
        }
    }

    @Test
    void aTargetThatNeverServedSaysSo() {
        browser.open(page(catalog, "explain", Map.of("env", "prod", "target", "no-such-api")));
        assertThat(browser.text("#nothing")).isEqualTo("Nothing served prod/no-such-api now.");
        browser.open(page(catalog, "explain", Map.of("env", "prod", "target", "churn-api", "at", "yesterday")));
        assertThat(browser.text("#error")).contains("'yesterday'");
    }

    @Test
    void theFilesAreServedFromTheJarWithAPolicyThatAllowsNothingFromElsewhere() throws Exception {
        for (String path : List.of("/ui/", "/ui/app.js", "/ui/app.css", "/ui/vendor/cytoscape.min.js")) {
            HttpResponse<String> response = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url(path))).GET().build());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy").orElseThrow()).as(path)
                    .startsWith("default-src 'self'").contains("frame-ancestors 'none'");
        }
        HttpResponse<String> index = catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/ui/"))).GET().build());
        assertThat(index.body()).doesNotContain("http://").doesNotContain("https://");
        assertThat(catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/ui"))).GET().build()).statusCode()).isIn(301, 302);
        assertThat(catalog.raw(HttpRequest.newBuilder(URI.create(catalog.url("/ui/../pom.xml"))).GET().build()).statusCode()).isNotEqualTo(200);
    }
}
