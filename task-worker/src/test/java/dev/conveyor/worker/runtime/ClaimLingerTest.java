package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the claim loop waits (claim-linger) before claiming: busy workers batch, idle ones never wait. */
class ClaimLingerTest {

    @Test
    void anIdleWorkerClaimsAtOnceWhateverCalls() {
        assertThat(Dispatcher.lingers(0, 32, 32, true)).isFalse();
        assertThat(Dispatcher.lingers(0, 32, 32, false)).isFalse();
        assertThat(Dispatcher.lingers(0, 1, 1, true)).isFalse();
    }

    @Test
    void aBusyWorkerWithFewFreeSlotsWaitsForMore() {
        assertThat(Dispatcher.lingers(30, 2, 32, false)).isTrue();
        assertThat(Dispatcher.lingers(17, 15, 32, false)).isTrue();
    }

    @Test
    void aBusyWorkerWithHalfABatchFreeAndABacklogClaimsAtOnce() {
        assertThat(Dispatcher.lingers(16, 16, 32, false)).isFalse();
        assertThat(Dispatcher.lingers(1, 31, 32, false)).isFalse();
    }

    @Test
    void aBusyWorkerCalledOnlyByWakeUpsWaitsToCollectThem() {
        assertThat(Dispatcher.lingers(1, 31, 32, true)).isTrue();
    }

    @Test
    void aOneSlotWorkerNeverWaitsForSlots() {
        // With batch or slots of 1 a free slot is already a full batch.
        assertThat(Dispatcher.lingers(3, 1, 1, false)).isFalse();
    }
}
