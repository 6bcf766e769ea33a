package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The flag between the claim loop and the wake-up consumer: a consumer waiting for demand wakes when it comes back. */
class WakeupDemandTest {
    private final WakeupDemand demand = new WakeupDemand();

    @Test
    void wakeUpsAreNeededUntilTheLoopSaysOtherwise() throws Exception {
        assertThat(demand.needed()).isTrue();
        assertThat(demand.awaitNeeded(0)).isTrue();

        demand.set(false);

        assertThat(demand.needed()).isFalse();
        assertThat(demand.awaitNeeded(20)).as("times out while not needed").isFalse();
    }

    @Test
    void aWaitingConsumerWakesAsSoonAsWakeUpsAreNeededAgain() throws Exception {
        demand.set(false);
        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                assertThat(demand.awaitNeeded(TimeUnit.MINUTES.toMillis(1))).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return System.nanoTime() - start;
        });
        await("still waiting while not needed")
                .during(Duration.ofMillis(50))
                .atMost(Duration.ofSeconds(5))
                .until(() -> !waited.isDone());

        demand.set(true);

        long nanos = waited.get(10, TimeUnit.SECONDS);
        assertThat(nanos).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
}
