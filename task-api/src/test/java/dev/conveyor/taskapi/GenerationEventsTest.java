package dev.conveyor.taskapi;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@QuarkusTestResource(value = DevstackResource.class, initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class GenerationEventsTest {

    private static String generationCreated(UUID generationId, Fixtures.User user, String taskId) {
        return EventEnvelope.of(EventTypes.GENERATION_CREATED, "generation-service", generationId.toString(),
                UUID.fromString(user.projectId()), user.id(), new GenerationSnapshot(generationId, UUID.fromString(user.projectId()),
                        "image", "http://o/1.png", List.of(UUID.fromString(taskId)), List.of(), null, Instant.now())).toJson();
    }

    @Test
    void generationCreatedSetsTheTasksGenerationIdOnceAndPublishesTaskUpdated() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String task = user.createTask("single_image", Map.of("prompt", "a"));
        String marker = user.createTask("single_image", Map.of("prompt", "b"));
        UUID generation = UUID.randomUUID();
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            String event = generationCreated(generation, user, task);
            KafkaLog.send(Topics.GENERATION_EVENTS, user.projectId(), "not json at all");
            KafkaLog.send(Topics.GENERATION_EVENTS, user.projectId(), event);
            KafkaLog.send(Topics.GENERATION_EVENTS, user.projectId(), event); // redelivery
            UUID markerGeneration = UUID.randomUUID();
            KafkaLog.send(Topics.GENERATION_EVENTS, user.projectId(), generationCreated(markerGeneration, user, marker));

            await().atMost(Duration.ofSeconds(15)).until(() -> markerGeneration.toString().equals(user.task(marker).get("generationId")));
            assertThat(user.task(task)).containsEntry("generationId", generation.toString());
            log.awaitTypes(marker, EventTypes.TASK_UPDATED);
            List<EventEnvelope> updates = log.about(task);
            assertThat(updates).extracting(EventEnvelope::type).containsExactly(EventTypes.TASK_UPDATED);
            assertThat(updates.get(0).dataAs(TaskSnapshot.class).generationId()).isEqualTo(generation);
        }
    }
}
