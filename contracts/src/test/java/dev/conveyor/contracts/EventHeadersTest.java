package dev.conveyor.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventHeadersTest {
    private static final Instant RUN_AFTER = Instant.parse("2026-12-02T16:00:00.123456Z");

    @Test
    void aQueuedTaskEventCarriesItsTypeTaskTypeStatusAndRunAfterInEpochMillis() {
        assertThat(EventHeaders.task(EventTypes.TASK_REQUEUED, "noop", "queued", RUN_AFTER))
                .containsExactly(
                        java.util.Map.entry(EventHeaders.TYPE, EventTypes.TASK_REQUEUED),
                        java.util.Map.entry(EventHeaders.TASK_TYPE, "noop"),
                        java.util.Map.entry(EventHeaders.STATUS, "queued"),
                        java.util.Map.entry(EventHeaders.RUN_AFTER, Long.toString(RUN_AFTER.toEpochMilli())));
    }

    @Test
    void aTaskThatIsNotQueuedHasNoRunAfterHeader() {
        assertThat(EventHeaders.task(EventTypes.TASK_CLAIMED, "noop", "running", RUN_AFTER))
                .containsOnlyKeys(EventHeaders.TYPE, EventHeaders.TASK_TYPE, EventHeaders.STATUS);
    }

    @Test
    void otherEventsCarryTheirTypeOnly() {
        assertThat(EventHeaders.of(EventTypes.CREDITS_CHANGED))
                .containsExactly(java.util.Map.entry(EventHeaders.TYPE, EventTypes.CREDITS_CHANGED));
    }
}
