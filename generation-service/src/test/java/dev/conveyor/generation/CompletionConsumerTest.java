package dev.conveyor.generation;

import static dev.conveyor.generation.Fixtures.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Json;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** task-events in, generations and shot links out, exactly once, on the real broker and database. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class CompletionConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Pool pool;

    @Test
    void theSameCompletionDeliveredThreeTimesMakesOneGeneration() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "opening");
        UUID taskId = UUID.randomUUID();
        EventEnvelope completion = Fixtures.singleImage(projectId, owner, taskId, shotId);

        for (int i = 0; i < 3; i++) {
            Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), completion);
        }
        // A marker after the three copies in the same partition: once it is processed, so are they.
        UUID markerTask = UUID.randomUUID();
        Fixtures.send(
                Topics.TASK_EVENTS, projectId.toString(), Fixtures.singleImage(projectId, owner, markerTask, null));
        await().atMost(WAIT).until(() -> generationsOfTask(markerTask) == 1);

        assertThat(generationsOfTask(taskId)).isEqualTo(1);
        assertThat(count("select count(*) from processed_events where event_id = $1", completion.id()))
                .isEqualTo(1);
        assertThat(count(
                        "select count(*) from shot_generations sg join generations g on g.id = sg.generation_id where g.task_id = $1",
                        taskId))
                .isEqualTo(1);
    }

    @Test
    void aSecondCompletionEventOfTheSameTaskCreatesNothingAndIsRecorded() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID taskId = UUID.randomUUID();
        EventEnvelope first = Fixtures.singleImage(projectId, owner, taskId, null);
        EventEnvelope second = Fixtures.singleImage(projectId, owner, taskId, null);

        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), first);
        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), second);

        await().atMost(WAIT).until(() -> outcome(second.id()) != null);
        assertThat(outcome(first.id())).isEqualTo("created");
        assertThat(outcome(second.id())).isEqualTo("duplicate_task");
        assertThat(generationsOfTask(taskId)).isEqualTo(1);
    }

    @Test
    void singleImageBecomesAnImageLinkedToTheShotInShotIdUnpositioned() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "hero");
        UUID taskId = UUID.randomUUID();

        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), Fixtures.singleImage(projectId, owner, taskId, shotId));

        await().atMost(WAIT).until(() -> generationsOfTask(taskId) == 1);
        as(owner)
                .get("/v1/generations?taskId=" + taskId)
                .then()
                .statusCode(200)
                .body("size()", org.hamcrest.Matchers.is(1))
                .body("[0].type", org.hamcrest.Matchers.is("image"))
                .body("[0].location", org.hamcrest.Matchers.is("http://127.0.0.1:8084/outputs/" + taskId + ".png"))
                .body("[0].projectId", org.hamcrest.Matchers.is(projectId.toString()))
                .body("[0].taskIds", org.hamcrest.Matchers.contains(taskId.toString()))
                .body("[0].params.shot_id", org.hamcrest.Matchers.is(shotId.toString()))
                .body("[0].metadata.seed", org.hamcrest.Matchers.is(42))
                .body("[0].shots", org.hamcrest.Matchers.hasSize(1))
                .body("[0].shots[0].shotId", org.hamcrest.Matchers.is(shotId.toString()))
                .body("[0].shots[0].position", org.hamcrest.Matchers.nullValue());
        as(owner)
                .get("/v1/shots/{id}/unpositioned-count", shotId)
                .then()
                .statusCode(200)
                .body("count", org.hamcrest.Matchers.is(1));
    }

    @Test
    void travelStitchBecomesAVideoLinkedToTheShotInTheOrchestratorPayload() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "journey");
        UUID taskId = UUID.randomUUID();
        var params = Fixtures.params("{\"full_orchestrator_payload\":{\"shot_id\":\"" + shotId
                + "\",\"segments\":3},\"orchestrator_task_id\":\"o-1\"}");
        // shotId left out of the snapshot: the service re-reads it from full_orchestrator_payload.shot_id.
        EventEnvelope event = Fixtures.completed(
                projectId,
                owner,
                taskId,
                "travel_stitch",
                "video",
                null,
                "http://127.0.0.1:8084/outputs/" + taskId + ".mp4",
                params);

        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), event);

        await().atMost(WAIT).until(() -> outcome(event.id()) != null);
        assertThat(outcome(event.id())).isEqualTo("created_linked");
        as(owner)
                .get("/v1/shots/{id}/generations", shotId)
                .then()
                .statusCode(200)
                .body("size()", org.hamcrest.Matchers.is(1))
                .body("[0].type", org.hamcrest.Matchers.is("video"))
                .body("[0].taskIds[0]", org.hamcrest.Matchers.is(taskId.toString()))
                .body("[0].position", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void anUnknownShotOrAShotOfAnotherProjectGivesAnUnlinkedGenerationAndIsRecorded() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID otherProject = Fixtures.project(owner);
        UUID foreignShot = Fixtures.shot(owner, otherProject, "elsewhere");
        EventEnvelope unknown = Fixtures.singleImage(projectId, owner, UUID.randomUUID(), UUID.randomUUID());
        EventEnvelope foreign = Fixtures.singleImage(projectId, owner, UUID.randomUUID(), foreignShot);
        EventEnvelope garbledShot = Fixtures.completed(
                projectId,
                owner,
                UUID.randomUUID(),
                "single_image",
                "image",
                null,
                "http://127.0.0.1:8084/outputs/x.png",
                Fixtures.params("{\"shot_id\":\"not-a-shot\"}"));

        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), unknown);
        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), foreign);
        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), garbledShot);

        await().atMost(WAIT).until(() -> outcome(garbledShot.id()) != null);
        assertThat(outcome(unknown.id())).isEqualTo("created_unknown_shot");
        assertThat(outcome(foreign.id())).isEqualTo("created_shot_of_other_project");
        assertThat(outcome(garbledShot.id())).isEqualTo("created_unknown_shot");
        assertThat(count("select count(*) from generations where project_id = $1", projectId))
                .isEqualTo(3);
        assertThat(count(
                        "select count(*) from shot_generations sg join generations g on g.id = sg.generation_id where g.project_id = $1",
                        projectId))
                .isZero();
        assertThat(count("select count(*) from shot_generations where shot_id = $1", foreignShot))
                .isZero();
    }

    @Test
    void aCompletionWithoutOutputCreatesNothingIsRecordedAndCounted() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        double before = metric("generation_missing_output_total");
        UUID taskId = UUID.randomUUID();
        EventEnvelope event = Fixtures.completed(
                projectId,
                owner,
                taskId,
                "single_image",
                "image",
                null,
                null,
                Fixtures.params("{\"prompt\":\"nothing\"}"));

        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), event);

        await().atMost(WAIT).until(() -> outcome(event.id()) != null);
        assertThat(outcome(event.id())).isEqualTo("skipped_no_output");
        assertThat(generationsOfTask(taskId)).isZero();
        assertThat(metric("generation_missing_output_total")).isEqualTo(before + 1);
    }

    @Test
    void eventsThatAreNotGeneratingCompletionsChangeNothing() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID queuedTask = UUID.randomUUID();
        UUID plainTask = UUID.randomUUID();
        EventEnvelope completed = Fixtures.singleImage(projectId, owner, queuedTask, null);
        EventEnvelope queued = new EventEnvelope(
                UUID.randomUUID(),
                EventTypes.TASK_QUEUED,
                "task-api",
                completed.occurredAt(),
                completed.subject(),
                projectId,
                owner,
                completed.data());
        EventEnvelope noGenerationType = Fixtures.completed(
                projectId,
                owner,
                plainTask,
                "upscale_metadata",
                null,
                null,
                "http://127.0.0.1:8084/outputs/meta.json",
                null);
        UUID markerTask = UUID.randomUUID();

        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), queued);
        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), noGenerationType);
        Fixtures.send(
                Topics.TASK_EVENTS, projectId.toString(), Fixtures.singleImage(projectId, owner, markerTask, null));

        await().atMost(WAIT).until(() -> generationsOfTask(markerTask) == 1);
        assertThat(generationsOfTask(queuedTask)).isZero();
        assertThat(generationsOfTask(plainTask)).isZero();
        assertThat(outcome(queued.id())).isNull();
        assertThat(outcome(noGenerationType.id())).isNull();
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAreCountedAndThePartitionKeepsFlowing() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        double before = metric("conveyor_consumer_dead_letters_total");
        String key = projectId.toString();
        String notJson = "this is not json " + UUID.randomUUID();
        String notEnvelope = "{\"hello\":\"" + UUID.randomUUID() + "\"}";
        EventEnvelope good = Fixtures.singleImage(projectId, owner, UUID.randomUUID(), null);
        EventEnvelope badData = new EventEnvelope(
                UUID.randomUUID(),
                EventTypes.TASK_COMPLETED,
                "task-api",
                good.occurredAt(),
                good.subject(),
                projectId,
                owner,
                Json.MAPPER.createObjectNode().put("taskId", "not-a-uuid").put("generationType", "image"));
        EventEnvelope badType = Fixtures.completed(
                projectId,
                owner,
                UUID.randomUUID(),
                "single_audio",
                "audio",
                null,
                "http://127.0.0.1:8084/outputs/a.wav",
                null);

        Fixtures.send(Topics.TASK_EVENTS, key, notJson.getBytes(StandardCharsets.UTF_8));
        Fixtures.send(Topics.TASK_EVENTS, key, notEnvelope.getBytes(StandardCharsets.UTF_8));
        Fixtures.send(Topics.TASK_EVENTS, key, badData);
        Fixtures.send(Topics.TASK_EVENTS, key, badType);
        Fixtures.send(Topics.TASK_EVENTS, key, good);

        await().atMost(WAIT).until(() -> outcome(good.id()) != null);
        assertThat(outcome(good.id())).isEqualTo("created");
        List<ConsumerRecord<String, byte[]>> letters = deadLettersWithKey(key, 4);
        assertThat(letters)
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly(notJson, notEnvelope, badData.toJson(), badType.toJson());
        assertThat(letters).allSatisfy(r -> {
            assertThat(new String(r.headers().lastHeader("dlq.topic").value(), StandardCharsets.UTF_8))
                    .isEqualTo(Topics.TASK_EVENTS);
            assertThat(r.headers().lastHeader("dlq.reason")).isNotNull();
        });
        assertThat(metric("conveyor_consumer_dead_letters_total")).isGreaterThanOrEqualTo(before + 4);
        assertThat(outcome(badData.id())).isNull();
    }

    @Test
    void aRecordWhoseHeadersSayItIsNotAGeneratingCompletionIsSkippedUnparsedAndItsPartitionFlows() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        String key = projectId.toString();
        // Poison if it were parsed; its header says it is a progress event, which this service ignores unread.
        String skipped = "not json, skipped by its header " + UUID.randomUUID();
        String parsedPoison = "not json, no headers " + UUID.randomUUID();
        EventEnvelope withHeader = Fixtures.singleImage(projectId, owner, UUID.randomUUID(), null);
        EventEnvelope withoutHeader = Fixtures.singleImage(projectId, owner, UUID.randomUUID(), null);

        Fixtures.send(
                Topics.TASK_EVENTS,
                key,
                skipped.getBytes(StandardCharsets.UTF_8),
                Map.of(EventHeaders.TYPE, EventTypes.TASK_PROGRESS));
        // Also poison if parsed: the completion of a task that generates nothing, skipped by its generation-type
        // header.
        Fixtures.send(
                Topics.TASK_EVENTS,
                key,
                ("not json, a completion without generation " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8),
                Map.of(
                        EventHeaders.TYPE,
                        EventTypes.TASK_COMPLETED,
                        EventHeaders.GENERATION_TYPE,
                        EventHeaders.NO_GENERATION));
        Fixtures.send(Topics.TASK_EVENTS, key, parsedPoison.getBytes(StandardCharsets.UTF_8));
        Fixtures.send(
                Topics.TASK_EVENTS,
                key,
                withHeader.toJson().getBytes(StandardCharsets.UTF_8),
                Map.of(EventHeaders.TYPE, EventTypes.TASK_COMPLETED));
        Fixtures.send(Topics.TASK_EVENTS, key, withoutHeader);

        await().atMost(WAIT).until(() -> outcome(withoutHeader.id()) != null);
        assertThat(outcome(withHeader.id())).isEqualTo("created");
        assertThat(outcome(withoutHeader.id())).isEqualTo("created");
        // The dead-letter topic keeps the partition's order: had the skipped record been parsed, it would come first.
        assertThat(deadLettersWithKey(key, 1))
                .first()
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .isEqualTo(parsedPoison);
    }

    private List<ConsumerRecord<String, byte[]>> deadLettersWithKey(String key, int expected) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        DevstackResource.devstack().kafka().bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "dlq-check-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.GENERATION_DEAD_LETTERS));
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        found.add(record);
                    }
                }
                return found.size() >= expected;
            });
        }
        return found;
    }

    private double metric(String name) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private long generationsOfTask(UUID taskId) {
        return count("select count(*) from generations where task_id = $1", taskId);
    }

    private long count(String sql, Object arg) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(arg))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getLong(0);
    }

    private String outcome(UUID eventId) {
        var rows = pool.preparedQuery("select outcome from processed_events where event_id = $1")
                .execute(Tuple.of(eventId))
                .await()
                .atMost(Duration.ofSeconds(5));
        for (Row row : rows) {
            return row.getString("outcome");
        }
        return null;
    }
}
