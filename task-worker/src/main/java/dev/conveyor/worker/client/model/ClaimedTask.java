package dev.conveyor.worker.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A task as the claim answer gives it: the Task fields the worker uses plus the lease. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClaimedTask(
        UUID id,
        UUID projectId,
        UUID userId,
        String taskType,
        JsonNode params,
        int attempts,
        int maxAttempts,
        List<UUID> dependsOn,
        UUID parentTaskId,
        String leaseToken,
        Instant leaseExpiresAt) {}
