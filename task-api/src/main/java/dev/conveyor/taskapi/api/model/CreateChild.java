package dev.conveyor.taskapi.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

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
