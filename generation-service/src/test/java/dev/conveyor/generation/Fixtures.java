package dev.conveyor.generation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Json;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test inputs as task-api publishes them, written with a plain producer to the real broker, and REST helpers.
 */
final class Fixtures {
    private static KafkaProducer<String, byte[]> producer;

    private Fixtures() {}

    static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            DevstackResource.devstack().kafka().bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG,
                            "all",
                            // Test input only: a plain producer, so a leader change on a just-created topic cannot
                            // wedge its sequence numbers.
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            false,
                            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                            1,
                            ProducerConfig.LINGER_MS_CONFIG,
                            5),
                    new StringSerializer(),
                    new ByteArraySerializer());
        }
        return producer;
    }

    /** Creates a private topic and waits until every partition has a leader. */
    static void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                DevstackResource.devstack().kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                                    .allMatch(p ->
                                            p.leader() != null && !p.leader().isEmpty()));
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + topic, e);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> producer().partitionsFor(topic).stream().allMatch(p -> p.leader() != null));
    }

    /** The offsets a consumer group has committed, summed over the topic's partitions (none yet = 0). */
    static long committed(Admin admin, String group) {
        try {
            long total = 0;
            for (OffsetAndMetadata offset : admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .values()) {
                if (offset != null) {
                    total += offset.offset();
                }
            }
            return total;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of group " + group, e);
        }
    }

    static void send(String topic, String key, byte[] value) {
        try {
            producer().send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a record with text headers, as our outbox relays publish them. */
    static void send(String topic, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        try {
            producer().send(record).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void send(String topic, String key, EventEnvelope event) {
        send(topic, key, event.toJson().getBytes(StandardCharsets.UTF_8));
    }

    static String token(UUID user) {
        return DevstackResource.keys().token(user, List.of("user"), Duration.ofMinutes(10));
    }

    /** An operator: a token with the admin role. */
    static RequestSpecification admin() {
        return given().header(
                        "Authorization",
                        "Bearer "
                                + DevstackResource.keys()
                                        .token(UUID.randomUUID(), List.of("admin"), Duration.ofMinutes(10)));
    }

    static RequestSpecification as(UUID user) {
        return given().header("Authorization", "Bearer " + token(user));
    }

    /** Publishes the project on the compacted topic and waits until the service knows its owner. */
    static UUID project(UUID owner) {
        UUID projectId = UUID.randomUUID();
        EventEnvelope event = EventEnvelope.of(
                EventTypes.PROJECT_UPSERTED,
                "task-api",
                projectId.toString(),
                projectId,
                owner,
                new ProjectSnapshot(projectId, owner, "project " + projectId, Instant.now()));
        send(Topics.PROJECTS, projectId.toString(), event);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> as(owner).get("/v1/projects/{id}/shots", projectId).statusCode() == 200);
        return projectId;
    }

    static UUID shot(UUID owner, UUID projectId, String name) {
        String id = as(owner)
                .contentType("application/json")
                .body(Map.of("name", name))
                .post("/v1/projects/{id}/shots", projectId)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        return UUID.fromString(id);
    }

    /** A task.completed envelope as task-api writes it. */
    static EventEnvelope completed(
            UUID projectId,
            UUID userId,
            UUID taskId,
            String taskType,
            String generationType,
            UUID shotId,
            String outputLocation,
            JsonNode params) {
        ObjectNode metadata = Json.MAPPER.createObjectNode().put("width", 512).put("seed", 42);
        TaskSnapshot task = new TaskSnapshot(
                taskId,
                projectId,
                userId,
                taskType,
                "complete",
                0,
                1,
                1,
                3,
                100,
                null,
                "worker-1",
                generationType,
                shotId,
                outputLocation,
                metadata,
                null,
                null,
                null,
                List.of(),
                null,
                Instant.now(),
                Instant.now(),
                params);
        return EventEnvelope.of(EventTypes.TASK_COMPLETED, "task-api", taskId.toString(), projectId, userId, task);
    }

    static EventEnvelope singleImage(UUID projectId, UUID userId, UUID taskId, UUID shotId) {
        ObjectNode params = Json.MAPPER.createObjectNode().put("prompt", "a red fox");
        if (shotId != null) {
            params.put("shot_id", shotId.toString());
        }
        return completed(
                projectId,
                userId,
                taskId,
                "single_image",
                "image",
                shotId,
                "http://127.0.0.1:8084/outputs/" + taskId + ".png",
                params);
    }

    static ObjectNode params(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Publishes a single_image completion and waits until its generation is served; answers the generation id. */
    static UUID generation(UUID owner, UUID projectId, UUID shotId, String taskType, String generationType) {
        UUID taskId = UUID.randomUUID();
        EventEnvelope event = completed(
                projectId,
                owner,
                taskId,
                taskType,
                generationType,
                shotId,
                "http://127.0.0.1:8084/outputs/" + taskId + ("video".equals(generationType) ? ".mp4" : ".png"),
                shotId == null
                        ? params("{\"prompt\":\"p\"}")
                        : params("{\"prompt\":\"p\",\"shot_id\":\"" + shotId + "\"}"));
        send(Topics.TASK_EVENTS, projectId.toString(), event);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> as(owner)
                                .get("/v1/generations?taskId=" + taskId)
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("$")
                                .size()
                        == 1);
        return UUID.fromString(as(owner)
                .get("/v1/generations?taskId=" + taskId)
                .then()
                .extract()
                .path("[0].id"));
    }
}
