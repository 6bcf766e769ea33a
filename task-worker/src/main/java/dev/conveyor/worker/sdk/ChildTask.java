package dev.conveyor.worker.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;

/**
 * A task an orchestrating handler creates in its own task's project, as a child of it.
 *
 * @param dependsOnChildren in a {@link TaskContext#createChildren} batch: indexes of earlier children of the same batch
 *                          this one depends on (their ids exist only once the batch commits)
 * @param idempotencyKey    makes the creation safe to repeat when the orchestrator itself is retried
 */
public record ChildTask(
        String taskType,
        JsonNode params,
        List<UUID> dependsOn,
        List<Integer> dependsOnChildren,
        Integer priority,
        String idempotencyKey) {
    public ChildTask {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        dependsOnChildren = dependsOnChildren == null ? List.of() : List.copyOf(dependsOnChildren);
    }

    public ChildTask(String taskType, JsonNode params, List<UUID> dependsOn, Integer priority, String idempotencyKey) {
        this(taskType, params, dependsOn, List.of(), priority, idempotencyKey);
    }
}
