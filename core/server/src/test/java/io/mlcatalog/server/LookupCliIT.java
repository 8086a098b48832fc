package io.mlcatalog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.testing.Cli;
import io.mlcatalog.server.testing.Cli.Ran;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** mlcatalog explain, lineage and blast-radius against a running catalog (the demo data), as an on-call engineer runs them. */
class LookupCliIT {
    static final String ADMIN = "lookup-cli-admin-token-0123456789abcdefgh";
    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.startSecured(ADMIN);
        DemoData.load(catalog.server().writer());
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    /** The command, against the test catalog with the admin's token. */
    static Ran mlcatalog(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--url";
        all[args.length + 1] = catalog.url("");
        all[args.length + 2] = "--token";
        all[args.length + 3] = ADMIN;
        return Cli.run(all);
    }

    @Test
    void explainDrawsWhatServedAndHowItWasMade() {
        Ran r = mlcatalog("explain", "--env", "prod", "--target", "churn-api", "--at", "2026-10-22T09:00:00Z");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("prod/churn-api at 2026-10-22T09:00:00")
                .contains("└─ served by churn-classifier v4")
                .contains("made by run growth/")
                .containsPattern("code: commit [0-9a-f]{40} of ")
                .contains("params: ").contains("metrics: ")
                .contains("inputs (").contains("s3://")
                .containsPattern("made by: run growth/build-churn-features-[0-9-]+ \\(SUCCEEDED")
                .containsPattern("code: commit [0-9a-f]{12} of https://github.com/acme/churn-model");
        Ran now = mlcatalog("explain", "--env", "prod", "--target", "churn-api");
        assertThat(now.out()).contains("served by churn-classifier v3").containsPattern("\\[[a-z, ]*production[a-z, ]*\\]");

        JsonNode json = json(mlcatalog("explain", "--env", "prod", "--target", "churn-api", "--json"));
        assertThat(json.path("explain").path("modelVersion").path("version").asText()).isEqualTo("3");

        Ran nothing = mlcatalog("explain", "--env", "prod", "--target", "no-such-service");
        assertThat(nothing.exit()).isEqualTo(1);
        assertThat(nothing.out()).contains("nothing served prod/no-such-service now");
        Ran nothingJson = mlcatalog("explain", "--env", "prod", "--target", "no-such-service", "--json");
        assertThat(nothingJson.exit()).isEqualTo(1);
        assertThat(nothingJson.out().replaceAll("\\s", "")).isEqualTo("{\"explain\":null}");
    }

    @Test
    void aTargetSplitBetweenVersionsNamesTheOthersBesideTheOneExplained() {
        for (String[] v : new String[][] {{"3", "90"}, {"4", "10"}}) {
            catalog.graphql(ADMIN, "mutation($i: DeploymentInput!) { startDeployment(input: $i) { id } }", java.util.Map.of("i",
                    java.util.Map.of("namespace", "growth", "environment", "prod", "target", "split-api", "model", "churn-classifier",
                            "version", v[0], "trafficPercent", Double.parseDouble(v[1])))).ok();
        }
        Ran r = mlcatalog("explain", "--env", "prod", "--target", "split-api");
        assertThat(r.exit()).as(r.err()).isZero();
        String served = r.out().replaceAll("(?s).*served by churn-classifier v(\\d).*", "$1");
        String other = served.equals("3") ? "v4 (10.0%)" : "v3 (90.0%)";
        assertThat(r.out()).contains("beside it: " + other + "\n");
    }

    @Test
    void lineageDrawsATreeUpOrDownFromAUriOrACommit() {
        JsonNode input = json(mlcatalog("explain", "--env", "prod", "--target", "churn-api", "--json")).path("explain").path("inputs").path(0);
        String uri = input.path("uri").asText();
        Ran down = mlcatalog("lineage", uri, "--down", "--depth", "4");
        assertThat(down.exit()).as(down.err()).isZero();
        assertThat(down.out()).startsWith("downstream of dataset " + uri).contains("└─ read by: run growth/")
                .contains("produced: ").contains("registered as: model growth/churn-classifier v");

        String commit = json(mlcatalog("explain", "--env", "prod", "--target", "churn-api", "--json")).path("explain").path("codeVersion")
                .path("commit").asText();
        Ran fromCommit = mlcatalog("lineage", commit.substring(0, 10), "--down", "--depth", "1");
        assertThat(fromCommit.out()).startsWith("downstream of commit " + commit.substring(0, 12)).contains("code of: run growth/");

        // a global id, as the API and --json give it (it reads like a URI: it must not be taken for one)
        Ran fromId = mlcatalog("lineage", input.path("id").asText(), "--down", "--depth", "4");
        assertThat(fromId.exit()).as(fromId.err()).isZero();
        assertThat(fromId.out()).isEqualTo(down.out());

        Ran unknown = mlcatalog("lineage", "s3://no/such/object");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no artifact at s3://no/such/object");
    }

    @Test
    void blastRadiusListsTheVersionsAndTheLiveDeploymentsACommitTouches() {
        String commit = json(mlcatalog("explain", "--env", "prod", "--target", "churn-api", "--json")).path("explain").path("codeVersion")
                .path("commit").asText();
        Ran r = mlcatalog("blast-radius", commit);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("blast radius of commit " + commit.substring(0, 12))
                .containsPattern("model versions \\([1-9]\\d*\\)").containsPattern("growth/churn-classifier v3 \\[[a-z, ]*production[a-z, ]*\\]")
                .containsPattern("live deployments now \\([1-9]\\d*\\)").contains("prod/churn-api  serving churn-classifier v3");
        JsonNode json = json(mlcatalog("blast-radius", commit, "--json"));
        assertThat(json.path("blastRadius").path("deployments").size()).isPositive();
    }

    @Test
    void aMissingTokenIsSaidSo() {
        Ran r = Cli.run("explain", "--env", "prod", "--target", "churn-api", "--url", catalog.url(""), "--token", "");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("needs a token").contains("--token or MLCATALOG_TOKEN");
    }

    @Test
    void aCatalogThatCannotBeReachedIsSaidSo() {
        // port 9 on loopback: nothing listens
        Ran r = Cli.run("lineage", "s3://bucket/x", "--url", "http://127.0.0.1:9");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("mlcatalog: cannot reach the catalog at http://127.0.0.1:9 (")
                .doesNotContain("(null)").contains("is it running? (--url)");
    }

    static JsonNode json(Ran r) {
        assertThat(r.exit()).as(r.err()).isZero();
        try {
            return new ObjectMapper().readTree(r.out());
        } catch (Exception e) {
            throw new AssertionError(r.out(), e);
        }
    }
}
