package io.mlcatalog.server.ui;

import io.mlcatalog.server.demo.DemoData;
import io.mlcatalog.server.testing.Browser;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incident page where access control is on: without a token it says it needs one; with one, it shows only the
 * namespaces the token may read; the token stays in the tab, out of every link.
 */
class IncidentPageAccessIT {
    private static final String ADMIN = "mlc_incident_page_admin_token_000000000000";

    static TestCatalog catalog;
    static Browser browser;
    static String growthReader;
    static String riskReader;

    @BeforeAll
    static void start() {
        Browser.assumeInstalled();
        catalog = TestCatalog.startSecured(ADMIN);
        DemoData.load(catalog.server().writer());
        growthReader = token("growth-oncall", "growth");
        riskReader = token("risk-oncall", "risk");
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

    private static String token(String name, String namespace) {
        return catalog.graphql(ADMIN, "mutation($i: CreateTokenInput!) { createToken(input: $i) { token } }",
                Map.of("i", Map.of("name", name, "role", "READER", "namespaces", List.of(namespace)))).ok()
                .path("createToken").path("token").asText();
    }

    /** Opens the view with this token given in the page's token field (null: none), as a person would. */
    private static void openAs(String token, String view) {
        browser.open(catalog.url("/ui/"));
        browser.script("sessionStorage.clear()");
        if (token != null) {
            browser.find("#token").clear();
            browser.find("#token").sendKeys(token);
            browser.find("#token-form button[type=submit]").click();
            browser.awaitView();
        }
        browser.open(catalog.url("/ui/#/" + view));
    }

    @Test
    void withoutATokenThePageSaysItNeedsOne() {
        openAs(null, "model?ns=growth&name=churn-classifier");
        assertThat(browser.text("#error")).contains("give one above");
        assertThat(browser.findAll("#model-name")).isEmpty();
    }

    @Test
    void aTokenSeesItsNamespacesOnlyAndStaysOutOfTheLink() {
        openAs(growthReader, "model?ns=growth&name=churn-classifier");
        assertThat(browser.text("#model-name")).isEqualTo("growth/churn-classifier");
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(growthReader);

        openAs(riskReader, "model?ns=growth&name=churn-classifier");
        assertThat(browser.text("#error")).isEqualTo("this token may not read namespace 'growth'");
        assertThat(browser.findAll("#model-name")).isEmpty();
        openAs(riskReader, "explain?env=prod&target=churn-api");
        assertThat(browser.findAll("#served-version")).isEmpty();
        assertThat(browser.text("#result")).contains("Nothing served prod/churn-api now.");
        openAs(riskReader, "model?ns=risk&name=fraud-detector");
        assertThat(browser.text("#model-name")).isEqualTo("risk/fraud-detector");
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(riskReader);
    }

    @Test
    void aRevokedTokenIsRefusedOnTheNextView() {
        String temporary = token("temporary", "growth");
        openAs(temporary, "model?ns=growth&name=churn-classifier");
        assertThat(browser.text("#model-name")).isEqualTo("growth/churn-classifier");
        catalog.graphql(ADMIN, "mutation { revokeToken(name: \"temporary\") { name } }").ok();
        browser.open(catalog.url("/ui/#/model?ns=growth&name=churn-classifier"));
        assertThat(browser.text("#error")).contains("give one above");
    }
}
