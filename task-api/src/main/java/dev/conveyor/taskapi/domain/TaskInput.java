package dev.conveyor.taskapi.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.config.ConveyorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The checks every create makes (client or worker, single or batch) before it touches the database: type, params
 * (size, the type's rules, the price), priority, dependencies, idempotency key. The params are serialised here once,
 * to measure them; that JSON text is kept in {@link Validated#paramsJson()} and is what the row stores and the
 * task.created event carries, so a create serialises its params once (on the event loop) instead of once per use.
 */
@ApplicationScoped
public class TaskInput {
    public static final int MAX_PRIORITY = 1000;
    public static final int MAX_DEPENDENCIES = 100;
    public static final int MAX_IDEMPOTENCY_KEY = 200;

    private final TaskTypes types;
    private final ConveyorConfig config;

    public TaskInput(TaskTypes types, ConveyorConfig config) {
        this.types = types;
        this.config = config;
    }

    /**
     * A create's input after the checks. {@code paramsJson}: the params as compact JSON text (null when absent), written
     * to the row and the task.created event as they are.
     */
    public record Validated(
            TaskType type,
            JsonNode params,
            String paramsJson,
            TaskType.Checked checked,
            int priority,
            Set<UUID> deps,
            String key) {

        /** The same input depending on {@code dependencies} instead (a child batch adds its earlier items' ids). */
        Validated withDependencies(Set<UUID> dependencies) {
            return new Validated(type, params, paramsJson, checked, priority, dependencies, key);
        }
    }

    /** The price a create with these params would hold: the whole pipeline's for a type that spawns children. */
    public TaskType.Checked estimate(String taskType, JsonNode params) {
        TaskType type = types.require(taskType);
        measured(params);
        return type.check(params);
    }

    Validated validate(String taskType, JsonNode params, Integer priorityOrNull, List<UUID> dependsOn, String key) {
        TaskType type = types.require(taskType);
        String paramsJson = measured(params);
        TaskType.Checked checked = type.check(params);
        int priority = priorityOrNull == null ? 0 : priorityOrNull;
        if (priority < -MAX_PRIORITY || priority > MAX_PRIORITY) {
            throw ProblemException.validation("priority must be between " + -MAX_PRIORITY + " and " + MAX_PRIORITY);
        }
        Set<UUID> deps = new LinkedHashSet<>(dependsOn == null ? List.of() : dependsOn);
        if (deps.contains(null)) {
            throw ProblemException.validation("dependsOn must hold task ids");
        }
        if (deps.size() > MAX_DEPENDENCIES) {
            throw ProblemException.validation("at most " + MAX_DEPENDENCIES + " dependencies");
        }
        if (key != null && (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY)) {
            throw ProblemException.validation("idempotencyKey must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        return new Validated(type, params, paramsJson, checked, priority, deps, key);
    }

    /** The params' JSON text (null for none), after checking its size: 413 params_too_large over the limit. */
    private String measured(JsonNode params) {
        if (params == null || params.isMissingNode()) {
            return null;
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(params);
        } catch (IOException e) {
            throw ProblemException.validation("params are not valid JSON");
        }
        int size = json.getBytes(StandardCharsets.UTF_8).length;
        if (size > config.maxParamsBytes()) {
            throw new ProblemException(
                    413,
                    "params_too_large",
                    "Params too large",
                    "params are " + size + " bytes; at most " + config.maxParamsBytes() + " are accepted");
        }
        return json;
    }
}
