package dev.conveyor.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.KeyMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The change decided from a record's headers and key is the one decided from its value, for every header-mapped type. */
class HeaderDecisionTest {
    private static final UUID PROJECT = UUID.randomUUID();
    private static final UUID USER = UUID.randomUUID();
    private static final UUID SHOT = UUID.randomUUID();

    @ParameterizedTest
    @ValueSource(
            strings = {
                EventTypes.TASK_CREATED,
                EventTypes.TASK_QUEUED,
                EventTypes.TASK_CLAIMED,
                EventTypes.TASK_PROGRESS,
                EventTypes.TASK_COMPLETED,
                EventTypes.TASK_FAILED,
                EventTypes.TASK_REQUEUED,
                EventTypes.TASK_CANCELLED,
                EventTypes.TASK_UPDATED
            })
    void aTaskEventWithTaskApisHeadersMapsAsItsValueWouldWithoutBeingParsed(String type) {
        for (UUID shot : new UUID[] {SHOT, null}) {
            TaskSnapshot task = task(type, shot);
            EventEnvelope event =
                    EventEnvelope.of(type, "task-api", task.taskId().toString(), PROJECT, USER, task);
            ConsumerRecord<byte[], byte[]> record = record(
                    Topics.TASK_EVENTS,
                    PROJECT,
                    // the value is never read: were it parsed, the decision would differ from the value's (poison)
                    "not parsed",
                    EventHeaders.task(
                            event, task.taskType(), task.status(), null, task.generationType(), task.shotId()));

            HeaderDecision decision = HeaderDecision.of(record);

            assertThat(decision).isNotNull();
            assertThat(decision.change()).isEqualTo(KeyMapper.map(event));
            assertThat(decision.occurredAt()).isEqualTo(event.occurredAt());
        }
    }

    @Test
    void anAccountEventIsMappedFromItsKeyAndHeaders() {
        EventEnvelope event = EventEnvelope.of(
                EventTypes.CREDITS_CHANGED,
                "task-api",
                USER.toString(),
                null,
                USER,
                new CreditsChanged(USER, 10, 1, 9, "hold", 1, UUID.randomUUID()));

        HeaderDecision decision =
                HeaderDecision.of(record(Topics.ACCOUNT_EVENTS, USER, "not parsed", EventHeaders.of(event)));

        assertThat(decision.change()).isEqualTo(KeyMapper.map(event)).isPresent();
    }

    @Test
    void recordsWhoseHeadersDoNotSufficeAreLeftToTheValue() {
        TaskSnapshot task = task(EventTypes.TASK_COMPLETED, SHOT);
        EventEnvelope completed = EventEnvelope.of(
                EventTypes.TASK_COMPLETED, "task-api", task.taskId().toString(), PROJECT, USER, task);
        // an older producer: type only, or a completion without the generation-type header
        assertThat(HeaderDecision.of(
                        record(Topics.TASK_EVENTS, PROJECT, "{}", EventHeaders.of(EventTypes.TASK_COMPLETED))))
                .isNull();
        assertThat(HeaderDecision.of(record(Topics.TASK_EVENTS, PROJECT, "{}", EventHeaders.of(completed))))
                .isNull();
        assertThat(HeaderDecision.of(record(Topics.TASK_EVENTS, PROJECT, "{}", Map.of())))
                .isNull();
        // generation events: their keys come from their data
        EventEnvelope generation = EventEnvelope.of(
                EventTypes.GENERATION_CREATED,
                "generation-service",
                UUID.randomUUID().toString(),
                PROJECT,
                USER,
                new GenerationSnapshot(
                        UUID.randomUUID(), PROJECT, "image", "x", List.of(), List.of(), null, Instant.now()));
        assertThat(HeaderDecision.of(record(Topics.GENERATION_EVENTS, PROJECT, "{}", EventHeaders.of(generation))))
                .isNull();
    }

    private static ConsumerRecord<byte[], byte[]> record(
            String topic, UUID key, String value, Map<String, String> headers) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(
                topic, 0, 0L, key.toString().getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    private static TaskSnapshot task(String type, UUID shot) {
        return new TaskSnapshot(
                UUID.randomUUID(),
                PROJECT,
                USER,
                "single_image",
                EventTypes.TASK_COMPLETED.equals(type) ? "complete" : "queued",
                0,
                1,
                1,
                3,
                null,
                null,
                null,
                "image",
                shot,
                null,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                Instant.now(),
                Instant.now(),
                null);
    }
}
