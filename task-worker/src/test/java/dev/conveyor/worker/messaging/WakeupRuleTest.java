package dev.conveyor.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WakeupRuleTest {
    private static final Set<String> RUNS = Set.of("single_image");

    private static EventEnvelope event(String type, String taskType, String status) {
        return EventEnvelope.of(
                type,
                "task-api",
                UUID.randomUUID().toString(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                Map.of("taskType", taskType, "status", status));
    }

    @Test
    void queuedTasksOfARunTypeWakeTheWorker() {
        assertThat(TaskEventWakeups.wakes(event(EventTypes.TASK_CREATED, "single_image", "queued"), RUNS::contains))
                .isTrue();
        assertThat(TaskEventWakeups.wakes(event(EventTypes.TASK_QUEUED, "single_image", "queued"), RUNS::contains))
                .isTrue();
        assertThat(TaskEventWakeups.wakes(event(EventTypes.TASK_REQUEUED, "single_image", "queued"), RUNS::contains))
                .isTrue();
    }

    @Test
    void otherTypesStatesAndEventsDoNot() {
        assertThat(TaskEventWakeups.wakes(event(EventTypes.TASK_CREATED, "travel_segment", "queued"), RUNS::contains))
                .isFalse();
        assertThat(TaskEventWakeups.wakes(event(EventTypes.TASK_CREATED, "single_image", "waiting"), RUNS::contains))
                .isFalse();
        assertThat(TaskEventWakeups.wakes(event(EventTypes.TASK_COMPLETED, "single_image", "complete"), RUNS::contains))
                .isFalse();
        assertThat(TaskEventWakeups.wakes(
                        event(EventTypes.TASK_CLAIMED, "single_image", "in_progress"), RUNS::contains))
                .isFalse();
    }
}
