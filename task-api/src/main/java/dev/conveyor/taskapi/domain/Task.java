package dev.conveyor.taskapi.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.TaskSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A task as the API shows it. {@code leaseToken} and {@code leaseExpiresAt} appear only in claim answers.
 */
public record Task(
        UUID id,
        UUID projectId,
        UUID userId,
        String taskType,
        JsonNode params,
        String status,
        int priority,
        long cost,
        int attempts,
        int maxAttempts,
        Integer progress,
        String progressMessage,
        String workerId,
        String outputLocation,
        JsonNode metadata,
        String errorMessage,
        UUID generationId,
        String generationType,
        UUID shotId,
        List<UUID> dependsOn,
        UUID parentTaskId,
        Instant createdAt,
        Instant updatedAt,
        Instant claimedAt,
        Instant completedAt,
        Instant runAfter,
        @JsonInclude(JsonInclude.Include.NON_NULL) UUID leaseToken,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant leaseExpiresAt,
        @JsonIgnore UUID storedLeaseToken,
        @JsonIgnore Instant storedLeaseExpiresAt) {

    /** The same task with its lease shown (claim answers only). */
    public Task withLease() {
        return new Task(
                id,
                projectId,
                userId,
                taskType,
                params,
                status,
                priority,
                cost,
                attempts,
                maxAttempts,
                progress,
                progressMessage,
                workerId,
                outputLocation,
                metadata,
                errorMessage,
                generationId,
                generationType,
                shotId,
                dependsOn,
                parentTaskId,
                createdAt,
                updatedAt,
                claimedAt,
                completedAt,
                runAfter,
                storedLeaseToken,
                storedLeaseExpiresAt,
                storedLeaseToken,
                storedLeaseExpiresAt);
    }

    /** The same task with another cost (a completed pipeline whose unspent spawn budget was released). */
    public Task withCost(long newCost) {
        return new Task(
                id,
                projectId,
                userId,
                taskType,
                params,
                status,
                priority,
                newCost,
                attempts,
                maxAttempts,
                progress,
                progressMessage,
                workerId,
                outputLocation,
                metadata,
                errorMessage,
                generationId,
                generationType,
                shotId,
                dependsOn,
                parentTaskId,
                createdAt,
                updatedAt,
                claimedAt,
                completedAt,
                runAfter,
                leaseToken,
                leaseExpiresAt,
                storedLeaseToken,
                storedLeaseExpiresAt);
    }

    public TaskSnapshot snapshot(boolean withParams) {
        return new TaskSnapshot(
                id,
                projectId,
                userId,
                taskType,
                status,
                priority,
                cost,
                attempts,
                maxAttempts,
                progress,
                progressMessage,
                workerId,
                generationType,
                shotId,
                outputLocation,
                metadata,
                errorMessage,
                generationId,
                parentTaskId,
                dependsOn,
                runAfter,
                createdAt,
                updatedAt,
                withParams ? params : null);
    }
}
