package dev.conveyor.worker.sdk;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.UUID;

/**
 * A task an orchestrating handler creates in its own task's project, as a child of it.
 *
 * @param idempotencyKey makes the creation safe to repeat when the orchestrator itself is retried
 */
public record ChildTask(String taskType, JsonNode params, List<UUID> dependsOn, Integer priority, String idempotencyKey) {
    public ChildTask {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }
}
