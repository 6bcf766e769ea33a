package dev.conveyor.worker.client.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/** One item of a batch complete ({@code POST /v1/worker/complete}): a leased task and its result. */
public record Completion(UUID taskId, String leaseToken, String outputLocation, JsonNode metadata) {}
