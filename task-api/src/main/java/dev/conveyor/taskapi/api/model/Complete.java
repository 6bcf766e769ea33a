package dev.conveyor.taskapi.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(
        example = "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\","
                + "\"outputLocation\":\"https://cdn.example/out/1.png\",\"metadata\":{\"width\":512}}")
public record Complete(String workerId, UUID leaseToken, String outputLocation, JsonNode metadata) {}
