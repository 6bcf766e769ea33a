package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 15: an idle worker waits in a long-poll claim (task-api wakes it from NOTIFY), a busy one on Kafka wake-ups. */
class IdleLongPollTest {

    @Test
    void anIdleWorkerLongPollsEvenWhileKafkaWakeUpsWork() {
        assertThat(ClaimLoop.longPolls(true, true, true, 0)).isTrue();
    }

    @Test
    void aWorkerWithARunningHandlerClaimsOnKafkaWakeUpsInBatches() {
        assertThat(ClaimLoop.longPolls(true, true, true, 1)).isFalse();
    }

    @Test
    void withIdleLongPollOffAnIdleWorkerWaitsForKafkaWakeUps() {
        assertThat(ClaimLoop.longPolls(true, true, false, 0)).isFalse();
    }

    @Test
    void withoutWorkingKafkaWakeUpsEveryWorkerLongPolls() {
        assertThat(ClaimLoop.longPolls(true, false, true, 3)).isTrue();
        assertThat(ClaimLoop.longPolls(false, true, false, 3)).isTrue();
    }
}
