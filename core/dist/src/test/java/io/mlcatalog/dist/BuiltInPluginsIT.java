package io.mlcatalog.dist;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.mlcatalog.server.testing.CatalogProcess;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in plugins ship inside mlcatalog.jar: configured, they run with nothing else installed. */
class BuiltInPluginsIT {

    @Test
    void theGitPluginRunsFromTheJarAlone(@TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve("churn-model");
        RevCommit commit;
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("train.py"), "print('train')\n");
            git.add().addFilepattern("train.py").call();
            commit = git.commit().setMessage("first model").setAuthor("Maria", "maria@acme.io").setCommitter("Maria", "maria@acme.io").call();
        }
        Path config = Files.writeString(tmp.resolve("mlcatalog.yaml"), """
                plugins:
                  - name: churn-repo
                    type: git
                    settings:
                      repository: %s
                """.formatted(repo));

        try (CatalogProcess ingest = CatalogProcess.start("ingest", "churn-repo", "--once", "--config", config.toString(),
                "--data-dir", tmp.resolve("data").toString(), "--plugins-dir", tmp.resolve("no-plugins").toString())) {
            assertThat(ingest.awaitExit(Duration.ofSeconds(120))).as(ingest.output()).isZero();
            assertThat(ingest.output()).contains("emitted      1 CodeVersionRecord").contains("written      1 records")
                    .contains(commit.getName());
        }
    }

    @Test
    void theKubernetesPluginRunsFromTheJarAlone(@TempDir Path tmp) throws Exception {
        // fabric8's client (and its JDK HTTP client, Jackson 3) shaded beside the server's Vert.x and Jackson 2
        KubernetesMockServer cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init();
        try (KubernetesClient client = cluster.createClient()) {
            ResourceDefinitionContext deployments = new ResourceDefinitionContext.Builder().withGroup("apps").withVersion("v1")
                    .withKind("Deployment").withPlural("deployments").withNamespaced(true).build();
            client.genericKubernetesResources(deployments).inNamespace("ml").resource(new GenericKubernetesResourceBuilder()
                    .withApiVersion("apps/v1").withKind("Deployment")
                    .withNewMetadata().withNamespace("ml").withName("churn-api").addToLabels("mlcatalog.io/model", "churn").endMetadata()
                    .addToAdditionalProperties("spec", Map.of("replicas", 2, "template", Map.of(
                            "metadata", Map.of("annotations", Map.of("mlcatalog.io/version", "1")),
                            "spec", Map.of("containers", List.of(Map.of("name", "server", "image", "acme/churn:1"))))))
                    .build()).create();
            Path config = Files.writeString(tmp.resolve("mlcatalog.yaml"), """
                    plugins:
                      - name: prod-eu
                        type: kubernetes
                        settings:
                          cluster: prod-eu
                          apiServer: %s
                          kinds: [deployments]
                    """.formatted(client.getMasterUrl()));

            try (CatalogProcess ingest = CatalogProcess.start("ingest", "prod-eu", "--once", "--config", config.toString(),
                    "--data-dir", tmp.resolve("data").toString(), "--plugins-dir", tmp.resolve("no-plugins").toString())) {
                assertThat(ingest.awaitExit(Duration.ofSeconds(120))).as(ingest.output()).isZero();
                // the model is not registered in this empty catalog: the deployment is seen, and refused naming why
                assertThat(ingest.output()).contains("emitted      1 DeploymentStartRecord").contains("no model named 'churn'")
                        .contains("kind=deployments");
            }
        } finally {
            cluster.destroy();
        }
    }

    @Test
    void theDeploymentWebhookAnswersFromTheJar(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("mlcatalog.yaml"), """
                plugins:
                  - name: deploys
                    type: deployments
                    settings:
                      namespace: growth
                """);
        HttpClient http = HttpClient.newHttpClient();
        try (CatalogProcess serve = CatalogProcess.start("serve", "--config", config.toString(), "--data-dir", tmp.resolve("data").toString(),
                "--plugins-dir", tmp.resolve("no-plugins").toString(), "--port", "0")) {
            String base = serve.awaitReady(Duration.ofSeconds(120));
            String register = "{\"query\": \"mutation { registerModelVersion(input: {namespace: \\\"growth\\\", model: \\\"churn\\\", "
                    + "version: \\\"3\\\"}) { id } }\"}";
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/graphql")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(register)).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .doesNotContain("errors");
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/ingest/deploys/"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"environment": "prod", "target": "churn-api", "model": "churn", "version": "3", "status": "started"}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("recorded");
        }
    }
}
