package dev.conveyor.generation.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.kit.consumer.PoisonEventException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@code task.completed} event of a generating task type, reduced to what a generation needs.
 *
 * @param shotId         the shot to link to: the snapshot's {@code shotId} (extracted by task-api), else re-read from
 *                       the params ({@code shot_id}, then {@code full_orchestrator_payload.shot_id}); null = none
 * @param outputLocation null or blank = the task produced nothing (no generation)
 */
public record Completion(
        UUID eventId,
        UUID taskId,
        UUID projectId,
        UUID userId,
        String taskType,
        String generationType,
        String outputLocation,
        UUID shotId,
        String shotReference,
        JsonNode metadata,
        JsonNode params) {

    public static final List<String> GENERATION_TYPES = List.of("image", "video");

    public boolean hasOutput() {
        return outputLocation != null && !outputLocation.isBlank();
    }

    /**
     * The completion carried by {@code envelope}, or empty when the event is not one this service acts on
     * (another type, or a task type that generates nothing).
     *
     * @throws PoisonEventException when the event claims to be a completion but its data is unusable
     */
    public static Optional<Completion> from(EventEnvelope envelope) {
        if (!EventTypes.TASK_COMPLETED.equals(envelope.type())) {
            return Optional.empty();
        }
        if (envelope.data() == null || !envelope.data().isObject()) {
            throw new PoisonEventException("task.completed " + envelope.id() + " has no data object");
        }
        TaskSnapshot task;
        try {
            task = envelope.dataAs(TaskSnapshot.class);
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException(e.getMessage(), e);
        }
        if (task.generationType() == null) {
            return Optional.empty();
        }
        if (!GENERATION_TYPES.contains(task.generationType())) {
            throw new PoisonEventException(
                    "task.completed " + envelope.id() + " has unknown generationType '" + task.generationType() + "'");
        }
        UUID projectId = task.projectId() != null ? task.projectId() : envelope.projectId();
        if (task.taskId() == null || projectId == null) {
            throw new PoisonEventException("task.completed " + envelope.id() + " lacks taskId or projectId");
        }
        String shotReference = task.shotId() != null ? task.shotId().toString() : shotReferenceInParams(task.params());
        return Optional.of(new Completion(
                envelope.id(),
                task.taskId(),
                projectId,
                task.userId() != null ? task.userId() : envelope.userId(),
                task.taskType(),
                task.generationType(),
                task.outputLocation(),
                parseUuid(shotReference),
                shotReference,
                task.metadata(),
                task.params()));
    }

    /** {@code shot_id}, else {@code full_orchestrator_payload.shot_id} (travel_stitch and other orchestrated types). */
    static String shotReferenceInParams(JsonNode params) {
        if (params == null || !params.isObject()) {
            return null;
        }
        JsonNode direct = params.get("shot_id");
        if (direct != null && direct.isTextual() && !direct.asText().isBlank()) {
            return direct.asText();
        }
        JsonNode orchestrator = params.get("full_orchestrator_payload");
        if (orchestrator != null && orchestrator.isObject()) {
            JsonNode nested = orchestrator.get("shot_id");
            if (nested != null && nested.isTextual() && !nested.asText().isBlank()) {
                return nested.asText();
            }
        }
        return null;
    }

    private static UUID parseUuid(String value) {
        if (value == null) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
