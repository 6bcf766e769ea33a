package dev.conveyor.taskapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class GenerationEventsTest {

    private static String generationCreated(UUID generationId, Fixtures.User user, String taskId) {
        return EventEnvelope.of(
                        EventTypes.GENERATION_CREATED,
                        "generation-service",
                        generationId.toString(),
                        UUID.fromString(user.projectId()),
                        user.id(),
                        new GenerationSnapshot(
                                generationId,
                                UUID.fromString(user.projectId()),
                                "image",
                                "http://o/1.png",
                                List.of(UUID.fromString(taskId)),
                                List.of(),
                                null,
                                Instant.now()))
                .toJson();
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
            KafkaLog.send(
                    Topics.GENERATION_EVENTS, user.projectId(), generationCreated(markerGeneration, user, marker));

            await().atMost(Duration.ofSeconds(15))
                    .until(() ->
                            markerGeneration.toString().equals(user.task(marker).get("generationId")));
            assertThat(user.task(task)).containsEntry("generationId", generation.toString());
            log.awaitTypes(marker, EventTypes.TASK_UPDATED);
            List<EventEnvelope> updates = log.about(task);
            assertThat(updates).extracting(EventEnvelope::type).containsExactly(EventTypes.TASK_UPDATED);
            assertThat(updates.get(0).dataAs(TaskSnapshot.class).generationId()).isEqualTo(generation);
        }
    }

    private static double metric(String name) {
        String body = io.restassured.RestAssured.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        double total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicWithItsReasonAndIsCountedWhileTheNextIsApplied() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String task = user.createTask("single_image", Map.of("prompt", "a"));
        UUID generation = UUID.randomUUID();
        String poison = "not json " + UUID.randomUUID();
        double before = metric("conveyor_consumer_dead_letters_total");
        try (KafkaLog dlq = new KafkaLog(Topics.TASK_API_DEAD_LETTERS)) {
            KafkaLog.send(Topics.GENERATION_EVENTS, user.projectId(), poison);
            KafkaLog.send(Topics.GENERATION_EVENTS, user.projectId(), generationCreated(generation, user, task));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> generation.toString().equals(user.task(task).get("generationId")));
            var letters = dlq.await(records -> records.stream().anyMatch(r -> poison.equals(r.value())));
            var letter = letters.stream()
                    .filter(r -> poison.equals(r.value()))
                    .findFirst()
                    .orElseThrow();
            assertThat(letter.key()).isEqualTo(user.projectId());
            assertThat(new String(letter.headers().lastHeader("dlq.topic").value()))
                    .isEqualTo(Topics.GENERATION_EVENTS);
            assertThat(new String(letter.headers().lastHeader("dlq.group").value()))
                    .isEqualTo("task-api");
            assertThat(new String(letter.headers().lastHeader("dlq.reason").value()))
                    .isNotBlank();
        }
        assertThat(metric("conveyor_consumer_dead_letters_total")).isGreaterThanOrEqualTo(before + 1);
    }

    @Test
    void aGenerationThatFailsForAPassingDatabaseFaultIsAppliedOnceTheFaultEnds() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String task = user.createTask("single_image", Map.of("prompt", "a"));
        UUID generation = UUID.randomUUID();
        // A real transient fault: PostgreSQL answers serialization_failure (40001) to the consumer's update of this
        // task.
        Fixtures.execute("CREATE FUNCTION test_fail_" + generation.toString().replace('-', '_')
                + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "RAISE EXCEPTION 'test fault' USING ERRCODE = '40001'; END $$");
        String function = "test_fail_" + generation.toString().replace('-', '_');
        String trigger =
                "CREATE TRIGGER " + function + " BEFORE UPDATE ON tasks FOR EACH ROW WHEN (NEW.generation_id = '"
                        + generation + "') EXECUTE FUNCTION " + function + "()";
        Fixtures.execute(trigger);
        double retries = metric("conveyor_consumer_retries_total");
        try {
            KafkaLog.send(Topics.GENERATION_EVENTS, user.projectId(), generationCreated(generation, user, task));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> metric("conveyor_consumer_retries_total") >= retries + 2);
            assertThat(user.task(task).get("generationId")).isNull();
        } finally {
            Fixtures.execute("DROP TRIGGER " + function + " ON tasks");
            Fixtures.execute("DROP FUNCTION " + function + "()");
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> generation.toString().equals(user.task(task).get("generationId")));
    }
}
