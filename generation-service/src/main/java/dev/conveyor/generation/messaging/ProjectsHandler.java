package dev.conveyor.generation.messaging;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.generation.store.ProjectStore;
import dev.conveyor.kit.consumer.PoisonEventException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles one record of the compacted {@code projects} topic: {@code project.upserted} records the owner, a tombstone
 * (null value) marks the project deleted. Both are idempotent, so replays from the start of the topic are harmless.
 */
@ApplicationScoped
public class ProjectsHandler {
    private final ProjectStore projects;

    public ProjectsHandler(ProjectStore projects) {
        this.projects = projects;
    }

    /** Applies the records (of one partition) in order. */
    public Uni<Void> handleBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        return Multi.createFrom()
                .iterable(records)
                .onItem()
                .transformToUniAndConcatenate(this::handle)
                .collect()
                .last()
                .replaceWithVoid();
    }

    public Uni<Void> handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return projects.markDeleted(projectKey(record));
        }
        EventEnvelope envelope;
        ProjectSnapshot project;
        try {
            envelope = EventEnvelope.fromJson(record.value());
            if (!EventTypes.PROJECT_UPSERTED.equals(envelope.type())) {
                return Uni.createFrom().voidItem();
            }
            project = envelope.dataAs(ProjectSnapshot.class);
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException(e.getMessage(), e);
        }
        if (project == null || project.projectId() == null || project.ownerId() == null) {
            throw new PoisonEventException("project.upserted " + envelope.id() + " lacks projectId or ownerId");
        }
        return projects.upsert(project.projectId(), project.ownerId(), project.name());
    }

    private static UUID projectKey(ConsumerRecord<byte[], byte[]> record) {
        try {
            return UUID.fromString(new String(record.key(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new PoisonEventException("projects tombstone without a project id key", e);
        }
    }
}
