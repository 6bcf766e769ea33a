package dev.conveyor.taskapi.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.CompleteItem;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Field bounds the services do not check themselves (docs/rest.md "Limits"), chosen so that the largest event any
 * request can cause (task.completed: params + metadata + error) stays far below Kafka's 1 MiB record limit.
 */
final class RequestLimits {
    /** Completion metadata, in bytes of its JSON form. */
    static final int MAX_METADATA_BYTES = 64 * 1024;

    static final int MAX_CAPABILITY = 100;

    private RequestLimits() {}

    static void metadata(JsonNode metadata, String field) {
        if (metadata == null || metadata.isNull()) {
            return;
        }
        int size;
        try {
            size = Json.MAPPER.writeValueAsString(metadata).getBytes(StandardCharsets.UTF_8).length;
        } catch (JsonProcessingException e) {
            throw ProblemException.validation(field + " is not valid JSON");
        }
        if (size > MAX_METADATA_BYTES) {
            throw new ProblemException(
                    413,
                    "metadata_too_large",
                    "Metadata too large",
                    field + " is " + size + " bytes; at most " + MAX_METADATA_BYTES + " are accepted");
        }
    }

    static void metadata(List<CompleteItem> items) {
        if (items == null) {
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) != null) {
                metadata(items.get(i).metadata(), "tasks[" + i + "].metadata");
            }
        }
    }

    static void capabilities(List<String> capabilities) {
        if (capabilities == null) {
            return;
        }
        for (String c : capabilities) {
            if (c != null && (c.isBlank() || c.length() > MAX_CAPABILITY)) {
                throw ProblemException.validation("each capability must be 1 to " + MAX_CAPABILITY + " characters");
            }
        }
    }
}
