package dev.conveyor.taskapi.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(
        example = "{\"taskType\":\"travel_orchestrator\",\"params\":{\"full_orchestrator_payload\":{\"segments\":"
                + "[{\"prompt\":\"harbour\"},{\"prompt\":\"desert\"}]}}}")
public record EstimateRequest(String taskType, JsonNode params) {}
