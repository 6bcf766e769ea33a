package dev.conveyor.taskapi.messaging;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.taskapi.domain.Events;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * generation-events: generation.created sets generation_id on its tasks and emits task.updated, in one transaction.
 * Idempotent: a task already pointing at that generation is not touched again, so a redelivery emits nothing.
 * The offset is acknowledged after the transaction commits.
 */
@ApplicationScoped
public class GenerationEventsConsumer {
    private static final Logger LOG = Logger.getLogger(GenerationEventsConsumer.class);
    private final Pool pool;
    private final TaskStore tasks;
    private final OutboxStore outbox;

    public GenerationEventsConsumer(Pool pool, TaskStore tasks, OutboxStore outbox) {
        this.pool = pool;
        this.tasks = tasks;
        this.outbox = outbox;
    }

    @Incoming("generation-events")
    public Uni<Void> consume(String value) {
        EventEnvelope event;
        GenerationSnapshot generation;
        try {
            event = EventEnvelope.fromJson(value);
            if (!EventTypes.GENERATION_CREATED.equals(event.type())) {
                return Uni.createFrom().voidItem();
            }
            generation = event.dataAs(GenerationSnapshot.class);
        } catch (RuntimeException e) {
            LOG.warnf("skipping an unreadable generation event: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (generation == null || generation.generationId() == null || generation.taskIds() == null || generation.taskIds().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        UUID[] ids = generation.taskIds().toArray(UUID[]::new);
        return pool.withTransaction(c -> tasks.setGeneration(c, ids, generation.generationId())
                .chain(changed -> outbox.insert(c, changed.stream().map(t -> Events.task(EventTypes.TASK_UPDATED, t)).toList())));
    }
}
