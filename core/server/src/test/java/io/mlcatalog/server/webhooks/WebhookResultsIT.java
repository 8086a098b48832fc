package io.mlcatalog.server.webhooks;

import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.events.EventFilter;
import io.mlcatalog.server.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An attempt's result is recorded only for the claim it is of: one that comes back after its claim ran out (another node
 * took the delivery over) or after an admin's redelivery must not undo what the newer attempt recorded.
 */
class WebhookResultsIT {
    static TestCatalog catalog;
    static WebhookStore store;

    @BeforeAll
    static void start() {
        catalog = TestCatalog.start();
        store = new WebhookStore(catalog.server().db());
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    /**
     * A delivery claimed for its first attempt, as the sender claims one. Its webhook is inactive, so that the node's own
     * sender leaves it alone (it claims deliveries of active webhooks only).
     */
    private static WebhookStore.Delivery claimed(String name) throws Exception {
        WebhookStore.Webhook hook = Db.await(store.create(name, "http://127.0.0.1:9/" + name, "secret-of-sixteen-or-more",
                EventFilter.ALL, false, 0, "api", "test"));
        Db db = catalog.server().db();
        Db.await(db.inTransaction(tx -> store.addDeliveries(tx, hook.id(), List.of(1L), 1)));
        Db.await(db.query("update webhook_delivery set attempts = attempts + 1, claimed_until = now() + interval '60 seconds' "
                + "where webhook_id = $1", io.vertx.sqlclient.Tuple.of(hook.id())));
        WebhookStore.Delivery d = Db.await(store.deliveries(hook.id(), null, 10, null)).get(0);
        assertThat(d.attempts()).isEqualTo(1);
        return d;
    }

    private static WebhookStore.Delivery now(WebhookStore.Delivery d) throws Exception {
        return Db.await(store.deliveries(d.webhookId(), null, 10, null)).get(0);
    }

    @Test
    void aFailureThatComesBackAfterTheDeliveryWasDeliveredChangesNothing() throws Exception {
        WebhookStore.Delivery first = claimed("late-failure");
        // the claim ran out and another attempt delivered it
        Db.await(store.delivered(new WebhookStore.Delivery(first.id(), first.webhookId(), first.seq(), "PENDING", first.attempts(),
                null, null, null, null, null, null), 200));
        assertThat(now(first).status()).isEqualTo("DELIVERED");

        Db.await(store.failed(first, null, "no answer within 10000 ms", Duration.ofSeconds(10)));
        WebhookStore.Delivery after = now(first);
        assertThat(after.status()).isEqualTo("DELIVERED");
        assertThat(after.lastError()).isNull();
    }

    @Test
    void aResultOfAnAttemptBeforeARedeliveryIsNotRecordedOverIt() throws Exception {
        WebhookStore.Delivery first = claimed("redelivered");
        Db.await(store.redeliver(first.id()));
        WebhookStore.Delivery redelivered = now(first);
        assertThat(redelivered.attempts()).isZero();

        Db.await(store.failed(first, 503, "answered 503", null)); // the first attempt's answer, late: it would have failed it for good
        assertThat(now(first).status()).isEqualTo("PENDING");
        Db.await(store.delivered(first, 200));
        assertThat(now(first).status()).isEqualTo("PENDING");
    }
}
