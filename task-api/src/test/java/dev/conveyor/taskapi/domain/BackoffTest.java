package dev.conveyor.taskapi.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The retry delay rule (pure): base doubling per attempt, capped, never below that, jitter of up to half again on top. */
class BackoffTest {
    private static final Duration BASE = Duration.ofSeconds(2);
    private static final Duration CAP = Duration.ofMinutes(1);

    @Test
    void withoutJitterTheDelayIsTheDocumentedMinimum2s4s8sUpToTheCap() {
        assertThat(TaskType.backoff(BASE, CAP, 1, 0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(TaskType.backoff(BASE, CAP, 2, 0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(TaskType.backoff(BASE, CAP, 3, 0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(TaskType.backoff(BASE, CAP, 5, 0)).isEqualTo(Duration.ofSeconds(32));
        assertThat(TaskType.backoff(BASE, CAP, 6, 0)).isEqualTo(CAP);
        assertThat(TaskType.backoff(BASE, CAP, 40, 0)).isEqualTo(CAP);
        assertThat(TaskType.backoff(BASE, CAP, Integer.MAX_VALUE, 0)).isEqualTo(CAP);
    }

    @Test
    void jitterIsAddedOnTopUpToHalfTheDelayNeverTakenOff() {
        assertThat(TaskType.backoff(BASE, CAP, 1, 0.5)).isEqualTo(Duration.ofMillis(2500));
        assertThat(TaskType.backoff(BASE, CAP, 1, 0.9999999)).isEqualTo(Duration.ofMillis(3000));
        assertThat(TaskType.backoff(BASE, CAP, 6, 0.9999999)).isEqualTo(Duration.ofSeconds(90));
        for (int i = 0; i < 10_000; i++) {
            int attempts = 1 + i % 8;
            long min = Math.min(CAP.toMillis(), BASE.toMillis() << (attempts - 1));
            Duration d = TaskType.backoff(
                    BASE, CAP, attempts, ThreadLocalRandom.current().nextDouble());
            assertThat(d.toMillis()).as("attempt %d", attempts).isBetween(min, min + min / 2);
        }
    }

    @Test
    void aConfiguredTypeUsesTheSameRule() {
        TaskType type = new TaskType(
                "t",
                null,
                1,
                0,
                null,
                1,
                java.util.List.of(),
                3,
                BASE,
                CAP,
                Duration.ofMinutes(5),
                null,
                null,
                java.util.List.of(),
                TaskType.Spawns.NONE);
        for (int i = 0; i < 1000; i++) {
            assertThat(type.backoff(1)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(3));
            assertThat(type.backoff(2)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
        }
    }
}
