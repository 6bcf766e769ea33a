package dev.conveyor.worker.sdk;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;

/** The fields of a task-api Task a handler may need about another task. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskView(
        UUID id,
        UUID projectId,
        String taskType,
        String status,
        JsonNode params,
        String outputLocation,
        JsonNode metadata,
        List<UUID> dependsOn,
        UUID parentTaskId) {}
