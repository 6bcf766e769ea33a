package dev.conveyor.worker.runtime;

import dev.conveyor.worker.config.WorkerConfig;
import dev.conveyor.worker.sdk.TaskHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** The handler beans this worker runs, by task type, and the capabilities it announces on claim. */
@ApplicationScoped
public class HandlerRegistry {
    private final Map<String, TaskHandler> byType;
    private final List<String> capabilities;

    @jakarta.inject.Inject
    public HandlerRegistry(Instance<TaskHandler> beans, WorkerConfig config) {
        this(beans.stream().toList(), config.taskTypes(), config.capabilities());
    }

    HandlerRegistry(
            List<TaskHandler> handlers,
            Optional<List<String>> onlyTypes,
            Optional<List<String>> configuredCapabilities) {
        Map<String, TaskHandler> map = new LinkedHashMap<>();
        for (TaskHandler h : handlers) {
            if (onlyTypes.isPresent() && !onlyTypes.get().contains(h.taskType())) {
                continue;
            }
            TaskHandler previous = map.putIfAbsent(h.taskType(), h);
            if (previous != null) {
                throw new IllegalStateException("two handlers for task type " + h.taskType() + ": "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        if (onlyTypes.isPresent()) {
            for (String t : onlyTypes.get()) {
                if (!map.containsKey(t)) {
                    throw new IllegalStateException(
                            "conveyor.worker.task-types names " + t + " but no handler bean runs it");
                }
            }
        }
        this.byType = Map.copyOf(map);
        TreeSet<String> caps = new TreeSet<>();
        configuredCapabilities.ifPresentOrElse(
                caps::addAll,
                () -> map.values().stream()
                        .map(TaskHandler::capability)
                        .filter(c -> c != null && !c.isBlank())
                        .forEach(caps::add));
        this.capabilities = List.copyOf(caps);
    }

    public Optional<TaskHandler> handler(String taskType) {
        return Optional.ofNullable(byType.get(taskType));
    }

    public List<String> taskTypes() {
        return new ArrayList<>(new TreeSet<>(byType.keySet()));
    }

    public boolean runs(String taskType) {
        return taskType != null && byType.containsKey(taskType);
    }

    public List<String> capabilities() {
        return capabilities;
    }
}
