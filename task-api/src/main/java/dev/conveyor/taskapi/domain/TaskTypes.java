package dev.conveyor.taskapi.domain;

import dev.conveyor.taskapi.config.ConveyorConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The configured task types, and capability routing. */
@ApplicationScoped
public class TaskTypes {
    private final Map<String, TaskType> types = new TreeMap<>();

    public TaskTypes(ConveyorConfig config) {
        config.taskTypes().forEach((name, c) -> {
            String generation = c.generation().equals("none") ? null : c.generation();
            if (generation != null && !generation.equals("image") && !generation.equals("video")) {
                throw new IllegalArgumentException("conveyor.task-types." + name + ".generation must be image, video or none");
            }
            types.put(name, new TaskType(name, c.capability().filter(s -> !s.isBlank()).orElse(null), c.costBase(),
                    c.costPerUnit(), c.costUnitParam().orElse(null), c.maxUnits(), c.requiredParams().orElse(List.of()),
                    c.maxAttempts(), c.backoffBase(), c.backoffCap(), c.lease(), generation, c.shotPath().orElse(null),
                    c.stringParams().orElse(List.of())));
        });
    }

    public TaskType require(String name) {
        TaskType t = name == null ? null : types.get(name);
        if (t == null) {
            throw new ApiException(422, "unknown_task_type", "Unknown task type",
                    "unknown task type '" + (name != null && name.length() > 100 ? name.substring(0, 100) + "..." : name) + "'; known: " + String.join(", ", types.keySet()));
        }
        return t;
    }

    public TaskType find(String name) {
        return types.get(name);
    }

    public Collection<TaskType> all() {
        return types.values();
    }

    /** Types a worker with these capabilities may run: those needing no capability, or one it has. */
    public String[] runnableBy(Collection<String> capabilities) {
        return runnableBy(capabilities, null);
    }

    /**
     * Types a worker may claim: runnable with its capabilities and, when {@code only} is given (a claim's
     * {@code taskTypes}), named there too.
     */
    public String[] runnableBy(Collection<String> capabilities, Set<String> only) {
        return types.values().stream()
                .filter(t -> t.capability() == null || capabilities.contains(t.capability()))
                .filter(t -> only == null || only.contains(t.name()))
                .map(TaskType::name).toArray(String[]::new);
    }
}
