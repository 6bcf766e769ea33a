package dev.conveyor.taskapi.api.model;

import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(
        example =
                "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\",\"children\":["
                        + "{\"taskType\":\"travel_segment\",\"params\":{\"prompt\":\"valley\"},\"idempotencyKey\":\"segment-0\"},"
                        + "{\"taskType\":\"travel_stitch\",\"params\":{},\"dependsOnItems\":[0],\"idempotencyKey\":\"stitch\"}]}")
public record CreateChildren(String workerId, UUID leaseToken, List<ChildItem> children) {}
