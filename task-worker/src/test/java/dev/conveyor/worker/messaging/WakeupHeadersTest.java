package dev.conveyor.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.worker.messaging.WakeupHeaders.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class WakeupHeadersTest {
    private static final Set<String> RUNS = Set.of("single_image");
    private static final Instant RUN_AFTER = Instant.parse("2026-12-02T17:00:00.250Z");

    /** The headers task-api's relay puts on a task event. */
    private static Headers task(String type, String taskType, String status) {
        return headers(EventHeaders.task(type, taskType, status, RUN_AFTER));
    }

    private static Headers headers(Map<String, String> text) {
        Headers headers = new RecordHeaders();
        text.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    @Test
    void queuedTasksOfARunTypeWakeTheWorkerAtTheirRunAfter() {
        for (String type : Set.of(EventTypes.TASK_CREATED, EventTypes.TASK_QUEUED, EventTypes.TASK_REQUEUED)) {
            Headers headers = task(type, "single_image", "queued");
            assertThat(WakeupHeaders.wakes(headers, RUNS::contains)).as(type).isEqualTo(Decision.WAKE);
            assertThat(WakeupHeaders.runAfter(headers)).isEqualTo(RUN_AFTER);
        }
    }

    @Test
    void otherTaskTypesStatesAndEventsAreSkipped() {
        assertThat(WakeupHeaders.wakes(task(EventTypes.TASK_CREATED, "travel_segment", "queued"), RUNS::contains))
                .isEqualTo(Decision.SKIP);
        assertThat(WakeupHeaders.wakes(task(EventTypes.TASK_CREATED, "single_image", "waiting"), RUNS::contains))
                .isEqualTo(Decision.SKIP);
        assertThat(WakeupHeaders.wakes(task(EventTypes.TASK_COMPLETED, "single_image", "complete"), RUNS::contains))
                .isEqualTo(Decision.SKIP);
        assertThat(WakeupHeaders.wakes(task(EventTypes.TASK_CLAIMED, "single_image", "in_progress"), RUNS::contains))
                .isEqualTo(Decision.SKIP);
        assertThat(WakeupHeaders.wakes(headers(EventHeaders.of(EventTypes.TASK_PROGRESS)), RUNS::contains))
                .isEqualTo(Decision.SKIP);
    }

    @Test
    void aRecordWithoutTheHeadersIsDecidedOnItsParsedValue() {
        assertThat(WakeupHeaders.wakes(new RecordHeaders(), RUNS::contains)).isEqualTo(Decision.PARSE);
        // A waking type whose task headers are missing is not guessed at either.
        assertThat(WakeupHeaders.wakes(headers(EventHeaders.of(EventTypes.TASK_CREATED)), RUNS::contains))
                .isEqualTo(Decision.PARSE);
    }

    @Test
    void aMissingOrUnreadableRunAfterMeansNow() {
        assertThat(WakeupHeaders.runAfter(task(EventTypes.TASK_CLAIMED, "single_image", "in_progress")))
                .isNull();
        assertThat(WakeupHeaders.runAfter(headers(Map.of(EventHeaders.RUN_AFTER, "soon"))))
                .isNull();
    }
}
