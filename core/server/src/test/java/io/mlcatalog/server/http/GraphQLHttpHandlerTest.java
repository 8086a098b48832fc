package io.mlcatalog.server.http;

import org.junit.jupiter.api.Test;

import static io.mlcatalog.server.http.GraphQLHttpHandler.negotiate;
import static org.assertj.core.api.Assertions.assertThat;

/** Which media type a response gets for an Accept header (RFC 9110 §12.5.1, GraphQL over HTTP). */
class GraphQLHttpHandlerTest {
    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    private static final String JSON = "application/json";

    @Test
    void withoutAcceptTheAnswerIsLegacyJson() {
        assertThat(negotiate(null)).isEqualTo(JSON);
        assertThat(negotiate("")).isEqualTo(JSON);
        assertThat(negotiate("  ")).isEqualTo(JSON);
    }

    @Test
    void eachOfOurTypesWhenAskedForByName() {
        assertThat(negotiate(GRAPHQL_RESPONSE)).isEqualTo(GRAPHQL_RESPONSE);
        assertThat(negotiate(JSON)).isEqualTo(JSON);
        assertThat(negotiate("application/json; charset=utf-8")).isEqualTo(JSON);
        assertThat(negotiate("Application/JSON")).isEqualTo(JSON);
    }

    @Test
    void aWildcardAloneGetsApplicationJsonAsOlderClientsExpect() {
        assertThat(negotiate("*/*")).isEqualTo(JSON);
        assertThat(negotiate("application/*")).isEqualTo(JSON);
        assertThat(negotiate("text/html, application/xhtml+xml, */*;q=0.8")).isEqualTo(JSON);
    }

    @Test
    void nothingWeServeIsNull() {
        assertThat(negotiate("text/html")).isNull();
        assertThat(negotiate("text/html, image/png;q=0.9")).isNull();
        assertThat(negotiate("application/xml")).isNull();
    }

    @Test
    void theHigherQualityWins() {
        assertThat(negotiate(GRAPHQL_RESPONSE + ";q=0.5, " + JSON + ";q=0.9")).isEqualTo(JSON);
        assertThat(negotiate(JSON + ";q=0.5, " + GRAPHQL_RESPONSE + ";q=0.9")).isEqualTo(GRAPHQL_RESPONSE);
        assertThat(negotiate(JSON + ";q=0.5, */*;q=0.8")).isEqualTo(GRAPHQL_RESPONSE);
        assertThat(negotiate(" application/json ; q=0.9 , text/html")).isEqualTo(JSON);
    }

    @Test
    void theQualityParameterIsCaseInsensitive() {
        assertThat(negotiate(JSON + ";Q=0.1, " + GRAPHQL_RESPONSE + ";q=0.5")).isEqualTo(GRAPHQL_RESPONSE);
    }

    @Test
    void qualityZeroMeansNot() {
        assertThat(negotiate(JSON + ";q=0")).isNull();
        assertThat(negotiate(JSON + ";q=0, " + GRAPHQL_RESPONSE + ";q=0.0")).isNull();
        assertThat(negotiate("*/*;q=0")).isNull();
    }

    @Test
    void aTypeRefusedByNameIsNotServedThroughAWildcard() {
        assertThat(negotiate(GRAPHQL_RESPONSE + ";q=0, */*")).isEqualTo(JSON);
        assertThat(negotiate("*/*, " + GRAPHQL_RESPONSE + ";q=0")).isEqualTo(JSON);
        assertThat(negotiate("application/*;q=0, */*")).isNull();
    }

    @Test
    void onATieATypeNamedBeatsAWildcardAndTheFirstNamedBeatsTheSecond() {
        assertThat(negotiate("*/*, " + JSON)).isEqualTo(JSON);
        assertThat(negotiate(JSON + ", " + GRAPHQL_RESPONSE)).isEqualTo(JSON);
        assertThat(negotiate(GRAPHQL_RESPONSE + ", " + JSON)).isEqualTo(GRAPHQL_RESPONSE);
    }
}
