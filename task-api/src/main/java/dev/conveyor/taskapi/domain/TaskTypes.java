package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.config.ConveyorConfig;
import dev.conveyor.taskapi.config.ConveyorConfig.TaskTypeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
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
        Map<String, TaskType> plain = new TreeMap<>();
        config.taskTypes().forEach((name, c) -> {
            String generation = c.generation().equals("none") ? null : c.generation();
            if (generation != null && !generation.equals("image") && !generation.equals("video")) {
                throw new IllegalArgumentException(
                        "conveyor.task-types." + name + ".generation must be image, video or none");
            }
            plain.put(
                    name,
                    new TaskType(
                            name,
                            c.capability().filter(s -> !s.isBlank()).orElse(null),
                            c.costBase(),
                            c.costPerUnit(),
                            c.costUnitParam().orElse(null),
                            c.maxUnits(),
                            c.requiredParams().orElse(List.of()),
                            c.maxAttempts(),
                            c.backoffBase(),
                            c.backoffCap(),
                            c.lease(),
                            generation,
                            c.shotPath().orElse(null),
                            c.stringParams().orElse(List.of()),
                            TaskType.Spawns.NONE));
        });
        plain.forEach((name, t) -> types.put(name, withSpawns(t, config.taskTypes(), plain)));
    }

    /** A pipeline type gets the flat prices of the types it spawns; a spawned type must have one (no per-unit price). */
    private static TaskType withSpawns(TaskType t, Map<String, TaskTypeConfig> configs, Map<String, TaskType> plain) {
        TaskTypeConfig c = configs.get(t.name());
        String perUnit = c.spawnsPerUnit().filter(s -> !s.isBlank()).orElse(null);
        List<String> once = c.spawns().orElse(List.of());
        if (perUnit == null && once.isEmpty()) {
            return t;
        }
        if (perUnit != null && t.costUnitParam() == null) {
            throw new IllegalArgumentException(
                    "conveyor.task-types." + t.name() + ".spawns-per-unit needs a cost-unit-param");
        }
        List<TaskType.Part> onceParts = new ArrayList<>();
        for (String name : once) {
            onceParts.add(new TaskType.Part(name, 1, flatPrice(t.name(), name, plain, configs)));
        }
        long perUnitCost = perUnit == null ? 0 : flatPrice(t.name(), perUnit, plain, configs);
        return new TaskType(
                t.name(),
                t.capability(),
                t.costBase(),
                t.costPerUnit(),
                t.costUnitParam(),
                t.maxUnits(),
                t.requiredParams(),
                t.maxAttempts(),
                t.backoffBase(),
                t.backoffCap(),
                t.lease(),
                t.generation(),
                t.shotPath(),
                t.stringParams(),
                new TaskType.Spawns(perUnit, perUnitCost, List.copyOf(onceParts)));
    }

    private static long flatPrice(
            String pipeline, String spawned, Map<String, TaskType> plain, Map<String, TaskTypeConfig> configs) {
        TaskType s = plain.get(spawned);
        if (s == null) {
            throw new IllegalArgumentException("conveyor.task-types." + pipeline + " spawns unknown type " + spawned);
        }
        TaskTypeConfig sc = configs.get(spawned);
        if (sc.spawnsPerUnit().isPresent() || sc.spawns().isPresent()) {
            throw new IllegalArgumentException("conveyor.task-types." + pipeline + " spawns " + spawned
                    + ", itself a pipeline: nested pipelines are not priced");
        }
        if (s.costPerUnit() != 0) {
            throw new IllegalArgumentException("conveyor.task-types." + pipeline + " spawns " + spawned
                    + ", which has a per-unit price: a spawned type needs a flat price (cost-per-unit=0)");
        }
        return s.costBase();
    }

    public TaskType require(String name) {
        TaskType t = name == null ? null : types.get(name);
        if (t == null) {
            throw new ProblemException(
                    422,
                    "unknown_task_type",
                    "Unknown task type",
                    "unknown task type '"
                            + (name != null && name.length() > 100 ? name.substring(0, 100) + "..." : name)
                            + "'; known: " + String.join(", ", types.keySet()));
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
                .map(TaskType::name)
                .toArray(String[]::new);
    }
}
