package dev.conveyor.taskapi.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

public record CompleteItem(UUID taskId, UUID leaseToken, String outputLocation, JsonNode metadata) {}
