package io.mlcatalog.bench;

import io.mlcatalog.bench.DashboardAnswers.Query;
import io.mlcatalog.bench.DashboardAnswers.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DashboardAnswersTest {
    private static final String ID = "00b48449-0cdc-3ccc-97ae-7562a2f06b5b";

    private static String ours(String digest) {
        return """
                {"data":{"runs":{"edges":[{"node":{"id":"Run:%s","name":"train","status":"SUCCEEDED","startedAt":"2026-10-31T23:57:14.000000Z",
                  "params":{"lr":0.05,"depth":7},"metrics":{},"codeVersion":{"repository":"https://github.com/acme/x","commit":"56b9"},
                  "inputs":[{"uri":"s3://a/1","digest":"sha256:1"},{"uri":"s3://a/2","digest":"%s"}],"outputs":[],
                  "modelVersions":[{"version":"3","model":{"name":"churn"}}]}}]}}}""".formatted(ID, digest);
    }

    /** The same run as PostGraphile gives it: other names, another offset, other key and list order. */
    private static final String POSTGRAPHILE = """
            {"data":{"allRuns":{"nodes":[{"rowId":"%s","name":"train","status":"SUCCEEDED","startedAt":"2026-11-01T00:57:14.000000+01:00",
              "params":{"depth":7,"lr":0.05},"metrics":{},"codeVersionByCodeVersionId":{"repository":"https://github.com/acme/x","commitSha":"56b9"},
              "lineageEdgesByToId":{"nodes":[{"artifactByFromId":{"uri":"s3://a/2","digest":"sha256:2"}},{"artifactByFromId":{"uri":"s3://a/1","digest":"sha256:1"}}]},
              "lineageEdgesByFromId":{"nodes":[]},
              "modelVersionsByRunId":{"nodes":[{"version":"3","modelByModelId":{"name":"churn"}}]}}]}}}""".formatted(ID);

    private static final String SQL = """
            [{"id":"%s","name":"train","status":"SUCCEEDED","startedAt":"2026-10-31T23:57:14+00:00","params":{"depth": 7, "lr": 0.05},"metrics":{},
              "codeVersion":{"repository":"https://github.com/acme/x","commit":"56b9"},
              "inputs":[{"uri":"s3://a/1","digest":"sha256:1"},{"uri":"s3://a/2","digest":"sha256:2"}],"outputs":[],
              "modelVersions":[{"version":"3","model":{"name":"churn"}}]}]""".formatted(ID);

    @Test
    void theThreeShapesOfTheSameRunsAreTheSameText() {
        String ours = DashboardAnswers.normalize(Query.RUNS, Shape.MLCATALOG, ours("sha256:2"));
        assertThat(ours).startsWith("run " + ID + " name=train status=SUCCEEDED started=2026-10-31T23:57:14Z");
        assertThat(DashboardAnswers.normalize(Query.RUNS, Shape.POSTGRAPHILE, POSTGRAPHILE)).isEqualTo(ours);
        assertThat(DashboardAnswers.normalize(Query.RUNS, Shape.SQL, SQL)).isEqualTo(ours);
    }

    @Test
    void anotherDigestOfOneInputIsAnotherAnswer() {
        String right = DashboardAnswers.normalize(Query.RUNS, Shape.POSTGRAPHILE, POSTGRAPHILE);
        String wrong = DashboardAnswers.normalize(Query.RUNS, Shape.MLCATALOG, ours("sha256:3"));
        assertThat(wrong).isNotEqualTo(right);
        assertThat(DashboardAnswers.firstDifference(right, wrong)).startsWith("line 1:").contains("s3://a/2#sha256:3");
    }

    @Test
    void theOrderOfAPageCounts() {
        String one = """
                {"data":{"deployments":{"edges":[{"node":{"id":"Deployment:a","environment":"prod","target":"api","status":"ACTIVE",
                  "startedAt":"2026-01-02T00:00:00Z","endedAt":null,"modelVersion":{"version":"1","model":{"name":"m"}}}},
                  {"node":{"id":"Deployment:b","environment":"prod","target":"web","status":"ENDED","startedAt":"2026-01-01T00:00:00Z",
                  "endedAt":"2026-01-03T00:00:00Z","modelVersion":{"version":"2","model":{"name":"m"}}}}]}}}""";
        String swapped = """
                [{"id":"b","environment":"prod","target":"web","status":"ENDED","startedAt":"2026-01-01T00:00:00Z","endedAt":"2026-01-03T00:00:00Z",
                  "version":"2","model":"m"},
                 {"id":"a","environment":"prod","target":"api","status":"ACTIVE","startedAt":"2026-01-02T00:00:00Z","endedAt":null,
                  "version":"1","model":"m"}]""";
        assertThat(DashboardAnswers.normalize(Query.DEPLOYMENTS, Shape.SQL, swapped))
                .isNotEqualTo(DashboardAnswers.normalize(Query.DEPLOYMENTS, Shape.MLCATALOG, one));
    }

    @Test
    void anAnswerWithErrorsIsRefused() {
        assertThatThrownBy(() -> DashboardAnswers.normalize(Query.MODEL, Shape.POSTGRAPHILE,
                "{\"errors\":[{\"message\":\"Cannot query field\"}],\"data\":null}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Cannot query field");
    }
}
