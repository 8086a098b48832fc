package io.mlcatalog.plugins.mlflow;

import io.mlcatalog.testkit.TestingCatalog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.mlcatalog.plugins.mlflow.MlflowScenario.CHILD_1;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model copied to storage with MLflow's {@code MLmodel} file beside it (as {@code mlflow.<flavor>.save_model} or a
 * download of the run's artifacts leaves it) names the run by its MLflow run id: read by the filesystem plugin, it joins
 * the run this plugin records, whichever is read first.
 */
class MlflowStorageJoinIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aModelFileWithItsMlmodelIsAnOutputOfTheMlflowRun(boolean mlflowFirst) throws Exception {
        MlflowStores mlflow = new MlflowStores(MlflowStores.Kind.SQL, MlflowScenario.churn(), dir);
        Path models = Files.createDirectories(dir.resolve("models/churn"));
        Files.writeString(models.resolve("model.pkl"), "pickled model bytes");
        Files.writeString(models.resolve("MLmodel"), """
                artifact_path: model
                flavors:
                  sklearn:
                    pickled_model: model.pkl
                    sklearn_version: 1.7.2
                model_uuid: 4b8e1c0d9a7f4e2b8c6d5a4f3e2d1c0b
                run_id: %s
                utc_time_created: '2026-11-20 10:04:50.000000'
                """.formatted(CHILD_1));
        try (TestingCatalog catalog = TestingCatalog.builder()
                .instance("mlflow", "mlflow", mlflow.settings())
                .instance("models", "filesystem", Map.of("roots", List.of(dir.resolve("models").toString()), "namespace", "growth"))
                .start()) {
            for (String instance : mlflowFirst ? List.of("mlflow", "models") : List.of("models", "mlflow")) {
                assertThat(catalog.poll(instance).ok()).isTrue();
            }
            assertThat(catalog.query("""
                    { run(namespace: "growth", name: "%s") { outputs { uri } } }""".formatted(CHILD_1)).path("run").path("outputs")
                    .findValuesAsText("uri")).anyMatch(u -> u.startsWith("file:") && u.endsWith(models.resolve("model.pkl").toString()));
        } finally {
            mlflow.close();
        }
    }
}
