package dev.conveyor.taskapi.messaging;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.kit.consumer.ConsumerLoop;
import dev.conveyor.kit.consumer.DeadLetterTopic;
import dev.conveyor.kit.consumer.PoisonEventException;
import dev.conveyor.kit.kafka.KafkaSettings;
import dev.conveyor.taskapi.config.ConveyorConfig;
import dev.conveyor.taskapi.domain.Events;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.TaskStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * generation-events, through the service kit's {@link ConsumerLoop}: generation.created sets generation_id on its
 * tasks and emits task.updated, in one transaction per partition batch. Idempotent: a task already pointing at that
 * generation is not touched again, so a redelivery emits nothing. The offset is committed only after the transaction
 * committed; a passing failure (database down, a lock timeout) is retried from the failed record after a back-off; a
 * record that can never apply (not JSON, a generation.created without generationId or taskIds, data PostgreSQL
 * rejects) goes to {@link Topics#TASK_API_DEAD_LETTERS} with the reason and the partition flows on.
 */
@Singleton
public class GenerationEventsConsumer {
    private final Pool pool;
    private final TaskStore tasks;
    private final OutboxStore outbox;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    private final DeadLetterTopic deadLetters;
    private final String bootstrap;
    private final String group;
    private final int maxPollRecords;
    private final Duration retryBackoff;
    private ConsumerLoop loop;

    public GenerationEventsConsumer(
            Pool pool,
            TaskStore tasks,
            OutboxStore outbox,
            MeterRegistry metrics,
            ConveyorConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.pool = pool;
        this.tasks = tasks;
        this.outbox = outbox;
        this.bootstrap = bootstrap;
        this.group = config.generationEvents().group();
        this.maxPollRecords = config.generationEvents().maxPollRecords();
        this.retryBackoff = config.generationEvents().retryBackoff();
        this.deadLetterProducer = new KafkaProducer<>(
                KafkaSettings.producer(bootstrap, "task-api-dlq"),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        this.deadLetters = new DeadLetterTopic(deadLetterProducer, Topics.TASK_API_DEAD_LETTERS, metrics);
    }

    void start(@Observes StartupEvent ev) {
        loop = new ConsumerLoop(
                        Topics.GENERATION_EVENTS,
                        KafkaSettings.consumer(bootstrap, group, maxPollRecords),
                        this::handleBatch,
                        deadLetters,
                        retryBackoff)
                .start();
    }

    void stop(@Observes ShutdownEvent ev) {
        if (loop != null) {
            loop.close();
        }
        deadLetterProducer.close(Duration.ofSeconds(5));
    }

    boolean running() {
        return loop != null && loop.isRunning();
    }

    /**
     * Applies the generation.created events of one partition's records in one transaction.
     *
     * @throws PoisonEventException (synchronously) when a record can never apply; the loop then retries them one by one
     */
    Uni<Void> handleBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        List<GenerationSnapshot> created = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            GenerationSnapshot generation = generationCreated(record);
            if (generation != null) {
                created.add(generation);
            }
        }
        if (created.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(c -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (GenerationSnapshot g : created) {
                UUID[] ids = g.taskIds().toArray(UUID[]::new);
                chain = chain.chain(() -> tasks.setGeneration(c, ids, g.generationId())
                        .chain(changed -> outbox.insert(
                                c,
                                changed.stream()
                                        .map(t -> Events.task(EventTypes.TASK_UPDATED, t))
                                        .toList())));
            }
            return chain;
        });
    }

    /** The generation a generation.created record names; null for other event types. */
    private static GenerationSnapshot generationCreated(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new PoisonEventException("generation-events record without a value");
        }
        EventEnvelope event;
        GenerationSnapshot generation;
        try {
            event = EventEnvelope.fromJson(new String(record.value(), StandardCharsets.UTF_8));
            if (!EventTypes.GENERATION_CREATED.equals(event.type())) {
                return null;
            }
            generation = event.dataAs(GenerationSnapshot.class);
        } catch (RuntimeException e) {
            throw new PoisonEventException("not a generation event: " + e.getMessage(), e);
        }
        if (generation == null
                || generation.generationId() == null
                || generation.taskIds() == null
                || generation.taskIds().isEmpty()
                || generation.taskIds().contains(null)) {
            throw new PoisonEventException("generation.created " + event.id() + " lacks generationId or taskIds");
        }
        return generation;
    }

    /** Ready only while the generation-events consumer thread runs. */
    @Readiness
    @Singleton
    public static class Ready implements HealthCheck {
        private final GenerationEventsConsumer consumer;

        public Ready(GenerationEventsConsumer consumer) {
            this.consumer = consumer;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("generation-events consumer")
                    .status(consumer.running())
                    .build();
        }
    }
}
