package dev.conveyor.worker.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.worker.output.OutputStore;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.UUID;

/** Everything a handler gets for one attempt of one task. */
public interface TaskContext {

    UUID taskId();

    UUID projectId();

    UUID userId();

    String taskType();

    /** The task's params as the client sent them (never null). */
    JsonNode params();

    /** 1 for the first attempt. */
    int attempt();

    /** Reports progress (0..100) with an optional message; sent to task-api with the next heartbeat (throttled). */
    void progress(int percent, String message);

    /** True once the task was cancelled or the lease was lost: stop working, the result will be discarded. */
    boolean isCancelled();

    /** Throws {@link TaskCancelledException} when {@link #isCancelled()}; call it between steps of long work. */
    default void checkCancelled() {
        if (isCancelled()) {
            throw new TaskCancelledException("task " + taskId() + " was cancelled");
        }
    }

    /** Where the handler writes files; {@link OutputStore#put} answers their public URL. */
    OutputStore outputs();

    /**
     * Creates a child task (same project, this task as parent) through task-api; answers its id. Its cost is drawn from
     * what this task's create held for its children (402 {@code pipeline_budget_exceeded} when that is spent).
     */
    Uni<UUID> createChild(ChildTask child);

    /**
     * Creates 1..100 children in one task-api transaction, all or none (a refused child creates none of them); answers
     * their ids in order. A child may depend on earlier ones of the batch ({@link ChildTask#dependsOnChildren}).
     */
    Uni<List<UUID>> createChildren(List<ChildTask> children);

    /** The tasks this task depends on, in the order it was created with (for example a stitch's segments). */
    default List<UUID> dependsOn() {
        return List.of();
    }

    /** Reads another task of the platform (for example the tasks this one depends on). */
    Uni<TaskView> task(UUID taskId);
}
