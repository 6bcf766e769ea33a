package dev.conveyor.taskapi.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.conveyor.taskapi.domain.Task;
import java.util.UUID;

/** One item's outcome: {@code complete} (with the task), {@code lease_lost} or {@code task_not_found} (with an error). */
public record CompleteResult(
        UUID taskId,
        String outcome,
        @JsonInclude(JsonInclude.Include.NON_NULL) Task task,
        @JsonInclude(JsonInclude.Include.NON_NULL) ItemError error) {
    public static final String COMPLETE = "complete";
    public static final String LEASE_LOST = "lease_lost";
    public static final String TASK_NOT_FOUND = "task_not_found";

    /** The same answer without the task (the outcome and any error stay). */
    public CompleteResult withoutTask() {
        return task == null ? this : new CompleteResult(taskId, outcome, null, error);
    }
}
