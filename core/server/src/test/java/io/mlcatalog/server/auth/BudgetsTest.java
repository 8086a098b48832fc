package io.mlcatalog.server.auth;

import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leaky buckets, on a clock the test moves. */
class BudgetsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Budgets budgets = new Budgets(6_000, 3, now::get);
    private final UUID token = UUID.randomUUID();

    @Test
    void aBurstUpToTheMinutesBudgetThenTheRestoreRate() {
        assertThat(budgets.charge(token, 5_000).currentlyAvailable()).isEqualTo(1_000);
        assertThat(budgets.charge(token, 1_000).currentlyAvailable()).isZero();
        Budgets.OverBudget over = org.junit.jupiter.api.Assertions.assertThrows(Budgets.OverBudget.class, () -> budgets.charge(token, 250));
        // 100 points a second drain: 250 points are there in 2.5 s, said as 3
        assertThat(over.retryAfterSeconds).isEqualTo(3);
        assertThat(over.status.currentlyAvailable()).isZero();
        now.addAndGet(2_500_000_000L);
        assertThat(budgets.charge(token, 250).currentlyAvailable()).isZero();
        now.addAndGet(60_000_000_000L);
        assertThat(budgets.charge(token, 1).currentlyAvailable()).isEqualTo(5_999);
    }

    @Test
    void aRefusedChargeTakesNothingAndEachTokenHasItsOwnBucket() {
        budgets.charge(token, 6_000);
        assertThatThrownBy(() -> budgets.charge(token, 1)).isInstanceOf(Budgets.OverBudget.class);
        assertThat(budgets.charge(UUID.randomUUID(), 6_000).currentlyAvailable()).isZero();
        now.addAndGet(10_000_000L); // 1 point drained
        assertThat(budgets.charge(token, 1).currentlyAvailable()).isZero();
    }

    @Test
    void requestsHaveABudgetOfTheirOwnAndNoTokenNone() {
        budgets.request(token);
        budgets.request(token);
        budgets.request(token);
        assertThatThrownBy(() -> budgets.request(token)).isInstanceOf(Budgets.OverBudget.class)
                .satisfies(e -> assertThat(((Budgets.OverBudget) e).retryAfterSeconds).isEqualTo(20));
        for (int i = 0; i < 100; i++) {
            budgets.request(null);
            assertThat(budgets.charge(null, 1_000_000)).isNull();
        }
    }
}
