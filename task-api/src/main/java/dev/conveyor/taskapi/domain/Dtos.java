package dev.conveyor.taskapi.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and answer bodies of the REST API (JSON, camelCase). */
public final class Dtos {
    private Dtos() {}

    public record Project(UUID id, String name, UUID ownerId, Instant createdAt) {}

    @Schema(example = "{\"name\":\"My film\"}")
    public record ProjectRequest(String name) {}

    @Schema(
            example = "{\"projectId\":\"0b0e1c7e-3f4a-4c55-9a54-6d2d1f3e9a10\",\"taskType\":\"single_image\","
                    + "\"params\":{\"prompt\":\"a red fox\",\"width\":512,\"height\":512,\"shot_id\":\"5d6e0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6\"},"
                    + "\"priority\":0,\"idempotencyKey\":\"fox-1\"}")
    public record CreateTask(
            UUID projectId,
            String taskType,
            JsonNode params,
            Integer priority,
            List<UUID> dependsOn,
            UUID parentTaskId,
            String idempotencyKey) {}

    /** Batch create: 1..100 tasks of one user in one transaction, all or none. */
    public record CreateTasks(List<CreateTask> tasks) {}

    /** The items' answers in request order: each the new task, or (replayed) the earlier task with the same idempotencyKey. */
    public record CreatedTasks(List<TaskService.Created> items) {}

    @Schema(
            example = "{\"taskType\":\"travel_orchestrator\",\"params\":{\"full_orchestrator_payload\":{\"segments\":"
                    + "[{\"prompt\":\"harbour\"},{\"prompt\":\"desert\"}]}}}")
    public record EstimateRequest(String taskType, JsonNode params) {}

    /**
     * What a create would hold: {@code cost}, and its lines: the task itself, then (a pipeline) the children its handler
     * will create, each line {@code count} tasks of a type costing {@code cost} together.
     */
    public record Estimate(String taskType, long cost, List<TaskType.Part> breakdown) {}

    public record TaskPage(List<Task> items, int page, int limit, long total) {}

    public record StatusCounts(
            long waiting, long queued, long inProgress, long complete, long failed, long cancelled) {}

    public record Account(UUID userId, long balance, long held, long available) {}

    @Schema(example = "{\"amount\":100,\"reason\":\"welcome bonus\"}")
    public record CreditGrant(Long amount, String reason) {}

    @Schema(example = "{\"clientId\":\"tab-7f3c\"}")
    public record LeadRequest(String clientId) {}

    public record Lead(boolean leader, String leaderClientId, Instant expiresAt) {}

    /** {@code taskTypes} (optional): only these types; absent = every type the capabilities allow. */
    @Schema(
            example =
                    "{\"workerId\":\"gpu-1\",\"capabilities\":[\"wan2gp\"],\"taskTypes\":[\"travel_segment\",\"travel_stitch\"],"
                            + "\"max\":10,\"waitSeconds\":20}")
    public record ClaimRequest(
            String workerId, List<String> capabilities, List<String> taskTypes, Integer max, Integer waitSeconds) {}

    public record Claimed(List<Task> tasks) {}

    @Schema(
            example =
                    "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\",\"progress\":40,\"message\":\"step 4/10\"}")
    public record Heartbeat(String workerId, UUID leaseToken, Integer progress, String message) {}

    public record HeartbeatAnswer(Instant leaseExpiresAt, boolean cancelled) {}

    @Schema(
            example =
                    "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\",\"taskType\":\"travel_segment\","
                            + "\"params\":{\"prompt\":\"valley\",\"frames\":8},\"dependsOn\":[],\"priority\":0,\"idempotencyKey\":\"segment-0\"}")
    public record CreateChild(
            String workerId,
            UUID leaseToken,
            String taskType,
            JsonNode params,
            List<UUID> dependsOn,
            Integer priority,
            String idempotencyKey) {}

    /**
     * One child of a batch: a child create's fields, and {@code dependsOnItems}, indexes of earlier children of the same
     * batch it depends on (their ids are not known before the batch commits).
     */
    public record ChildItem(
            String taskType,
            JsonNode params,
            List<UUID> dependsOn,
            List<Integer> dependsOnItems,
            Integer priority,
            String idempotencyKey) {}

    @Schema(
            example =
                    "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\",\"children\":["
                            + "{\"taskType\":\"travel_segment\",\"params\":{\"prompt\":\"valley\"},\"idempotencyKey\":\"segment-0\"},"
                            + "{\"taskType\":\"travel_stitch\",\"params\":{},\"dependsOnItems\":[0],\"idempotencyKey\":\"stitch\"}]}")
    public record CreateChildren(String workerId, UUID leaseToken, List<ChildItem> children) {}

    @Schema(
            example = "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\","
                    + "\"outputLocation\":\"https://cdn.example/out/1.png\",\"metadata\":{\"width\":512}}")
    public record Complete(String workerId, UUID leaseToken, String outputLocation, JsonNode metadata) {}

    @Schema(
            example = "{\"workerId\":\"gpu-1\",\"tasks\":[{\"taskId\":\"5d6e0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6\","
                    + "\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\",\"outputLocation\":\"https://cdn.example/out/1.png\","
                    + "\"metadata\":{\"width\":512}}]}")
    public record CompleteBatch(String workerId, List<CompleteItem> tasks) {}

    public record CompleteItem(UUID taskId, UUID leaseToken, String outputLocation, JsonNode metadata) {}

    /** One item's outcome: {@code complete} (with the task), {@code lease_lost} or {@code task_not_found} (with an error). */
    public record CompleteResult(
            UUID taskId,
            String outcome,
            @JsonInclude(JsonInclude.Include.NON_NULL) Task task,
            @JsonInclude(JsonInclude.Include.NON_NULL) ItemError error) {
        public static final String COMPLETE = "complete";
        public static final String LEASE_LOST = "lease_lost";
        public static final String TASK_NOT_FOUND = "task_not_found";
    }

    /** Why one item of a batch was refused: the code and detail the single-task endpoint would answer. */
    public record ItemError(String code, String detail) {}

    public record CompleteResults(List<CompleteResult> results) {}

    /** Hand a leased task back without penalty (queued at once, the attempt not counted). */
    @Schema(example = "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\"}")
    public record Release(String workerId, UUID leaseToken) {}

    @Schema(
            example =
                    "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\",\"error\":\"CUDA out of memory\",\"retryable\":true}")
    public record Fail(String workerId, UUID leaseToken, String error, Boolean retryable) {}
}
