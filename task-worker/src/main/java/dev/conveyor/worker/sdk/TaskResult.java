package dev.conveyor.worker.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a handler produced: the public URL of its main output (may be null) and free-form metadata. */
public record TaskResult(String outputLocation, JsonNode metadata) {

    public TaskResult {
        if (metadata == null) {
            metadata = JsonNodeFactory.instance.objectNode();
        }
    }

    public static TaskResult of(String outputLocation) {
        return new TaskResult(outputLocation, null);
    }

    public static TaskResult of(String outputLocation, ObjectNode metadata) {
        return new TaskResult(outputLocation, metadata);
    }

    /** A result without an output file. */
    public static TaskResult empty() {
        return new TaskResult(null, null);
    }
}
