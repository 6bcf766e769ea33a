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

    @Test
    void anEnvelopeHeaderSetCarriesTypeSubjectAndTime() {
        java.util.UUID user = java.util.UUID.randomUUID();
        EventEnvelope e = EventEnvelope.of(EventTypes.CREDITS_CHANGED, "task-api", user.toString(), null, user, null);
        assertThat(EventHeaders.of(e))
                .containsExactly(
                        java.util.Map.entry(EventHeaders.TYPE, EventTypes.CREDITS_CHANGED),
                        java.util.Map.entry(EventHeaders.SUBJECT, user.toString()),
                        java.util.Map.entry(EventHeaders.TIME, e.occurredAt().toString()));
    }

    @Test
    void aCompletionNamesItsGenerationTypeOrNoneAndItsShot() {
        java.util.UUID shot = java.util.UUID.randomUUID();
        EventEnvelope completed = EventEnvelope.of(EventTypes.TASK_COMPLETED, "task-api", "t", null, null, null);
        assertThat(EventHeaders.task(completed, "single_image", "complete", null, "image", shot))
                .containsEntry(EventHeaders.GENERATION_TYPE, "image")
                .containsEntry(EventHeaders.SHOT_ID, shot.toString());
        assertThat(EventHeaders.task(completed, "noop", "complete", null, null, null))
                .containsEntry(EventHeaders.GENERATION_TYPE, EventHeaders.NO_GENERATION)
                .doesNotContainKey(EventHeaders.SHOT_ID);
    }

    @Test
    void otherTaskEventsCarryNeitherGenerationTypeNorShot() {
        EventEnvelope claimed = EventEnvelope.of(EventTypes.TASK_CLAIMED, "task-api", "t", null, null, null);
        assertThat(EventHeaders.task(
                        claimed, "single_image", "in_progress", RUN_AFTER, "image", java.util.UUID.randomUUID()))
                .containsOnlyKeys(
                        EventHeaders.TYPE,
                        EventHeaders.SUBJECT,
                        EventHeaders.TIME,
                        EventHeaders.TASK_TYPE,
                        EventHeaders.STATUS);
    }
}
