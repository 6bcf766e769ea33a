package dev.conveyor.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.worker.sdk.ChildTask;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code travel_orchestrator}: plans a travel video. Creates one {@code travel_segment} per entry of
 * {@code full_orchestrator_payload.segments} and one {@code travel_stitch} that depends on all of them, as children
 * of this task, in one batch (all or none; idempotency keys derived from this task's id, so a retried orchestrator
 * creates nothing twice). task-api priced the whole pipeline from the same segments at create and the children draw
 * their cost from that hold. Its own output is the plan as JSON.
 * <p>
 * Test knob {@code fail_attempts} (integer 0..100, default 0): attempts 1..N fail retryably right after creating the
 * children, so a retried orchestrator can be seen to find its children again instead of creating duplicates.
 */
@ApplicationScoped
public class TravelOrchestratorHandler implements TaskHandler {
    public static final String TYPE = "travel_orchestrator";
    public static final String CAPABILITY = "wan2gp";
    static final int MAX_SEGMENTS = 50;

    @Override
    public String taskType() {
        return TYPE;
    }

    @Override
    public String capability() {
        return CAPABILITY;
    }

    @Override
    public Uni<TaskResult> handle(TaskContext ctx) {
        JsonNode payload = ctx.params().path("full_orchestrator_payload");
        if (!payload.isObject()) {
            throw new PermanentTaskException("param full_orchestrator_payload must be an object");
        }
        JsonNode segments = payload.path("segments");
        if (!segments.isArray() || segments.isEmpty() || segments.size() > MAX_SEGMENTS) {
            throw new PermanentTaskException(
                    "full_orchestrator_payload.segments must list 1.." + MAX_SEGMENTS + " segments");
        }
        int width = Params.integer(payload, "width", 256, 16, 1024);
        int height = Params.integer(payload, "height", 256, 16, 1024);
        int fps = Params.integer(payload, "fps", 8, 1, 60);
        int failAttempts = Params.integer(ctx.params(), "fail_attempts", 0, 0, 100);
        List<ObjectNode> segmentParams = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            JsonNode s = segments.get(i);
            if (!s.isObject()) {
                throw new PermanentTaskException("segment " + i + " must be an object");
            }
            ObjectNode sp = JsonNodeFactory.instance.objectNode();
            sp.put("prompt", Params.text(s, "prompt", ""));
            sp.put("frames", Params.integer(s, "frames", 8, 1, 120));
            sp.put("seed", Params.longValue(s, "seed", i));
            sp.put("width", width).put("height", height).put("fps", fps);
            if (s.has("work_ms")) {
                sp.put("work_ms", Params.integer(s, "work_ms", 0, 0, 600_000));
            }
            sp.put("segment_index", i);
            sp.put("orchestrator_task_id", ctx.taskId().toString());
            segmentParams.add(sp);
        }
        List<ChildTask> children = new ArrayList<>();
        List<Integer> segmentIndexes = new ArrayList<>();
        for (int i = 0; i < segmentParams.size(); i++) {
            children.add(new ChildTask(
                    TravelSegmentHandler.TYPE, segmentParams.get(i), List.of(), null, ctx.taskId() + ":segment:" + i));
            segmentIndexes.add(i);
        }
        ObjectNode stitchParams = JsonNodeFactory.instance.objectNode();
        stitchParams.put("fps", fps);
        stitchParams.put("orchestrator_task_id", ctx.taskId().toString());
        if (payload.hasNonNull("shot_id")) {
            stitchParams.putObject("full_orchestrator_payload").set("shot_id", payload.get("shot_id"));
        }
        // The stitch's segments are its dependencies (segment_task_ids cannot name ids that exist only after the
        // batch).
        children.add(new ChildTask(
                TravelStitchHandler.TYPE, stitchParams, List.of(), segmentIndexes, null, ctx.taskId() + ":stitch"));
        ctx.progress(0, "creating " + segmentParams.size() + " segments and the stitch");
        // One request, one transaction: the whole pipeline exists, or (refused) none of it does.
        return ctx.createChildren(children).flatMap(ids -> {
            ctx.progress(90, ids.size() + " children created");
            if (ctx.attempt() <= failAttempts) {
                throw new IllegalStateException("fail_attempts=" + failAttempts + ": attempt " + ctx.attempt()
                        + " fails after creating its children");
            }
            return storePlan(ctx, ids.subList(0, segmentParams.size()), ids.get(segmentParams.size()));
        });
    }

    private static Uni<TaskResult> storePlan(TaskContext ctx, List<UUID> segmentIds, UUID stitchId) {
        ObjectNode plan = JsonNodeFactory.instance.objectNode();
        ArrayNode ids = plan.putArray("segmentTaskIds");
        segmentIds.forEach(id -> ids.add(id.toString()));
        plan.put("stitchTaskId", stitchId.toString());
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(plan);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ctx.progress(95, "plan stored");
        return ctx.outputs()
                .put(ctx.taskId() + "/plan.json", json, "application/json")
                .map(url -> TaskResult.of(url, plan));
    }
}
