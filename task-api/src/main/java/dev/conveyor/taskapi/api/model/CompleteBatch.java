package dev.conveyor.taskapi.api.model;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A batch of completions. {@code returnTasks} false: the answer's {@code complete} items carry no {@code task} (a worker
 * that only needs each outcome saves task-api rendering and itself parsing a task snapshot per item); absent or true: as
 * before.
 */
@Schema(
        example = "{\"workerId\":\"gpu-1\",\"tasks\":[{\"taskId\":\"5d6e0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6\","
                + "\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\",\"outputLocation\":\"https://cdn.example/out/1.png\","
                + "\"metadata\":{\"width\":512}}]}")
public record CompleteBatch(String workerId, List<CompleteItem> tasks, Boolean returnTasks) {
    public boolean wantsTasks() {
        return returnTasks == null || returnTasks;
    }
}
