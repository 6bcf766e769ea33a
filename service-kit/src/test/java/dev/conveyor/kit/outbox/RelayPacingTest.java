package dev.conveyor.kit.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RelayPacingTest {
    private static final long LINGER = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long IDLE_LINGER = TimeUnit.MILLISECONDS.toNanos(4);
    private static final long ENDED = 1_000_000_000L;

    private static long waitAfter(int lastPublished, long millisSincePass) {
        return RelayPacing.waitNanos(
                lastPublished, 500, ENDED, ENDED + TimeUnit.MILLISECONDS.toNanos(millisSincePass), LINGER, IDLE_LINGER);
    }

    @Test
    void aNudgeSoonAfterAPassThatPublishedWaitsOutTheRestOfTheLinger() {
        assertThat(waitAfter(3, 2)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(3));
    }

    @Test
    void aNudgeAfterTheLingerHasPassedIsAQuietSpellAndWaitsTheIdleLinger() {
        assertThat(waitAfter(3, 7)).isEqualTo(IDLE_LINGER);
    }

    @Test
    void theFirstEventAfterAPassThatFoundNothingWaitsTheIdleLinger() {
        assertThat(waitAfter(0, 0)).isEqualTo(IDLE_LINGER);
    }

    @Test
    void aFullPassIsFollowedAtOnceSoABacklogDrainsWithoutPauses() {
        assertThat(waitAfter(500, 0)).isZero();
    }

    @Test
    void zeroLingersNeverWait() {
        assertThat(RelayPacing.waitNanos(3, 500, ENDED, ENDED + 1, 0, 0)).isZero();
        assertThat(RelayPacing.waitNanos(0, 500, ENDED, ENDED + 1, LINGER, 0)).isZero();
    }
}
