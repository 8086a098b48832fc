package io.mlcatalog.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlcatalog.server.testing.TestCatalog;
import io.mlcatalog.server.testing.TestCatalog.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Models, their versions and aliases as a client sees them, including what an alias meant at any instant. */
class ModelApiIT {
    private static final String REGISTER = """
            mutation($input: ModelVersionInput!) { registerModelVersion(input: $input) {
              id version status model { id name namespace } artifact { uri } run { id } tags { key value } } }""";
    private static final String SET_ALIAS = """
            mutation($ns: String!, $model: String!, $alias: String!, $version: String!, $at: DateTime) {
              setAlias(namespace: $ns, model: $model, alias: $alias, version: $version, at: $at) {
                name since until setBy modelVersion { version } } }""";
    private static final String REMOVE_ALIAS = """
            mutation($ns: String!, $model: String!, $alias: String!, $at: DateTime) {
              removeAlias(namespace: $ns, model: $model, alias: $alias, at: $at) }""";
    private static final String ALIASES_AS_OF = """
            query($ns: String!, $model: String!, $asOf: DateTime) { model(namespace: $ns, name: $model) {
              aliases(asOf: $asOf) { name since until modelVersion { version } } } }""";
    private static final String VERSION_BY_ALIAS = """
            query($ns: String!, $model: String!, $alias: String!, $asOf: DateTime) { model(namespace: $ns, name: $model) {
              version(alias: $alias, asOf: $asOf) { version } } }""";

    private static final Instant T1 = Instant.parse("2026-04-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-04-02T00:00:00Z");
    private static final Instant T3 = Instant.parse("2026-04-03T00:00:00Z");

    static TestCatalog catalog;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    // ------------------------------------------------------------------ registering versions

    @Test
    void versionsAreNumberedOneTwoThree() {
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            versions.add(register(Map.of("namespace", "mv-numbers", "model", "churn",
                    "artifact", artifact("mv-numbers", "s3://models/numbers/" + i + ".pkl"))).path("version").asText());
        }
        assertThat(versions).containsExactly("1", "2", "3");

        JsonNode model = catalog.graphql("""
                { model(namespace: "mv-numbers", name: "churn") { versions { totalCount edges { node { version } } } } }""")
                .ok().path("model");
        assertThat(model.path("versions").path("totalCount").asInt()).isEqualTo(3);
        assertThat(model.path("versions").path("edges").findValuesAsText("version")).containsExactly("3", "2", "1");
    }

    @Test
    void theSameRegistrationSentAgainRegistersNothingNew() {
        String runId = run("mv-repeat", "train");
        Map<String, Object> input = Map.of("namespace", "mv-repeat", "model", "churn", "runId", runId,
                "artifact", artifact("mv-repeat", "s3://models/repeat/model.pkl"), "tags", List.of(Map.of("key", "owner", "value", "ml")));
        JsonNode first = register(input);
        Map<String, Long> before = catalog.rowCounts();

        JsonNode again = register(input);

        assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
        assertThat(again.path("version").asText()).isEqualTo("1");
        assertThat(again.path("run").path("id").asText()).isEqualTo(runId);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void anExplicitVersionWithAnotherArtifactIsAConflictAndWritesNothing() {
        register(Map.of("namespace", "mv-conflict", "model", "churn", "version", "1",
                "artifact", artifact("mv-conflict", "s3://models/conflict/a.pkl")));
        Map<String, Long> before = catalog.rowCounts();

        Result r = catalog.graphql(REGISTER, Map.of("input", Map.of("namespace", "mv-conflict", "model", "churn", "version", "1",
                "artifact", artifact("mv-conflict", "s3://models/conflict/b.pkl"))));

        assertThat(r.errorCode()).isEqualTo("CONFLICT");
        assertThat(r.errorField()).isEqualTo("input.artifact");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aMissingRunIsNotFoundAndWritesNothing() {
        Map<String, Long> before = catalog.rowCounts();

        Result r = catalog.graphql(REGISTER, Map.of("input", Map.of("namespace", "mv-no-run", "model", "churn",
                "runId", "Run:00000000-0000-0000-0000-00000000beef", "artifact", artifact("mv-no-run", "s3://models/no-run.pkl"))));

        assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(r.errorField()).isEqualTo("input.runId");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void modelsFilterByNamespaceNameAndTag() {
        register(Map.of("namespace", "mv-filter", "model", "Churn-Classifier", "version", "1"));
        register(Map.of("namespace", "mv-filter", "model", "fraud", "version", "1"));
        String fraudOther = register(Map.of("namespace", "mv-filter-other", "model", "fraud-detector", "version", "1"))
                .path("model").path("id").asText();
        catalog.graphql("mutation($id: ID!) { setTags(entity: $id, tags: [{key: \"tier\", value: \"gold\"}]) { id } }",
                Map.of("id", fraudOther)).ok();

        assertThat(models(Map.of("namespace", "mv-filter"))).containsExactlyInAnyOrder("Churn-Classifier", "fraud");
        assertThat(models(Map.of("nameContains", "FRAUD"))).containsExactlyInAnyOrder("fraud", "fraud-detector");
        assertThat(models(Map.of("namespace", "mv-filter", "nameContains", "classif"))).containsExactly("Churn-Classifier");
        assertThat(models(Map.of("tag", Map.of("key", "tier")))).containsExactly("fraud-detector");
        assertThat(models(Map.of("tag", Map.of("key", "tier", "value", "silver")))).isEmpty();
    }

    @Test
    void aModelNameInSeveralNamespacesNeedsTheNamespace() {
        register(Map.of("namespace", "mv-ambiguous-a", "model", "shared-name-model", "version", "1"));
        register(Map.of("namespace", "mv-ambiguous-b", "model", "shared-name-model", "version", "7"));

        Result r = catalog.graphql("{ model(name: \"shared-name-model\") { id } }");
        assertThat(r.errorCode()).isEqualTo("BAD_USER_INPUT");
        assertThat(r.errorField()).isEqualTo("namespace");

        JsonNode b = catalog.graphql("""
                { model(namespace: "mv-ambiguous-b", name: "shared-name-model") { namespace version(version: "7") { version } } }""")
                .ok().path("model");
        assertThat(b.path("namespace").asText()).isEqualTo("mv-ambiguous-b");
        assertThat(b.path("version").path("version").asText()).isEqualTo("7");
    }

    @Test
    void anUnambiguousModelNameNeedsNoNamespace() {
        register(Map.of("namespace", "mv-unique", "model", "unique-name-model", "version", "1"));

        JsonNode m = catalog.graphql("{ model(name: \"unique-name-model\") { namespace } missing: model(name: \"no-such-model\") { id } }")
                .ok();
        assertThat(m.path("model").path("namespace").asText()).isEqualTo("mv-unique");
        assertThat(m.path("missing").isNull()).isTrue();
    }

    @Test
    void modelVersionIsFoundByNumberOrByAlias() {
        register(Map.of("namespace", "mv-lookup", "model", "churn", "version", "1"));
        register(Map.of("namespace", "mv-lookup", "model", "churn", "version", "2"));
        setAlias("mv-lookup", "churn", "champion", "1", null);

        JsonNode found = catalog.graphql("""
                { byAlias: modelVersion(namespace: "mv-lookup", model: "churn", alias: "champion") { version }
                  byNumber: modelVersion(model: "churn", namespace: "mv-lookup", version: "2") { version }
                  noAlias: modelVersion(namespace: "mv-lookup", model: "churn", alias: "production") { version } }""").ok();
        assertThat(found.path("byAlias").path("version").asText()).isEqualTo("1");
        assertThat(found.path("byNumber").path("version").asText()).isEqualTo("2");
        assertThat(found.path("noAlias").isNull()).isTrue();
    }

    // ------------------------------------------------------------------ aliases over time

    @Test
    void anAliasAnswersWhatItMeantAtEachInstant() {
        threeVersions("alias-history");
        setAlias("alias-history", "churn", "production", "1", T1);
        setAlias("alias-history", "churn", "production", "2", T2);
        setAlias("alias-history", "churn", "production", "3", T3);

        assertHistory("alias-history");
        // the whole history at once, oldest first, each interval ending where the next begins
        JsonNode intervals = catalog.graphql("""
                { model(namespace: "alias-history", name: "churn") { aliasHistory(alias: "production") { since until modelVersion { version } } } }""")
                .ok().path("model").path("aliasHistory");
        assertThat(intervals.findValuesAsText("version")).containsExactly("1", "2", "3");
        assertThat(intervals.path(0).path("until").asText()).isEqualTo(intervals.path(1).path("since").asText());
        assertThat(intervals.path(2).path("until").isNull()).isTrue();
    }

    @Test
    void aliasAssignmentsArrivingOutOfOrderGiveTheSameHistory() {
        threeVersions("alias-out-of-order");
        setAlias("alias-out-of-order", "churn", "production", "3", T3);
        setAlias("alias-out-of-order", "churn", "production", "1", T1);
        setAlias("alias-out-of-order", "churn", "production", "2", T2);

        assertHistory("alias-out-of-order");
    }

    @Test
    void settingAnAliasToWhereItPointsChangesNothing() {
        threeVersions("alias-again");
        setAlias("alias-again", "churn", "production", "2", null);
        Map<String, Long> before = catalog.rowCounts();

        JsonNode again = setAlias("alias-again", "churn", "production", "2", null);

        assertThat(again.path("modelVersion").path("version").asText()).isEqualTo("2");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void theSameTimedAssignmentSentTwiceChangesNothing() {
        threeVersions("alias-timed-again");
        setAlias("alias-timed-again", "churn", "production", "1", T1);
        Map<String, Long> before = catalog.rowCounts();

        JsonNode again = setAlias("alias-timed-again", "churn", "production", "1", T1);

        assertThat(instant(again.path("since"))).isEqualTo(T1);
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void aTimedAssignmentOfTheVersionTheAliasHoldsIsKeptButLogsNoChange() {
        threeVersions("alias-held");
        setAlias("alias-held", "churn", "production", "1", T1);
        setAlias("alias-held", "churn", "production", "3", T3);
        long changes = catalog.count("select count(*) from change_log where action = 'ALIAS_SET'");

        setAlias("alias-held", "churn", "production", "1", T2); // already v1 at T2

        assertThat(catalog.count("select count(*) from change_log where action = 'ALIAS_SET'")).isEqualTo(changes);
        // recorded all the same: a late move to v2 between T1 and T2 ends at T2, where v1 was asserted again
        setAlias("alias-held", "churn", "production", "2", mid(T1, T2));
        assertThat(versionByAlias("alias-held", "production", mid(mid(T1, T2), T2))).isEqualTo("2");
        assertThat(versionByAlias("alias-held", "production", T2)).isEqualTo("1");
        assertThat(versionByAlias("alias-held", "production", T3)).isEqualTo("3");
    }

    @Test
    void theSinceAnAliasReturnsFindsItsVersionAsOfThatInstant() {
        threeVersions("alias-since-now");
        setAlias("alias-since-now", "churn", "production", "1", T1);
        JsonNode set = setAlias("alias-since-now", "churn", "production", "2", null);

        Instant since = instant(set.path("since"));

        assertThat(versionByAlias("alias-since-now", "production", since)).isEqualTo("2");
        assertThat(versionByAlias("alias-since-now", "production", since.minusNanos(1000))).isEqualTo("1");
    }

    @Test
    void aRemovedAliasStillAnswersForInstantsBeforeTheRemoval() {
        threeVersions("alias-removed");
        setAlias("alias-removed", "churn", "production", "1", T1);
        Map<String, Object> vars = new HashMap<>(Map.of("ns", "alias-removed", "model", "churn", "alias", "production", "at", T2.toString()));

        assertThat(catalog.graphql(REMOVE_ALIAS, vars).ok().path("removeAlias").asBoolean()).isTrue();
        assertThat(catalog.graphql(REMOVE_ALIAS, vars).ok().path("removeAlias").asBoolean()).isFalse();

        assertThat(versionByAlias("alias-removed", "production", mid(T1, T2))).isEqualTo("1");
        assertThat(versionByAlias("alias-removed", "production", mid(T2, T3))).isNull();
        assertThat(versionByAlias("alias-removed", "production", null)).isNull();
        JsonNode interval = aliasesAsOf("alias-removed", mid(T1, T2)).path(0);
        assertThat(instant(interval.path("until"))).isEqualTo(T2);
    }

    @Test
    void aLateRemovalAndASetAfterItLeaveAGapInTheHistory() {
        threeVersions("alias-gap");
        setAlias("alias-gap", "churn", "production", "1", T1);
        setAlias("alias-gap", "churn", "production", "1", T3);
        Map<String, Object> vars = new HashMap<>(Map.of("ns", "alias-gap", "model", "churn", "alias", "production", "at", T2.toString()));
        assertThat(catalog.graphql(REMOVE_ALIAS, vars).ok().path("removeAlias").asBoolean()).isTrue();

        assertInterval(aliasesAsOf("alias-gap", mid(T1, T2)), "1", T1, T2);
        assertThat(aliasesAsOf("alias-gap", mid(T2, T3))).isEmpty();
        assertInterval(aliasesAsOf("alias-gap", null), "1", T3, null);
    }

    @Test
    void aModelVersionListsTheAliasesItHeldAtAnInstant() {
        threeVersions("alias-of-version");
        setAlias("alias-of-version", "churn", "production", "1", T1);
        setAlias("alias-of-version", "churn", "champion", "1", T1);
        setAlias("alias-of-version", "churn", "production", "2", T2);

        String query = """
                query($asOf: DateTime) { model(namespace: "alias-of-version", name: "churn") {
                  v1: version(version: "1") { aliases(asOf: $asOf) } v2: version(version: "2") { aliases(asOf: $asOf) } } }""";
        JsonNode between = catalog.graphql(query, Map.of("asOf", mid(T1, T2).toString())).ok().path("model");
        assertThat(texts(between.path("v1").path("aliases"))).containsExactly("champion", "production");
        assertThat(texts(between.path("v2").path("aliases"))).isEmpty();

        JsonNode now = catalog.graphql(query, new HashMap<>()).ok().path("model");
        assertThat(texts(now.path("v1").path("aliases"))).containsExactly("champion");
        assertThat(texts(now.path("v2").path("aliases"))).containsExactly("production");

        JsonNode before = catalog.graphql(query, Map.of("asOf", T1.minusSeconds(1).toString())).ok().path("model");
        assertThat(texts(before.path("v1").path("aliases"))).isEmpty();
    }

    @Test
    void anAliasToAMissingVersionIsNotFoundAndWritesNothing() {
        threeVersions("alias-missing");
        Map<String, Long> before = catalog.rowCounts();

        Result r = catalog.graphql(SET_ALIAS, Map.of("ns", "alias-missing", "model", "churn", "alias", "production", "version", "9"));

        assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(r.errorField()).isEqualTo("version");
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    @Test
    void anAliasOfAMissingModelIsNotFound() {
        Result r = catalog.graphql(SET_ALIAS, Map.of("ns", "alias-no-model", "model", "nothing", "alias", "production", "version", "1"));

        assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(r.errorField()).isEqualTo("model");
    }

    // ------------------------------------------------------------------ tags

    @Test
    void setTagsReplacesTheTagsOfAVersionAndTwiceChangesNothing() {
        String id = register(Map.of("namespace", "mv-tags", "model", "churn", "version", "1",
                "tags", List.of(Map.of("key", "old", "value", "x"), Map.of("key", "stage", "value", "dev")))).path("id").asText();
        String setTags = """
                mutation($id: ID!, $tags: [TagInput!]!) { setTags(entity: $id, tags: $tags) {
                  ... on ModelVersion { tags { key value } } } }""";
        List<Map<String, String>> tags = List.of(Map.of("key", "stage", "value", "prod"), Map.of("key", "Beta", "value", "b"),
                Map.of("key", "alpha", "value", "a"));

        JsonNode set = catalog.graphql(setTags, Map.of("id", id, "tags", tags)).ok().path("setTags");
        Map<String, String> got = new LinkedHashMap<>();
        set.path("tags").forEach(t -> got.put(t.path("key").asText(), t.path("value").asText()));
        assertThat(got).containsOnly(Map.entry("stage", "prod"), Map.entry("Beta", "b"), Map.entry("alpha", "a"));

        Map<String, Long> before = catalog.rowCounts();
        catalog.graphql(setTags, Map.of("id", id, "tags", tags)).ok();
        assertThat(catalog.rowCounts()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ helpers

    private static void threeVersions(String namespace) {
        for (String v : List.of("1", "2", "3")) {
            register(Map.of("namespace", namespace, "model", "churn", "version", v));
        }
    }

    /** production: v1 from T1, v2 from T2, v3 from T3. */
    private static void assertHistory(String ns) {
        assertThat(versionByAlias(ns, "production", T1.minusSeconds(1))).isNull();
        assertThat(versionByAlias(ns, "production", T1)).isEqualTo("1");
        assertThat(versionByAlias(ns, "production", mid(T1, T2))).isEqualTo("1");
        assertThat(versionByAlias(ns, "production", T2)).isEqualTo("2");
        assertThat(versionByAlias(ns, "production", mid(T2, T3))).isEqualTo("2");
        assertThat(versionByAlias(ns, "production", mid(T3, T3.plusSeconds(3600)))).isEqualTo("3");
        assertThat(versionByAlias(ns, "production", null)).isEqualTo("3");

        assertThat(aliasesAsOf(ns, T1.minusSeconds(1))).isEmpty();
        assertInterval(aliasesAsOf(ns, mid(T1, T2)), "1", T1, T2);
        assertInterval(aliasesAsOf(ns, mid(T2, T3)), "2", T2, T3);
        assertInterval(aliasesAsOf(ns, null), "3", T3, null);
    }

    private static void assertInterval(JsonNode aliases, String version, Instant since, Instant until) {
        assertThat(aliases).hasSize(1);
        JsonNode a = aliases.path(0);
        assertThat(a.path("name").asText()).isEqualTo("production");
        assertThat(a.path("modelVersion").path("version").asText()).isEqualTo(version);
        assertThat(instant(a.path("since"))).isEqualTo(since);
        assertThat(instant(a.path("until"))).isEqualTo(until);
    }

    private static JsonNode aliasesAsOf(String ns, Instant asOf) {
        Map<String, Object> vars = new HashMap<>(Map.of("ns", ns, "model", "churn"));
        vars.put("asOf", asOf == null ? null : asOf.toString());
        return catalog.graphql(ALIASES_AS_OF, vars).ok().path("model").path("aliases");
    }

    private static String versionByAlias(String ns, String alias, Instant asOf) {
        Map<String, Object> vars = new HashMap<>(Map.of("ns", ns, "model", "churn", "alias", alias));
        vars.put("asOf", asOf == null ? null : asOf.toString());
        JsonNode v = catalog.graphql(VERSION_BY_ALIAS, vars).ok().path("model").path("version");
        return v.isNull() ? null : v.path("version").asText();
    }

    private static JsonNode setAlias(String ns, String model, String alias, String version, Instant at) {
        Map<String, Object> vars = new HashMap<>(Map.of("ns", ns, "model", model, "alias", alias, "version", version));
        vars.put("at", at == null ? null : at.toString());
        return catalog.graphql(SET_ALIAS, vars).ok().path("setAlias");
    }

    private static JsonNode register(Map<String, ?> input) {
        return catalog.graphql(REGISTER, Map.of("input", input)).ok().path("registerModelVersion");
    }

    private static String run(String namespace, String name) {
        return catalog.graphql("mutation($ns: String!, $n: String!) { upsertRun(input: {namespace: $ns, name: $n, status: SUCCEEDED}) { id } }",
                Map.of("ns", namespace, "n", name)).ok().path("upsertRun").path("id").asText();
    }

    private static Map<String, Object> artifact(String namespace, String uri) {
        return Map.of("namespace", namespace, "uri", uri, "kind", "MODEL");
    }

    private static List<String> models(Map<String, ?> filter) {
        JsonNode models = catalog.graphql("""
                query($f: ModelFilter) { models(filter: $f, first: 100) { totalCount edges { node { name } } } }""",
                Map.of("f", filter)).ok().path("models");
        List<String> names = models.path("edges").findValuesAsText("name");
        assertThat(models.path("totalCount").asInt()).isEqualTo(names.size());
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    private static Instant mid(Instant a, Instant b) {
        return a.plusMillis((b.toEpochMilli() - a.toEpochMilli()) / 2);
    }

    private static Instant instant(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : OffsetDateTime.parse(node.asText()).toInstant();
    }
}
