package io.mlcatalog.server.intake;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** When the write behind gives way to acceptance, and for how long. */
class IntakePaceTest {
    private static final long TOOK = TimeUnit.MILLISECONDS.toNanos(80);
    private static final long JUST_STORED = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Duration FRESH_CLAIM = Duration.ofSeconds(1);

    @Test
    void whileRequestsAreStoredItPausesAsLongAsItsTransactionTook() {
        assertThat(Intake.pause(TOOK, JUST_STORED, Duration.ofSeconds(2), BOUND, FRESH_CLAIM)).isEqualTo(TOOK);
        // at most a second, whatever a transaction took
        assertThat(Intake.pause(TimeUnit.SECONDS.toNanos(7), JUST_STORED, Duration.ofSeconds(2), BOUND, FRESH_CLAIM))
                .isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void withNoRequestStoredLatelyItWritesAtFullSpeed() {
        assertThat(Intake.pause(TOOK, Intake.BUSY_WINDOW_NANOS + 1, Duration.ofSeconds(2), BOUND, FRESH_CLAIM)).isZero();
    }

    @Test
    void onceWhatItWritesWaitedLongerThanTheBoundItWritesAtFullSpeed() {
        assertThat(Intake.pause(TOOK, JUST_STORED, BOUND, BOUND, FRESH_CLAIM)).isEqualTo(TOOK);
        assertThat(Intake.pause(TOOK, JUST_STORED, BOUND.plusMillis(1), BOUND, FRESH_CLAIM)).isZero();
    }

    @Test
    void onceItsClaimIsHalfItsLeaseOldItWritesTheRestAtFullSpeed() {
        Duration half = Intake.LEASE.dividedBy(2);
        assertThat(Intake.pause(TOOK, JUST_STORED, Duration.ofSeconds(2), BOUND, half)).isEqualTo(TOOK);
        assertThat(Intake.pause(TOOK, JUST_STORED, Duration.ofSeconds(2), BOUND, half.plusMillis(1))).isZero();
    }

    @Test
    void aBoundOfZeroNeverGivesWay() {
        assertThat(Intake.pause(TOOK, JUST_STORED, Duration.ZERO, Duration.ZERO, FRESH_CLAIM)).isZero();
    }
}
