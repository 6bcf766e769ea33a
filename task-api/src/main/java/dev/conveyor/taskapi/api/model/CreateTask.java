package dev.conveyor.taskapi.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

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
