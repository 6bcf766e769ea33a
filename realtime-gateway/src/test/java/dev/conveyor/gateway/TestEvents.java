package dev.conveyor.gateway;

import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.LeadChanged;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.contracts.ShotGenerationChanged;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces the platform's events to the real broker, as task-api and generation-service do (key = project or user id). */
class TestEvents implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    /** Lingers, so that a burst sent in a loop travels as one batch (as an outbox relay's batch does). */
    private final KafkaProducer<String, String> burstProducer;

    TestEvents() {
        producer = producer(0);
        burstProducer = producer(200);
    }

    private static KafkaProducer<String, String> producer(int lingerMs) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                DevstackResource.devstack().kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                lingerMs,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class));
    }

    /** A project owned by {@code owner} on the compacted projects topic. */
    void project(UUID project, UUID owner) {
        send(
                Topics.PROJECTS,
                project,
                EventEnvelope.of(
                        EventTypes.PROJECT_UPSERTED,
                        "task-api",
                        project.toString(),
                        project,
                        owner,
                        new ProjectSnapshot(project, owner, "test project", Instant.now())));
    }

    void deleteProject(UUID project) {
        await(producer.send(new ProducerRecord<>(Topics.PROJECTS, project.toString(), null)));
    }

    RecordMetadata task(String type, UUID project, UUID owner, UUID shot) {
        return task(type, project, owner, shot, UUID.randomUUID());
    }

    RecordMetadata task(String type, UUID project, UUID owner, UUID shot, UUID task) {
        TaskSnapshot snapshot = new TaskSnapshot(
                task,
                project,
                owner,
                "single_image",
                status(type),
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
        EventEnvelope event = EventEnvelope.of(type, "task-api", task.toString(), project, owner, snapshot);
        return await(producer.send(withHeaders(
                new ProducerRecord<>(Topics.TASK_EVENTS, project.toString(), event.toJson()), event, snapshot)));
    }

    Future<RecordMetadata> taskAsync(String type, UUID project, UUID owner) {
        UUID task = UUID.randomUUID();
        TaskSnapshot snapshot = new TaskSnapshot(
                task,
                project,
                owner,
                "single_image",
                status(type),
                0,
                1,
                1,
                3,
                null,
                null,
                null,
                "image",
                null,
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
        EventEnvelope event = EventEnvelope.of(type, "task-api", task.toString(), project, owner, snapshot);
        return burstProducer.send(withHeaders(
                new ProducerRecord<>(Topics.TASK_EVENTS, project.toString(), event.toJson()), event, snapshot));
    }

    RecordMetadata generation(String type, UUID project, UUID owner, List<GenerationSnapshot.ShotLink> shots) {
        UUID generation = UUID.randomUUID();
        GenerationSnapshot snapshot = new GenerationSnapshot(
                generation,
                project,
                "image",
                "http://x/" + generation + ".png",
                List.of(UUID.randomUUID()),
                shots,
                null,
                Instant.now());
        return send(
                Topics.GENERATION_EVENTS,
                project,
                EventEnvelope.of(type, "generation-service", generation.toString(), project, owner, snapshot));
    }

    RecordMetadata shotLink(UUID project, UUID owner, UUID shot) {
        UUID generation = UUID.randomUUID();
        return send(
                Topics.GENERATION_EVENTS,
                project,
                EventEnvelope.of(
                        EventTypes.SHOT_GENERATION_CHANGED,
                        "generation-service",
                        shot.toString(),
                        project,
                        owner,
                        new ShotGenerationChanged(shot, generation, project, true, 3)));
    }

    RecordMetadata credits(UUID user) {
        return send(
                Topics.ACCOUNT_EVENTS,
                user,
                EventEnvelope.of(
                        EventTypes.CREDITS_CHANGED,
                        "task-api",
                        user.toString(),
                        null,
                        user,
                        new CreditsChanged(user, 100, 5, 95, "hold", 5, UUID.randomUUID())));
    }

    RecordMetadata lead(UUID user) {
        return send(
                Topics.ACCOUNT_EVENTS,
                user,
                EventEnvelope.of(
                        EventTypes.LEAD_CHANGED,
                        "task-api",
                        user.toString(),
                        null,
                        user,
                        new LeadChanged(user, "tab-2", Instant.now().plusSeconds(6))));
    }

    /** A record that is not an event envelope at all (poison). */
    void garbage(UUID project) {
        await(producer.send(new ProducerRecord<>(Topics.TASK_EVENTS, project.toString(), "{not an envelope")));
    }

    void flush() {
        burstProducer.flush();
    }

    /** Sends with the headers task-api and generation-service put on the event (EventHeaders). */
    private RecordMetadata send(String topic, UUID key, EventEnvelope event) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key.toString(), event.toJson());
        Map<String, String> headers =
                topic.equals(Topics.GENERATION_EVENTS) ? EventHeaders.of(event.type()) : EventHeaders.of(event);
        headers.forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        return await(producer.send(record));
    }

    /** A task event's record with task-api's headers (the gateway decides from them without parsing the value). */
    private static ProducerRecord<String, String> withHeaders(
            ProducerRecord<String, String> record, EventEnvelope event, TaskSnapshot task) {
        EventHeaders.task(event, task.taskType(), task.status(), task.runAfter(), task.generationType(), task.shotId())
                .forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    private static RecordMetadata await(Future<RecordMetadata> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String status(String type) {
        return switch (type) {
            case EventTypes.TASK_COMPLETED -> "complete";
            case EventTypes.TASK_FAILED -> "failed";
            case EventTypes.TASK_CANCELLED -> "cancelled";
            case EventTypes.TASK_CLAIMED, EventTypes.TASK_PROGRESS -> "in_progress";
            default -> "queued";
        };
    }

    @Override
    public void close() {
        producer.close();
        burstProducer.close();
    }
}
