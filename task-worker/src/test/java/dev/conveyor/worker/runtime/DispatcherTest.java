package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.worker.runtime.Dispatcher.Inputs;
import dev.conveyor.worker.runtime.Dispatcher.State;
import dev.conveyor.worker.runtime.Dispatcher.Step;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The claim loop's state machine: which step follows which inputs and events (time passed in, nothing waits). */
class DispatcherTest {
    private static final long MS = 1_000_000L;
    /** 4 slots, batch 4, poll every 5 s, linger 10 ms, long-poll 10 s. */
    private final Dispatcher rules =
            new Dispatcher(4, 4, Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofSeconds(10));

    private static Inputs at(long nanos, int running, boolean wakePending, boolean longPoll) {
        return new Inputs(nanos, running, wakePending, longPoll, false);
    }

    @Test
    void theFirstStepClaimsAFullBatchWithoutWaiting() {
        Step step = rules.next(at(1, 0, false, false));

        assertThat(step).isEqualTo(new Step(State.CLAIMING, 0, 4, 0));
    }

    @Test
    void afterAShortAnswerItIdlesUntilThePollIntervalButAtMostOneSecond() {
        rules.claimed(0, 1, 4);

        Step step = rules.next(at(100 * MS, 1, false, false));

        assertThat(step.state()).isEqualTo(State.IDLE);
        assertThat(step.waitNanos()).isEqualTo(1000 * MS);
        assertThat(rules.next(at(4_999_500_000L, 1, false, false))).isEqualTo(Step.waiting(State.IDLE, MS));
        assertThat(rules.next(at(5000 * MS, 0, false, false)).state()).isEqualTo(State.CLAIMING);
    }

    @Test
    void aWakeUpOnAnIdleWorkerClaimsAtOnce() {
        rules.claimed(0, 0, 4);

        assertThat(rules.next(at(100 * MS, 0, true, false))).isEqualTo(new Step(State.CLAIMING, 0, 4, 0));
    }

    @Test
    void aWakeUpOnABusyWorkerLingersForClaimLingerThenClaimsTheFreeSlots() {
        rules.claimed(0, 1, 4);

        assertThat(rules.next(at(100 * MS, 1, true, false))).isEqualTo(Step.waiting(State.LINGERING, 10 * MS));
        // The linger is counted from its first step, not restarted by later ones.
        assertThat(rules.next(at(104 * MS, 1, true, false))).isEqualTo(Step.waiting(State.LINGERING, 6 * MS));
        assertThat(rules.next(at(110 * MS, 1, true, false))).isEqualTo(new Step(State.CLAIMING, 0, 3, 0));
        // After the claim a new linger starts afresh.
        rules.claimed(110 * MS, 1, 3);
        assertThat(rules.next(at(200 * MS, 2, true, false))).isEqualTo(Step.waiting(State.LINGERING, 10 * MS));
    }

    @Test
    void aFullAnswerIsABacklogSoTheNextStepClaimsAgainWithoutAWakeUp() {
        rules.claimed(0, 2, 2);

        assertThat(rules.next(at(MS, 2, false, false))).isEqualTo(new Step(State.CLAIMING, 0, 2, 0));
    }

    @Test
    void wakeUpsMatterOnlyWithoutABacklogAndWithAFreeSlot() {
        assertThat(rules.wakeupsMatter(0)).as("before any claim").isTrue();

        rules.claimed(0, 4, 4);
        assertThat(rules.wakeupsMatter(0))
                .as("a full answer: the next step claims anyway")
                .isFalse();

        rules.claimed(MS, 1, 4);
        assertThat(rules.wakeupsMatter(3)).as("a short answer, a slot free").isTrue();
        assertThat(rules.wakeupsMatter(4)).as("every slot busy").isFalse();
    }

    @Test
    void noFreeSlotIsSaturatedEvenWithAWakeUpPending() {
        assertThat(rules.next(at(1, 4, true, false))).isEqualTo(Step.waiting(State.SATURATED, 1000 * MS));
    }

    @Test
    void withoutHealthyWakeUpsEveryClaimLongPolls() {
        rules.claimed(0, 0, 4);

        assertThat(rules.next(at(MS, 0, false, true))).isEqualTo(new Step(State.CLAIMING, 0, 4, 10));
    }

    @Test
    void theLongPollIsCappedAtThirtySeconds() {
        Dispatcher longWait = new Dispatcher(1, 1, Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5));

        assertThat(longWait.next(at(1, 0, false, true)).waitSeconds()).isEqualTo(30);
    }

    @Test
    void stoppingWinsOverEverything() {
        assertThat(rules.next(new Inputs(1, 0, true, true, true)).state()).isEqualTo(State.STOPPING);
        assertThat(rules.next(new Inputs(1, 4, false, false, true)).state()).isEqualTo(State.STOPPING);
    }

    @Test
    void failedClaimsBackOffDoublingUpToFiveSecondsAndASuccessResetsTheCount() {
        assertThat(rules.claimFailed(0)).isEqualTo(200);
        assertThat(rules.claimFailed(0)).isEqualTo(400);
        assertThat(rules.claimFailed(0)).isEqualTo(800);
        assertThat(rules.claimFailed(0)).isEqualTo(1600);
        assertThat(rules.claimFailed(0)).isEqualTo(3200);
        assertThat(rules.claimFailed(0)).isEqualTo(5000);
        assertThat(rules.claimFailed(0)).isEqualTo(5000);
        assertThat(rules.errors()).isEqualTo(7);

        rules.claimed(0, 0, 4);

        assertThat(rules.errors()).isZero();
        assertThat(rules.claimFailed(0)).isEqualTo(200);
    }

    @Test
    void withoutClaimLingerABusyWorkerClaimsAtOnce() {
        Dispatcher eager = new Dispatcher(4, 4, Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(10));
        eager.claimed(0, 1, 4);

        assertThat(eager.next(at(MS, 3, true, false))).isEqualTo(new Step(State.CLAIMING, 0, 1, 0));
    }
}
