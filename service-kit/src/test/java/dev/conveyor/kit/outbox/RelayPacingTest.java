package dev.conveyor.kit.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RelayPacingTest {
    private static final long LINGER = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long ENDED = 1_000_000_000L;

    @Test
    void aNudgeSoonAfterAPassThatPublishedWaitsOutTheRestOfTheLinger() {
        assertThat(RelayPacing.waitNanos(3, 500, ENDED, ENDED + TimeUnit.MILLISECONDS.toNanos(2), LINGER))
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(3));
    }

    @Test
    void aNudgeAfterTheLingerHasPassedStartsAtOnce() {
        assertThat(RelayPacing.waitNanos(3, 500, ENDED, ENDED + TimeUnit.MILLISECONDS.toNanos(7), LINGER))
                .isZero();
    }

    @Test
    void theFirstEventAfterAQuietSpellIsPublishedAtOnce() {
        assertThat(RelayPacing.waitNanos(0, 500, ENDED, ENDED + 1, LINGER)).isZero();
    }

    @Test
    void aFullPassIsFollowedAtOnceSoABacklogDrainsWithoutPauses() {
        assertThat(RelayPacing.waitNanos(500, 500, ENDED, ENDED + 1, LINGER)).isZero();
    }

    @Test
    void aZeroLingerNeverWaits() {
        assertThat(RelayPacing.waitNanos(3, 500, ENDED, ENDED + 1, 0)).isZero();
    }
}
