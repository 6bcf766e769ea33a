package dev.conveyor.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Data of every {@code task.*} event: the task as it stands after the change, with what consumers need
 * so that none of them has to call task-api back.
 *
 * @param generationType {@code image} or {@code video} when the task type produces a generation, else null
 * @param shotId         the shot named in the params (by the task type's shot path), if any
 * @param params         the task's params; present on task.created and task.completed only (they can be large)
 */
public record TaskSnapshot(
        UUID taskId,
        UUID projectId,
        UUID userId,
        String taskType,
        String status,
        int priority,
        long cost,
        int attempts,
        int maxAttempts,
        Integer progress,
        String progressMessage,
        String workerId,
        String generationType,
        UUID shotId,
        String outputLocation,
        JsonNode metadata,
        String errorMessage,
        UUID generationId,
        UUID parentTaskId,
        List<UUID> dependsOn,
        Instant runAfter,
        Instant createdAt,
        Instant updatedAt,
        JsonNode params) {}
